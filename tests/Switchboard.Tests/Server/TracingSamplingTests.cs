using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Switchboard.Tests.Infrastructure;
using static Switchboard.Tests.Server.PassthroughTests;

namespace Switchboard.Tests.Server;

/// <summary>
/// Runs alone: activity listeners are process-wide, and another test's listener that records every span would make
/// unsampled spans recorded here too.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideListenersCollection
{
    public const string Name = "process-wide activity listeners";
}

/// <summary>archgw's tracing.random_sampling sets the share of requests traced when OTLP export is on.</summary>
[Collection(ProcessWideListenersCollection.Name)]
public sealed class TracingSamplingTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(100, true)]
    public async Task Random_sampling_sets_whether_request_spans_are_exported(int percent, bool traced)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Canned.OpenAIChat());
        await using var collector = await FakeUpstream.StartAsync();
        var received = new ConcurrentDictionary<string, int>();
        collector.Handler = (c, r) =>
        {
            received.AddOrUpdate(r.Path, 1, (_, n) => n + 1);
            c.Response.ContentType = "application/x-protobuf";
            return Task.CompletedTask;
        };

        await using (var gateway = await TestGateway.StartAsync($"""
            model_providers:
              - model: openai/gpt-4.1
                access_key: k
                base_url: {upstream.BaseUrl}v1
            telemetry:
              otlp_endpoint: {collector.BaseUrl}
              export_interval_ms: 200
            tracing:
              random_sampling: {percent}
            """))
        {
            for (var i = 0; i < 5; i++)
                using (await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", """{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}"""))) { }
        } // disposing the gateway flushes every pending export

        Assert.True(received.ContainsKey("/v1/metrics"), $"no metrics export; got {string.Join(", ", received.Keys)}");
        Assert.Equal(traced, received.ContainsKey("/v1/traces"));
    }
}
