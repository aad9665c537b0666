using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>
/// Issue #11 item 2, reproduced against the real gateway and fake upstreams: one failing or rate-limited model never
/// takes its provider's other models down; a 429's retry-after cools only that model down, and its 429 is what the
/// client gets when nothing else can answer; only an unreachable endpoint stops all of its models.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class DeploymentResilienceTests
{
    private const string RateLimitBody = """{"error":{"message":"Rate limit reached for gpt-limited in organization org-1 on requests per min (RPM): Limit 3.","type":"requests","param":null,"code":"rate_limit_exceeded"}}""";

    private static string Chat(string model) => $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""";
    private static string Messages(string model) => $$"""{"model":"{{model}}","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""";

    /// <summary>One OpenAI-format upstream serving several models: each model id answers as <paramref name="answer"/> says.</summary>
    private static async Task<FakeUpstream> Upstream(Func<string, HttpContext, Task?> answer)
    {
        var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = async (c, request) =>
        {
            var model = request.Json.RootElement.GetProperty("model").GetString()!;
            if (answer(model, c) is { } custom)
            {
                await custom;
                return;
            }
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync(Canned.OpenAIChat("answered by " + model, model));
        };
        return upstream;
    }

    private static Task Status(HttpContext c, int status, string body, string? retryAfter = null)
    {
        c.Response.StatusCode = status;
        c.Response.ContentType = "application/json";
        if (retryAfter is not null) c.Response.Headers["retry-after"] = retryAfter;
        return c.Response.WriteAsync(body);
    }

    private static int CallsFor(FakeUpstream upstream, string model) =>
        upstream.Requests.Count(r => r.Body.Contains($"\"model\":\"{model}\"", StringComparison.Ordinal));

    private static async Task<JsonElement> Deployment(TestGateway gateway, string model)
    {
        using var health = JsonDocument.Parse(await gateway.Http.GetStringAsync("/healthz?verbose=true"));
        return health.RootElement.GetProperty("providers").EnumerateArray().Single(p => p.GetProperty("model").GetString() == model).Clone();
    }

    /// <summary>Two models of one provider on one upstream; the first may fall back to the second.</summary>
    private static string TwoModels(FakeUpstream upstream, string first, string second, bool firstFallsBack, string resilience = "") => $"""
        model_providers:
          - model: {first}
            access_key: $OPENAI_API_KEY
            base_url: {upstream.BaseUrl}v1
            {(firstFallsBack ? $"fallbacks: [{second}]" : "")}
          - model: {second}
            access_key: $OPENAI_API_KEY
            base_url: {upstream.BaseUrl}v1
        resilience:
          {resilience}
        """;

    private static string Model(HttpResponseMessage response) => response.Headers.GetValues("x-switchboard-model").Single();

    [Fact]
    public async Task A_model_answering_500_takes_neither_its_providers_other_models_nor_its_fallback_down()
    {
        await using var upstream = await Upstream((model, c) => model == "gpt-broken"
            ? Status(c, 500, """{"error":{"message":"The server had an error while processing your request.","type":"server_error"}}""")
            : null);
        await using var gateway = await TestGateway.StartAsync(
            TwoModels(upstream, "openai/gpt-broken", "openai/gpt-healthy", firstFallsBack: true, "initial_backoff_ms: 5"), Yaml.Keys);

        // The issue's reproduction: 200 at once, half for the failing model (with a fallback), half for the healthy one.
        var requests = Enumerable.Range(0, 200).Select(async i =>
        {
            var model = i % 2 == 0 ? "openai/gpt-broken" : "openai/gpt-healthy";
            using var response = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat(model)));
            return (Asked: model, Status: response.StatusCode, Answered: Model(response), Body: await response.Content.ReadAsStringAsync());
        });
        var results = await Task.WhenAll(requests);

        var failures = results.Where(r => r.Status != HttpStatusCode.OK).ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} of 200 failed, e.g. {failures.FirstOrDefault()}");
        Assert.All(results, r => Assert.Equal("openai/gpt-healthy", r.Answered));
        Assert.All(results, r => Assert.Contains("answered by gpt-healthy", r.Body));
        Assert.Equal(200, CallsFor(upstream, "gpt-healthy"));

        var broken = await Deployment(gateway, "openai/gpt-broken");
        Assert.Equal("open", broken.GetProperty("circuit").GetString());
        Assert.Equal("closed", broken.GetProperty("endpoint_circuit").GetString());
        Assert.Equal("closed", (await Deployment(gateway, "openai/gpt-healthy")).GetProperty("circuit").GetString());
        // Once open, the failing model is skipped without a call, straight to its fallback.
        var calls = CallsFor(upstream, "gpt-broken");
        using (var after = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat("openai/gpt-broken"))))
        {
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
            Assert.Equal("openai/gpt-healthy", Model(after));
            await gateway.Logs.WaitForLineAsync($"request {after.Headers.GetValues("x-switchboard-request-id").Single()} fallback: openai/gpt-broken skipped (model 'openai/gpt-broken' is failing and was skipped");
        }
        Assert.Equal(calls, CallsFor(upstream, "gpt-broken"));
    }

    [Fact]
    public async Task Two_requests_to_a_rate_limited_model_leave_the_providers_other_models_answering()
    {
        await using var upstream = await Upstream((model, c) => model == "gpt-limited" ? Status(c, 429, RateLimitBody, retryAfter: "1") : null);
        await using var gateway = await TestGateway.StartAsync(
            TwoModels(upstream, "openai/gpt-limited", "openai/gpt-healthy", firstFallsBack: false, "initial_backoff_ms: 5"), Yaml.Keys);

        for (var i = 0; i < 2; i++)
        {
            using var limited = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat("openai/gpt-limited")));
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal(RateLimitBody, await limited.Content.ReadAsStringAsync());
            Assert.NotNull(limited.Headers.RetryAfter);
        }
        for (var i = 0; i < 5; i++)
        {
            using var healthy = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat("openai/gpt-healthy")));
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        }
        Assert.Equal("closed", (await Deployment(gateway, "openai/gpt-limited")).GetProperty("circuit").GetString());
    }

    [Fact]
    public async Task A_cooling_model_answers_the_upstreams_own_429_with_the_time_left_in_each_clients_format()
    {
        await using var upstream = await Upstream((model, c) => model == "gpt-limited" ? Status(c, 429, RateLimitBody, retryAfter: "30") : null);
        await using var gateway = await TestGateway.StartAsync(TwoModels(upstream, "openai/gpt-limited", "openai/gpt-healthy", firstFallsBack: false), Yaml.Keys);

        using (var live = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat("openai/gpt-limited"))))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, live.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(30), live.Headers.RetryAfter!.Delta);
        }
        using (var cooling = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat("openai/gpt-limited"))))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, cooling.StatusCode);
            Assert.Equal(RateLimitBody, await cooling.Content.ReadAsStringAsync()); // the upstream's own words, byte for byte
            Assert.InRange(cooling.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 25, 30);
            Assert.InRange(int.Parse(cooling.Headers.GetValues("retry-after-ms").Single()), 25_000, 30_000);
        }
        using (var cooling = await gateway.Http.SendAsync(JsonPost("/v1/messages", Messages("openai/gpt-limited"))))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, cooling.StatusCode);
            Assert.InRange(cooling.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 25, 30);
            using var body = JsonDocument.Parse(await cooling.Content.ReadAsStringAsync());
            Assert.Equal("rate_limit_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
            Assert.StartsWith("Rate limit reached for gpt-limited", body.RootElement.GetProperty("error").GetProperty("message").GetString());
        }
        Assert.Equal(1, CallsFor(upstream, "gpt-limited")); // the cooldown answered, not the upstream
        using (var healthy = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat("openai/gpt-healthy"))))
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);

        var limited = await Deployment(gateway, "openai/gpt-limited");
        Assert.InRange(limited.GetProperty("cooldown_seconds").GetDouble(), 1, 30);
        Assert.Equal("closed", limited.GetProperty("circuit").GetString());
        Assert.False((await Deployment(gateway, "openai/gpt-healthy")).TryGetProperty("cooldown_seconds", out _));

        using var cli = new CliHarness();
        var status = await cli.RunAsync("status", "--url", gateway.BaseUrl.ToString());
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("cooling down", status.Out);
        var json = await cli.RunAsync("status", "--url", gateway.BaseUrl.ToString(), "--json");
        using var statusJson = JsonDocument.Parse(json.Out);
        var row = statusJson.RootElement.GetProperty("providers").EnumerateArray().Single(p => p.GetProperty("model").GetString() == "openai/gpt-limited");
        Assert.True(row.GetProperty("cooldown_seconds").GetDouble() > 0);
        Assert.Equal("closed", row.GetProperty("endpoint_circuit").GetString());
    }

    [Fact]
    public async Task When_no_fallback_can_answer_after_a_live_429_the_client_gets_that_429()
    {
        var backupDown = true;
        await using var upstream = await Upstream((model, c) => model switch
        {
            "gpt-limited" => Status(c, 429, RateLimitBody, retryAfter: "20"),
            "gpt-backup" when backupDown => Status(c, 503, """{"error":{"message":"backup overloaded","type":"server_error"}}"""),
            _ => null,
        });
        await using var gateway = await TestGateway.StartAsync(
            TwoModels(upstream, "openai/gpt-limited", "openai/gpt-backup", firstFallsBack: true, "initial_backoff_ms: 5"), Yaml.Keys);

        using (var response = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat("openai/gpt-limited"))))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Equal(RateLimitBody, await response.Content.ReadAsStringAsync());
            Assert.InRange(response.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 15, 20);
            Assert.Equal("openai/gpt-limited", Model(response));
        }
        Assert.Equal(1, CallsFor(upstream, "gpt-limited")); // with a fallback to try, the 429 is not waited out
        Assert.Equal(3, CallsFor(upstream, "gpt-backup"));

        // While it cools down, the fallback answers without the limited model being called at all.
        backupDown = false;
        using (var response = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat("openai/gpt-limited"))))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("openai/gpt-backup", Model(response));
        }
        Assert.Equal(1, CallsFor(upstream, "gpt-limited"));
        await gateway.Logs.WaitForLineAsync("fallback: openai/gpt-limited skipped (model 'openai/gpt-limited' is cooling down after HTTP 429");
    }

    [Fact]
    public async Task Only_an_unreachable_endpoint_stops_all_of_its_models()
    {
        await using var elsewhere = await Upstream((_, _) => null);
        var closed = $"http://127.0.0.1:{GatewayProcess.FreePort()}/v1";
        await using var gateway = await TestGateway.StartAsync($"""
            model_providers:
              - model: openai/gpt-x
                access_key: $OPENAI_API_KEY
                base_url: {closed}
              - model: openai/gpt-y
                access_key: $OPENAI_API_KEY
                base_url: {closed}
              - model: openai/gpt-z
                access_key: $OPENAI_API_KEY
                base_url: {elsewhere.BaseUrl}v1
            resilience:
              max_retries: 0
              circuit_breaker:
                minimum_throughput: 2
            """, Yaml.Keys);

        for (var i = 0; i < 2; i++)
        {
            using var refused = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat("openai/gpt-x")));
            Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        }
        using (var skipped = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat("openai/gpt-y"))))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, skipped.StatusCode);
            Assert.Contains("could not be reached and is skipped for every model there", await skipped.Content.ReadAsStringAsync());
            Assert.NotNull(skipped.Headers.RetryAfter);
        }
        using (var other = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat("openai/gpt-z"))))
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);

        var y = await Deployment(gateway, "openai/gpt-y");
        Assert.Equal("open", y.GetProperty("endpoint_circuit").GetString());
        Assert.Equal("closed", y.GetProperty("circuit").GetString());
        Assert.Equal("closed", (await Deployment(gateway, "openai/gpt-z")).GetProperty("endpoint_circuit").GetString());
    }

    [Fact]
    public async Task A_wildcards_models_break_separately_and_show_separately()
    {
        await using var upstream = await Upstream((model, c) => model == "gpt-a" ? Status(c, 500, """{"error":{"message":"boom"}}""") : null);
        await using var gateway = await TestGateway.StartAsync($"""
            model_providers:
              - model: openai/*
                access_key: $OPENAI_API_KEY
                base_url: {upstream.BaseUrl}v1
            resilience:
              max_retries: 0
              circuit_breaker:
                minimum_throughput: 2
            """, Yaml.Keys);
        for (var i = 0; i < 3; i++)
        {
            using var a = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat("openai/gpt-a")));
            using var b = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat("openai/gpt-b")));
            Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        }
        Assert.Equal(2, CallsFor(upstream, "gpt-a"));
        Assert.Equal("open", (await Deployment(gateway, "openai/gpt-a")).GetProperty("circuit").GetString());
        Assert.Equal("closed", (await Deployment(gateway, "openai/gpt-b")).GetProperty("circuit").GetString());
        Assert.Equal("closed", (await Deployment(gateway, "openai/*")).GetProperty("circuit").GetString());
    }
}
