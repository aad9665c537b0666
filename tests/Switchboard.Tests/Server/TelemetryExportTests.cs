using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Switchboard.Tests.Infrastructure;
using static Switchboard.Tests.Server.PassthroughTests;

namespace Switchboard.Tests.Server;

public sealed class TelemetryExportTests
{
    [Fact]
    public async Task Metrics_and_traces_reach_an_otlp_receiver()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Canned.OpenAIChat());
        await using var collector = await FakeUpstream.StartAsync();
        var received = new ConcurrentDictionary<string, int>();
        collector.Handler = (c, r) =>
        {
            received.AddOrUpdate(r.Path, 1, (_, n) => n + 1);
            c.Response.StatusCode = 200;
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
              service_name: switchboard-test
              export_interval_ms: 200
            """))
        {
            using (await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", """{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}"""))) { }
            for (var i = 0; i < 100 && !(received.ContainsKey("/v1/metrics") && received.ContainsKey("/v1/traces")); i++) await Task.Delay(100);
        }

        Assert.True(received.ContainsKey("/v1/metrics"), $"no metrics export; got {string.Join(", ", received.Keys)}");
        Assert.True(received.ContainsKey("/v1/traces"), $"no trace export; got {string.Join(", ", received.Keys)}");
        var export = collector.Requests.First(r => r.Path == "/v1/traces");
        Assert.Equal("application/x-protobuf", export.Header("content-type"));
    }
}
