using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>
/// limits.max_concurrent_requests and limits.max_upstream_connections against a real fake upstream that holds its
/// answers until the test lets them go: past the cap each client API gets its own overload error at once; under it
/// nothing is refused; a stream already open is never cut; every way a request ends frees its place; and the upstream
/// never sees more connections than the bound.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class OverloadTests
{
    private const string Chat = """{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}""";
    private const string ChatStream = """{"model":"gpt-4.1","stream":true,"messages":[{"role":"user","content":"hi"}]}""";
    private const string Messages = """{"model":"gpt-4.1","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""";
    private const string Responses = """{"model":"gpt-4.1","input":"hi"}""";

    private static string Config(Uri upstream, string limits, string resilience = "") => $"""
        model_providers:
          - model: openai/gpt-4.1
            access_key: $OPENAI_API_KEY
            base_url: {upstream}v1
            default: true
        limits: {limits}
        resilience: {"{"}max_retries: 0{resilience}{"}"}
        """;

    /// <summary>Answers each request only once <paramref name="release"/> completes (or the gateway gives up on it).</summary>
    private static void HoldUntil(FakeUpstream upstream, Task release) => upstream.Handler = async (c, _) =>
    {
        await release.WaitAsync(c.RequestAborted);
        c.Response.ContentType = "application/json";
        await c.Response.WriteAsync(Canned.OpenAIChat("held answer"));
    };

    private static Task WaitForAsync(Func<bool> condition, string what) => WaitForAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("waited 10 s for " + what);
            await Task.Delay(20);
        }
    }

    private static async Task<long> MetricAsync(TestGateway gateway, string name)
    {
        var text = await gateway.Http.GetStringAsync("/metrics");
        var line = text.Split('\n').Single(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal));
        return long.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Past_the_cap_each_client_api_gets_its_own_overload_error_with_retry_after_and_nothing_reaches_the_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HoldUntil(upstream, release.Task);
        await using var gateway = await TestGateway.StartAsync(Config(upstream.BaseUrl, "{max_concurrent_requests: 2}"), Yaml.Keys);
        var held = new[] { gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat)), gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat)) };
        await WaitForAsync(() => upstream.Requests.Count == 2, "the two held requests at the upstream");

        using (var anthropic = await gateway.Http.SendAsync(JsonPost("/v1/messages", Messages)))
        {
            Assert.Equal(529, (int)anthropic.StatusCode);
            Assert.Equal("1", anthropic.Headers.GetValues("retry-after").Single());
            Assert.StartsWith("sb_", anthropic.Headers.GetValues("x-switchboard-request-id").Single());
            using var error = JsonDocument.Parse(await anthropic.Content.ReadAsStringAsync());
            Assert.Equal("error", error.RootElement.GetProperty("type").GetString());
            Assert.Equal("overloaded_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
            Assert.Contains("limits.max_concurrent_requests", error.RootElement.GetProperty("error").GetProperty("message").GetString());
        }
        foreach (var (path, body) in new[] { ("/v1/chat/completions", Chat), ("/v1/responses", Responses) })
        {
            using var openAI = await gateway.Http.SendAsync(JsonPost(path, body));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, openAI.StatusCode);
            Assert.Equal("1", openAI.Headers.GetValues("retry-after").Single());
            using var error = JsonDocument.Parse(await openAI.Content.ReadAsStringAsync());
            var inner = error.RootElement.GetProperty("error");
            Assert.Equal("server_error", inner.GetProperty("type").GetString());
            Assert.Equal("overloaded", inner.GetProperty("code").GetString());
        }
        Assert.Equal(2, upstream.Requests.Count); // the refused ones were never sent
        Assert.Equal(3, await MetricAsync(gateway, "switchboard_requests_shed_total"));
        Assert.Equal(2, await MetricAsync(gateway, "switchboard_requests_in_flight"));
        using (var health = JsonDocument.Parse(await gateway.Http.GetStringAsync("/healthz")))
            Assert.Equal((2, 3), (health.RootElement.GetProperty("requests_in_flight").GetInt32(), health.RootElement.GetProperty("requests_shed").GetInt32()));
        await gateway.Logs.WaitForLineAsync("overloaded: refused 1 requests since the last such line; in flight 2 requests");
        Assert.True(gateway.Logs.Lines.Count(l => l.Contains("overloaded: refused")) < 3, "a line per refusal"); // at most one a second

        release.SetResult();
        foreach (var response in await Task.WhenAll(held))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }
        using var after = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Past_the_body_bytes_in_flight_a_large_request_is_refused_and_a_small_one_still_admitted()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HoldUntil(upstream, release.Task);
        await using var gateway = await TestGateway.StartAsync(Config(upstream.BaseUrl, "{max_request_bytes_in_flight: 3000}"), Yaml.Keys);
        string Padded(int bytes) => Chat.Replace("\"hi\"", "\"" + new string('x', bytes - Chat.Length + 2) + "\"");
        var large = Padded(2000);
        var held = gateway.Http.SendAsync(JsonPost("/v1/chat/completions", large));
        await WaitForAsync(() => upstream.Requests.Count == 1, "the held request at the upstream");

        using (var refused = await gateway.Http.SendAsync(JsonPost("/v1/messages", Padded(1500).Replace("\"messages\"", "\"max_tokens\":64,\"messages\""))))
        {
            Assert.Equal(529, (int)refused.StatusCode);
            Assert.Contains("max_request_bytes_in_flight", await refused.Content.ReadAsStringAsync());
        }
        var small = gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat)); // 2,000 + 63 bytes: fits
        await WaitForAsync(() => upstream.Requests.Count == 2, "the small request at the upstream");
        release.SetResult();
        Assert.All(await Task.WhenAll(held, small), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, await MetricAsync(gateway, "switchboard_requests_shed_total"));

        // A body larger than the cap alone is served when nothing else is held (it could never be otherwise).
        using var alone = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Padded(4000)));
        Assert.Equal(HttpStatusCode.OK, alone.StatusCode);
    }

    [Fact]
    public async Task Under_the_cap_nothing_is_refused()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HoldUntil(upstream, release.Task);
        await using var gateway = await TestGateway.StartAsync(Config(upstream.BaseUrl, "{max_concurrent_requests: 8}"), Yaml.Keys);
        var held = Enumerable.Range(0, 8).Select(_ => gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat))).ToArray();
        await WaitForAsync(() => upstream.Requests.Count == 8, "eight held requests at the upstream");
        Assert.Equal(8, await MetricAsync(gateway, "switchboard_requests_in_flight"));
        release.SetResult();
        Assert.All(await Task.WhenAll(held), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(0, await MetricAsync(gateway, "switchboard_requests_shed_total"));
        Assert.Equal(0, await MetricAsync(gateway, "switchboard_requests_in_flight"));
    }

    [Fact]
    public async Task A_stream_in_progress_is_never_cut_by_refusals()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var chunks = Canned.OpenAIStream("gpt-4.1", "first", "second", "third").ToArray();
        upstream.Handler = async (c, _) =>
        {
            c.Features.Get<IHttpResponseBodyFeature>()!.DisableBuffering();
            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync(chunks[0] + chunks[1], c.RequestAborted);
            await c.Response.Body.FlushAsync(c.RequestAborted);
            await rest.Task.WaitAsync(c.RequestAborted);
            foreach (var chunk in chunks.Skip(2)) await c.Response.WriteAsync(chunk, c.RequestAborted);
        };
        await using var gateway = await TestGateway.StartAsync(Config(upstream.BaseUrl, "{max_concurrent_requests: 1}"), Yaml.Keys);
        using var stream = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", ChatStream), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        var seen = "";
        while (!seen.Contains("first")) seen += await reader.ReadLineAsync() + "\n";

        for (var i = 0; i < 5; i++)
        {
            using var refused = await gateway.Http.SendAsync(JsonPost("/v1/messages", Messages));
            Assert.Equal(529, (int)refused.StatusCode);
        }
        rest.SetResult();
        seen += await reader.ReadToEndAsync();
        Assert.Contains("third", seen);
        Assert.Contains("data: [DONE]", seen);
        Assert.DoesNotContain("error", seen);
    }

    [Fact]
    public async Task Client_aborts_upstream_errors_and_timeouts_free_their_place()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = async (c, r) =>
        {
            if (r.Body.Contains("\"fail\"")) { c.Response.StatusCode = 500; await c.Response.WriteAsync("""{"error":{"message":"down"}}"""); return; }
            await Task.Delay(Timeout.Infinite, c.RequestAborted); // "hold" and "slow": held until the gateway gives up
        };
        await using var gateway = await TestGateway.StartAsync(Config(upstream.BaseUrl, "{max_concurrent_requests: 2}", ", first_byte_timeout_ms: 300, circuit_breaker: {minimum_throughput: 100000}"), Yaml.Keys);
        string Body(string word) => Chat.Replace("\"hi\"", $"\"{word}\"");
        for (var round = 0; round < 3; round++)
        {
            using (var failed = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Body("fail"))))
                Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
            using (var timedOut = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Body("slow"))))
                Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
            var sent = upstream.Requests.Count;
            using var abort = new CancellationTokenSource();
            var aborted = gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Body("hold")), abort.Token);
            await WaitForAsync(() => upstream.Requests.Count > sent, "the held request at the upstream");
            abort.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => aborted);
        }
        await WaitForAsync(async () => await MetricAsync(gateway, "switchboard_requests_in_flight") == 0, "no request in flight");
        Assert.Equal(0, await MetricAsync(gateway, "switchboard_requests_shed_total"));

        // Both places are free again: two held requests are admitted at once.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HoldUntil(upstream, release.Task);
        var sentBefore = upstream.Requests.Count;
        var two = new[] { gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat)), gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat)) };
        await WaitForAsync(() => upstream.Requests.Count == sentBefore + 2, "two admitted requests at the upstream");
        release.SetResult();
        Assert.All(await Task.WhenAll(two), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    [Fact]
    public async Task Upstream_connections_stay_within_the_bound_and_a_burst_queues_for_them()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HoldUntil(upstream, release.Task);
        await using var gateway = await TestGateway.StartAsync(Config(upstream.BaseUrl, "{max_upstream_connections: 2}"), Yaml.Keys);
        var burst = Enumerable.Range(0, 12).Select(_ => gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat))).ToArray();
        await WaitForAsync(() => upstream.Requests.Count == 2, "two requests at the upstream");
        await Task.Delay(300); // room for a third connection, were the bound not kept
        Assert.Equal(2, upstream.Requests.Count);
        Assert.Equal(2, upstream.ConnectionsAccepted);
        Assert.Equal(12, await MetricAsync(gateway, "switchboard_requests_in_flight")); // queued in the gateway, not refused

        release.SetResult();
        Assert.All(await Task.WhenAll(burst), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(12, upstream.Requests.Count);
        Assert.Equal(2, upstream.MostConnectionsOpen);
        Assert.Equal(2, upstream.ConnectionsAccepted); // the two were reused for the ten that waited
    }

    [Fact]
    public async Task A_request_that_waited_for_a_connection_past_its_first_byte_timeout_gets_the_timeout_error()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        upstream.Handler = async (c, _) =>
        {
            // A stream holds the only connection: past its headers the first-byte timeout no longer applies to it.
            c.Features.Get<IHttpResponseBodyFeature>()!.DisableBuffering();
            c.Response.ContentType = "text/event-stream";
            var chunks = Canned.OpenAIStream().ToArray();
            await c.Response.WriteAsync(chunks[0], c.RequestAborted);
            await c.Response.Body.FlushAsync(c.RequestAborted);
            await rest.Task.WaitAsync(c.RequestAborted);
            foreach (var chunk in chunks.Skip(1)) await c.Response.WriteAsync(chunk, c.RequestAborted);
        };
        await using var gateway = await TestGateway.StartAsync(
            Config(upstream.BaseUrl, "{max_upstream_connections: 1}", ", first_byte_timeout_ms: 400"), Yaml.Keys);
        using var stream = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", ChatStream), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);

        using (var queued = await gateway.Http.SendAsync(JsonPost("/v1/messages", Messages)))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, queued.StatusCode);
            using var error = JsonDocument.Parse(await queued.Content.ReadAsStringAsync());
            Assert.Equal("timeout_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
            Assert.Contains("no response within 0.4 s", error.RootElement.GetProperty("error").GetProperty("message").GetString());
        }
        Assert.Single(upstream.Requests); // it never got a connection
        rest.SetResult();
        var text = await stream.Content.ReadAsStringAsync();
        Assert.Contains("data: [DONE]", text);
        Assert.Equal(1, upstream.ConnectionsAccepted);
    }
}
