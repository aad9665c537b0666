using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Switchboard.Tests.Functional.Gateway;

[Trait("Kind", "Functional")]
public sealed class MetricsTests
{
    [Fact]
    public async Task Requests_tokens_and_durations_are_published_on_the_switchboard_meter()
    {
        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == "Switchboard") l.EnableMeasurementEvents(instrument); };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            measurements.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Canned.OpenAIChat(model: "metrics-model", prompt: 21, completion: 4));
        await using var gateway = await TestGateway.StartAsync($"model_providers:\n  - model: openai/metrics-model\n    access_key: k\n    base_url: {upstream.BaseUrl}v1\n");
        using (await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", """{"model":"metrics-model","messages":[{"role":"user","content":"hi"}]}"""))) { }
        await gateway.Logs.WaitForLineAsync("requested=metrics-model");

        var mine = measurements.Where(m => Equals(m.Tags.GetValueOrDefault("model"), "openai/metrics-model")).ToList();
        Assert.Contains(mine, m => m.Instrument == "switchboard.requests" && m.Value == 1 && Equals(m.Tags["status"], "200"));
        Assert.Contains(mine, m => m.Instrument == "switchboard.request.duration" && m.Value > 0);
        Assert.Contains(mine, m => m.Instrument == "switchboard.tokens" && Equals(m.Tags["kind"], "input") && m.Value == 21);
        Assert.Contains(mine, m => m.Instrument == "switchboard.tokens" && Equals(m.Tags["kind"], "output") && m.Value == 4);
    }
}
