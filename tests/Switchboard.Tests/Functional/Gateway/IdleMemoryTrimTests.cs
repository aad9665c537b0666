using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>
/// The idle memory trim of a real `switchboard up` process (its own allocation counter, which tests running beside it in
/// this process would disturb): it never runs while a request is in flight, runs once the gateway is quiet, and says so
/// in /healthz?verbose=true; SWITCHBOARD_IDLE_TRIM=0 turns it off.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class IdleMemoryTrimTests
{
    private static string ConfigFor(FakeUpstream upstream) =>
        $"model_providers:\n  - model: openai/gpt-4.1\n    access_key: k\n    base_url: {upstream.BaseUrl}v1\n    default: true\nledger: {{enabled: false}}\n";

    /// <summary>A Claude Code-size request (~200 KB of conversation); <paramref name="marker"/> tells the upstream which one it is.</summary>
    private static StringContent LargeRequest(string marker)
    {
        var history = string.Concat(Enumerable.Range(0, 100).Select(i => $$"""{"role":"user","content":"{{marker}} turn {{i}}: {{new string('x', 2000)}}"},"""));
        return new StringContent($$"""{"model":"gpt-4.1","messages":[{{history}}{"role":"user","content":"{{marker}}"}]}""", Encoding.UTF8, "application/json");
    }

    private static async Task<JsonElement> IdleTrimAsync(HttpClient http)
    {
        using var health = JsonDocument.Parse(await http.GetStringAsync("/healthz?verbose=true"));
        return health.RootElement.GetProperty("runtime").GetProperty("idle_trim").Clone();
    }

    private static async Task<GatewayProcess> StartAsync(FakeUpstream upstream, int port, IDictionary<string, string>? env = null)
    {
        var dir = Directory.CreateTempSubdirectory("sb-idle-trim-");
        var config = Path.Combine(dir.FullName, "config.yaml");
        await File.WriteAllTextAsync(config, ConfigFor(upstream));
        var gateway = GatewayProcess.Start(["up", "--config", config, "--port", port.ToString()], env);
        await gateway.WaitForOutputAsync("listening on");
        return gateway;
    }

    [Fact]
    public async Task The_trim_waits_for_the_request_in_flight_then_gives_memory_back_once_the_gateway_is_quiet()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        upstream.Handler = async (c, recorded) =>
        {
            if (recorded.Body.Contains("\"hold\"", StringComparison.Ordinal))
            {
                held.SetResult();
                await release.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync(Canned.OpenAIChat());
        };
        var port = GatewayProcess.FreePort();
        await using var gateway = await StartAsync(upstream, port);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        Assert.True((await IdleTrimAsync(http)).GetProperty("enabled").GetBoolean());

        // Work that grows the process (code compiled, gen0 pages, pooled body buffers), then one request that the
        // upstream holds: the gateway is otherwise quiet, so only the request in flight keeps the trim from running.
        for (var i = 0; i < 20; i++)
            (await http.PostAsync("/v1/chat/completions", LargeRequest("warm"))).EnsureSuccessStatusCode();
        var heldRequest = http.PostAsync("/v1/chat/completions", LargeRequest("hold"));
        await held.Task.WaitAsync(Poll.Patience);
        var trimsBefore = (await IdleTrimAsync(http)).GetProperty("trims").GetInt64(); // one may have run before the work
        for (var second = 0; second < 6; second++) // twice the three quiet seconds a trim waits for
        {
            await Task.Delay(1000);
            Assert.Equal(trimsBefore, (await IdleTrimAsync(http)).GetProperty("trims").GetInt64());
        }

        var released = DateTimeOffset.UtcNow;
        release.SetResult();
        (await heldRequest).EnsureSuccessStatusCode();
        JsonElement trim = default;
        Assert.True(await Poll.UntilAsync(async () => (trim = await IdleTrimAsync(http)).GetProperty("trims").GetInt64() > trimsBefore, everyMs: 500),
            "no idle trim within 30 s of the last request");
        Assert.Equal(0, trim.GetProperty("failures").GetInt64());
        var last = trim.GetProperty("last");
        Assert.True(last.GetProperty("at").GetDateTimeOffset() > released);
        Assert.True(last.GetProperty("working_set_after_bytes").GetInt64() < last.GetProperty("working_set_before_bytes").GetInt64(),
            $"the trim gave nothing back: {last}");
    }

    [Fact]
    public async Task SWITCHBOARD_IDLE_TRIM_0_turns_it_off()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var port = GatewayProcess.FreePort();
        await using var gateway = await StartAsync(upstream, port, new Dictionary<string, string> { ["SWITCHBOARD_IDLE_TRIM"] = "0" });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var trim = await IdleTrimAsync(http);
        Assert.False(trim.GetProperty("enabled").GetBoolean());
        Assert.False(trim.TryGetProperty("trims", out _));
    }

    [Fact]
    public async Task The_runtime_takes_the_gen0_budget_from_the_gateways_runtimeconfig()
    {
        // System.GC.Gen0Size or GCgen0size there would be ignored without a word (docs/benchmarks.md, round 10).
        await using var upstream = await FakeUpstream.StartAsync();
        var port = GatewayProcess.FreePort();
        await using var gateway = await StartAsync(upstream, port);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var health = JsonDocument.Parse(await http.GetStringAsync("/healthz?verbose=true"));
        Assert.Equal(6 * 1024 * 1024, health.RootElement.GetProperty("runtime").GetProperty("gc_gen0_max_budget_bytes").GetInt64());
    }
}
