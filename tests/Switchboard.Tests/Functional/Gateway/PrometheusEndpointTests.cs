using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Switchboard.Observability;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>
/// GET /metrics: requests through the real gateway (a success, an upstream error, a routed request, a stream with usage),
/// then the scrape parsed strictly as Prometheus text and checked against the tokens the fakes reported and the
/// configured prices; and who may scrape.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class PrometheusEndpointTests : IAsyncLifetime
{
    private FakeUpstream _ok = null!;
    private FakeUpstream _broken = null!;
    private FakeUpstream _stream = null!;
    private FakeUpstream _anthropic = null!;

    public async Task InitializeAsync()
    {
        _ok = await FakeUpstream.StartAsync();
        _ok.RespondJson(Canned.OpenAIChat(prompt: 21, completion: 4));
        _broken = await FakeUpstream.StartAsync();
        _broken.RespondJson("""{"error":{"message":"upstream exploded","type":"server_error"}}""", status: 500);
        _stream = await FakeUpstream.StartAsync();
        _stream.RespondSse(Canned.OpenAIStream("gpt-stream")); // usage: 9 prompt, 3 completion
        _anthropic = await FakeUpstream.StartAsync();
        _anthropic.RespondJson(Canned.AnthropicMessage(input: 12, output: 6));
    }

    public async Task DisposeAsync()
    {
        await _ok.DisposeAsync();
        await _broken.DisposeAsync();
        await _stream.DisposeAsync();
        await _anthropic.DisposeAsync();
    }

    /// <summary>Priced: gpt-4.1 ($2 / $10 per million), claude ($3 / $15), gpt-broken; unpriced: gpt-stream (in no price table).</summary>
    private string Config(string extra = "", string resilience = "") => $"""
        version: v1
        model_providers:
          - model: openai/gpt-4.1
            access_key: k
            base_url: {_ok.BaseUrl}v1
            pricing: {"{"}input: 2, output: 10{"}"}
            default: true
          - model: openai/gpt-broken
            access_key: k
            base_url: {_broken.BaseUrl}v1
            pricing: {"{"}input: 2, output: 10{"}"}
          - model: openai/gpt-stream
            access_key: k
            base_url: {_stream.BaseUrl}v1
          - model: anthropic/claude-sonnet-4-5
            access_key: k
            base_url: {_anthropic.BaseUrl.ToString().TrimEnd('/')}
            pricing: {"{"}input: 3, output: 15{"}"}
            routing_preferences:
              - name: debugging
                description: finding and fixing bugs, errors, crashes, failing tests and performance problems
        resilience:
          max_retries: 0
          {resilience}
        {extra}
        """;

    private static HttpRequestMessage Chat(string model, bool stream = false) => JsonPost("/v1/chat/completions",
        $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]{{(stream ? ""","stream":true,"stream_options":{"include_usage":true}""" : "")}}}""");

    /// <summary>Sends it, reads the whole answer, waits for its log line (the metrics sink runs before the log's); its status.</summary>
    private static async Task<int> SendAsync(TestGateway gateway, HttpRequestMessage request)
    {
        using var response = await gateway.Http.SendAsync(request);
        await response.Content.ReadAsStringAsync();
        await gateway.Logs.WaitForLineAsync(response.Headers.GetValues("x-switchboard-request-id").Single());
        return (int)response.StatusCode;
    }

    private static async Task<PrometheusText> ScrapeAsync(TestGateway gateway)
    {
        using var response = await gateway.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Requests_tokens_cost_decisions_durations_and_breakers_are_served_as_prometheus_text()
    {
        await using var gateway = await TestGateway.StartAsync(Config());
        Assert.Equal(200, await SendAsync(gateway, Chat("gpt-4.1")));
        var brokenStatus = await SendAsync(gateway, Chat("openai/gpt-broken"));
        Assert.True(brokenStatus >= 500, $"the broken upstream's request answered {brokenStatus}");
        var routed = Chat("openai/gpt-4.1");
        routed.Headers.Add("x-switchboard-route", "debugging");
        Assert.Equal(200, await SendAsync(gateway, routed));
        Assert.Equal(200, await SendAsync(gateway, Chat("openai/gpt-stream", stream: true)));

        var metrics = await ScrapeAsync(gateway);

        // switchboard_requests_total{model,provider,route,status}: exactly these four, with exactly these labels.
        var requests = metrics.Find("switchboard_requests_total").ToList();
        Assert.Equal("counter", metrics.Families["switchboard_requests_total"].Type);
        Assert.All(requests, s => Assert.Equal(["model", "provider", "route", "status"], s.Labels.Keys.Order()));
        Assert.Equal(4, requests.Sum(s => s.Value));
        Assert.Equal(1, metrics.Value("switchboard_requests_total", ("model", "openai/gpt-4.1"), ("provider", "openai"), ("route", "none"), ("status", "200")));
        Assert.Equal(1, metrics.Value("switchboard_requests_total", ("model", "openai/gpt-broken"), ("status", brokenStatus.ToString())));
        Assert.Equal(1, metrics.Value("switchboard_requests_total", ("model", "anthropic/claude-sonnet-4-5"), ("provider", "anthropic"), ("route", "debugging"), ("status", "200")));
        Assert.Equal(1, metrics.Value("switchboard_requests_total", ("model", "openai/gpt-stream"), ("status", "200")));

        // switchboard_tokens_total{model,kind}: what each fake reported, and no kind it did not report.
        Assert.Equal(21, metrics.Value("switchboard_tokens_total", ("model", "openai/gpt-4.1"), ("kind", "input")));
        Assert.Equal(4, metrics.Value("switchboard_tokens_total", ("model", "openai/gpt-4.1"), ("kind", "output")));
        Assert.Equal(12, metrics.Value("switchboard_tokens_total", ("model", "anthropic/claude-sonnet-4-5"), ("kind", "input")));
        Assert.Equal(6, metrics.Value("switchboard_tokens_total", ("model", "anthropic/claude-sonnet-4-5"), ("kind", "output")));
        Assert.Equal(9, metrics.Value("switchboard_tokens_total", ("model", "openai/gpt-stream"), ("kind", "input")));
        Assert.Equal(3, metrics.Value("switchboard_tokens_total", ("model", "openai/gpt-stream"), ("kind", "output")));
        Assert.Equal(21 + 4 + 12 + 6 + 9 + 3, metrics.Sum("switchboard_tokens_total"));
        Assert.All(metrics.Find("switchboard_tokens_total"), s => Assert.Contains(s.Label("kind"), new[] { "input", "output", "cache_read", "cache_write", "reasoning" }));

        // switchboard_cost_usd_total{model}: the configured prices; the unpriced model is counted, never as $0.
        Assert.Equal((21 * 2 + 4 * 10) / 1e6, metrics.Value("switchboard_cost_usd_total", ("model", "openai/gpt-4.1")), 1e-15);
        Assert.Equal((12 * 3 + 6 * 15) / 1e6, metrics.Value("switchboard_cost_usd_total", ("model", "anthropic/claude-sonnet-4-5")), 1e-15);
        Assert.Empty(metrics.Find("switchboard_cost_usd_total", ("model", "openai/gpt-stream")));
        Assert.Equal(1, metrics.Value("switchboard_unpriced_requests_total", ("model", "openai/gpt-stream")));
        Assert.Equal(1, metrics.Sum("switchboard_unpriced_requests_total"));

        // switchboard_routing_decisions_total{route,router,reason}: the forced one.
        var decision = Assert.Single(metrics.Find("switchboard_routing_decisions_total"));
        Assert.Equal(["reason", "route", "router"], decision.Labels.Keys.Order());
        Assert.Equal(("debugging", "forced", 1.0), (decision.Label("route"), decision.Label("reason"), decision.Value));

        // Histograms: the buckets from 5 ms to 5 min, cumulative, +Inf equal to _count; one observation per request.
        foreach (var histogram in new[] { "switchboard_request_duration_seconds", "switchboard_time_to_first_byte_seconds" })
        {
            Assert.Equal("histogram", metrics.Families[histogram].Type);
            var counts = metrics.Find(histogram + "_count").ToList();
            Assert.Equal(4, counts.Sum(s => s.Value));
            foreach (var count in counts)
            {
                Assert.Equal(["model", "provider", "route"], count.Labels.Keys.Order());
                var series = count.Labels.Select(l => (l.Key, l.Value)).ToArray();
                var buckets = metrics.Find(histogram + "_bucket", series).ToList();
                Assert.Equal([.. GatewayMetrics.RequestBuckets, double.PositiveInfinity], buckets.Select(b => PrometheusText.ParseValue(b.Label("le"))!.Value));
                for (var i = 1; i < buckets.Count; i++) Assert.True(buckets[i].Value >= buckets[i - 1].Value, $"{histogram} buckets not cumulative: {string.Join(", ", buckets)}");
                Assert.Equal(count.Value, buckets[^1].Value);
                Assert.True(metrics.Value(histogram + "_sum", series) > 0);
            }
        }

        // switchboard_breaker_state{provider,model,endpoint}: one per deployment, closed here.
        Assert.Equal("gauge", metrics.Families["switchboard_breaker_state"].Type);
        var breakers = metrics.Find("switchboard_breaker_state").ToList();
        Assert.Equal(["anthropic/claude-sonnet-4-5", "openai/gpt-4.1", "openai/gpt-broken", "openai/gpt-stream"], breakers.Select(b => b.Label("model")).Order());
        Assert.Equal(_ok.BaseUrl.GetLeftPart(UriPartial.Authority), breakers.Single(b => b.Label("model") == "openai/gpt-4.1").Label("endpoint"));
        Assert.All(breakers, b => Assert.Equal(0, b.Value));

        // Nothing but the gateway's own series, and never a key.
        Assert.All(metrics.Families.Keys, name => Assert.StartsWith("switchboard_", name));
    }

    [Fact]
    public async Task Ids_a_client_makes_up_on_a_wildcard_entry_never_become_labels()
    {
        _broken.RespondJson("""{"error":{"message":"no such model","type":"invalid_request_error"}}""", status: 404);
        await using var gateway = await TestGateway.StartAsync($"""
            version: v1
            model_providers:
              - model: openai/gpt-4.1
                access_key: k
                base_url: {_ok.BaseUrl}v1
                default: true
              - model: openrouter/*
                access_key: k
                base_url: {_broken.BaseUrl}v1
            resilience:
              max_retries: 0
            """);
        for (var i = 0; i < 5; i++) Assert.Equal(404, await SendAsync(gateway, Chat($"openrouter/made-up-{i}")));
        Assert.Equal(200, await SendAsync(gateway, Chat("openai/gpt-4.1")));

        var metrics = await ScrapeAsync(gateway);
        Assert.Equal(5, metrics.Value("switchboard_requests_total", ("model", "(other)"), ("status", "404")));
        Assert.Equal(1, metrics.Value("switchboard_requests_total", ("model", "openai/gpt-4.1"), ("status", "200")));
        Assert.DoesNotContain(metrics.Samples, sample => sample.ToString().Contains("made-up"));
    }

    [Fact]
    public async Task An_open_breaker_reads_2_and_another_gateway_in_the_process_does_not_count_here()
    {
        await using var gateway = await TestGateway.StartAsync(Config(resilience: "circuit_breaker: {minimum_throughput: 2, failure_ratio: 0.5}"));
        await using var other = await TestGateway.StartAsync(Config());
        Assert.Equal(200, await SendAsync(other, Chat("gpt-4.1")));
        for (var i = 0; i < 3; i++) await SendAsync(gateway, Chat("openai/gpt-broken"));

        var metrics = await ScrapeAsync(gateway);
        Assert.Equal(3, metrics.Sum("switchboard_requests_total"));
        Assert.Equal(2, metrics.Value("switchboard_breaker_state", ("model", "openai/gpt-broken")));
        Assert.Equal(0, metrics.Value("switchboard_breaker_state", ("model", "openai/gpt-4.1")));
        Assert.Equal(1, (await ScrapeAsync(other)).Sum("switchboard_requests_total"));
    }

    [Fact]
    public async Task With_gateway_keys_metrics_need_an_admin_key()
    {
        var env = new Dictionary<string, string> { ["ADMIN_KEY"] = "sb-admin-SECRET", ["TEAM_KEY"] = "sb-team-SECRET" };
        await using var gateway = await TestGateway.StartAsync(Config("""
            gateway_keys:
              - name: team
                key: $TEAM_KEY
              - name: ops
                key: $ADMIN_KEY
                admin: true
            """), env);
        var chat = Chat("gpt-4.1");
        chat.Headers.Authorization = new("Bearer", "sb-team-SECRET");
        Assert.Equal(200, await SendAsync(gateway, chat));

        async Task<(HttpStatusCode Status, string Body)> Get(string? key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            if (key is not null) request.Headers.Authorization = new("Bearer", key);
            using var response = await gateway.Http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await Get(null)).Status); // loopback is not enough once keys exist
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get("sb-wrong")).Status);
        var plain = await Get("sb-team-SECRET");
        Assert.Equal(HttpStatusCode.Forbidden, plain.Status);
        Assert.DoesNotContain("switchboard_requests_total", plain.Body);
        var admin = await Get("sb-admin-SECRET");
        Assert.Equal(HttpStatusCode.OK, admin.Status);
        var metrics = PrometheusText.Parse(admin.Body);
        Assert.Equal(1, metrics.Value("switchboard_requests_total", ("model", "openai/gpt-4.1"), ("status", "200")));
        Assert.DoesNotContain("SECRET", admin.Body);
        Assert.DoesNotContain("team", admin.Body); // no caller label: a key's name is not a metric dimension
    }

    [NonLoopbackFact]
    public async Task Without_gateway_keys_metrics_answer_loopback_clients_only()
    {
        await using var gateway = await TestGateway.StartAsync(Config("listeners:\n  - {name: llm, address: 0.0.0.0, port: 0}"));
        using (var local = await gateway.Http.GetAsync("/metrics")) Assert.Equal(HttpStatusCode.OK, local.StatusCode);

        var outside = new UriBuilder(gateway.BaseUrl) { Host = NonLoopbackFactAttribute.Address!.ToString() }.Uri;
        using var client = new HttpClient { BaseAddress = outside };
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("loopback clients only", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Telemetry_prometheus_false_turns_the_endpoint_off()
    {
        await using var gateway = await TestGateway.StartAsync(Config("telemetry:\n  prometheus: false"));
        using var response = await gateway.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("telemetry.prometheus: false", await response.Content.ReadAsStringAsync());
    }
}

/// <summary>Runs where this machine has a non-loopback IPv4 address to reach a gateway on 0.0.0.0 from; skipped (saying so) where not.</summary>
internal sealed class NonLoopbackFactAttribute : FactAttribute
{
    public static readonly IPAddress? Address = NetworkInterface.GetAllNetworkInterfaces()
        .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
        .SelectMany(n => n.GetIPProperties().UnicastAddresses)
        .Select(a => a.Address)
        .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    public NonLoopbackFactAttribute()
    {
        if (Address is null) Skip = "this machine has no non-loopback IPv4 address to connect from";
    }
}
