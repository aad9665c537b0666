using Microsoft.AspNetCore.Http;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>
/// Runs alone: activity listeners are process-wide, and another test's listener that records every span would make
/// spans this gateway's sampler drops recorded (and exported) anyway.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
[Trait("Kind", "Functional")]
public sealed class ProcessWideListenersCollection
{
    public const string Name = "process-wide activity listeners";
}

[Collection(ProcessWideListenersCollection.Name)]
[Trait("Kind", "Functional")]
public sealed class TelemetryExportTests
{
    /// <summary>A gateway exporting to <paramref name="collector"/> every 200 ms, with <paramref name="extra"/> config.</summary>
    private static string Config(FakeUpstream upstream, FakeUpstream collector, string extra = "") => $"""
        model_providers:
          - model: openai/gpt-4.1
            access_key: k
            base_url: {upstream.BaseUrl}v1
        telemetry:
          otlp_endpoint: {collector.BaseUrl}
          service_name: switchboard-test
          export_interval_ms: 200
        {extra}
        """;

    /// <summary>An OTLP/HTTP receiver: every export gets an empty 200.</summary>
    private static async Task<FakeUpstream> CollectorAsync()
    {
        var collector = await FakeUpstream.StartAsync();
        collector.Handler = (c, _) =>
        {
            c.Response.StatusCode = 200;
            c.Response.ContentType = "application/x-protobuf";
            return Task.CompletedTask;
        };
        return collector;
    }

    private static HttpRequestMessage Chat() => JsonPost("/v1/chat/completions", """{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}""");

    private static HashSet<string> Paths(FakeUpstream collector) => collector.Requests.Select(r => r.Path).ToHashSet();

    /// <summary>
    /// Waits up to 30 s for the exports while the gateway runs: the flush at disposal waits at most the SDK's 5 s,
    /// which a loaded CI machine outlasted. Returns either way; the test's asserts say what was missing.
    /// </summary>
    private static async Task ExportsWhileRunning(FakeUpstream collector, bool traces)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(Paths(collector).Contains("/v1/metrics") && (!traces || Paths(collector).Contains("/v1/traces"))) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
    }

    [Fact]
    public async Task Metrics_and_traces_reach_an_otlp_receiver()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Canned.OpenAIChat());
        await using var collector = await CollectorAsync();

        await using (var gateway = await TestGateway.StartAsync(Config(upstream, collector)))
        {
            using (await gateway.Http.SendAsync(Chat())) { }
            await ExportsWhileRunning(collector, traces: true);
        }

        Assert.True(Paths(collector).Contains("/v1/metrics"), $"no metrics export; got {string.Join(", ", Paths(collector))}");
        Assert.True(Paths(collector).Contains("/v1/traces"), $"no trace export; got {string.Join(", ", Paths(collector))}");
        var export = collector.Requests.First(r => r.Path == "/v1/traces");
        Assert.Equal("application/x-protobuf", export.Header("content-type"));
    }

    /// <summary>archgw's tracing.random_sampling sets the share of requests traced when OTLP export is on.</summary>
    [Theory]
    [InlineData(0, false)]
    [InlineData(100, true)]
    public async Task Archgw_random_sampling_sets_whether_request_spans_are_exported(int percent, bool traced)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Canned.OpenAIChat());
        await using var collector = await CollectorAsync();

        await using (var gateway = await TestGateway.StartAsync(Config(upstream, collector, $"tracing:\n  random_sampling: {percent}")))
        {
            for (var i = 0; i < 5; i++)
                using (await gateway.Http.SendAsync(Chat())) { }
            // Wait for a metrics export while the gateway runs (on a loaded machine the flush at disposal can outlast
            // the SDK's 5 s shutdown wait), then two more intervals so sampled spans would have been exported too.
            await ExportsWhileRunning(collector, traces: traced);
            await Task.Delay(400);
        } // disposing the gateway flushes what is still pending

        Assert.True(Paths(collector).Contains("/v1/metrics"), $"no metrics export; got {string.Join(", ", Paths(collector))}");
        Assert.Equal(traced, Paths(collector).Contains("/v1/traces"));
    }
}
