using System.IO.Pipelines;
using System.Text;
using BenchmarkDotNet.Attributes;
using Switchboard.Protocols;
using Switchboard.Pipeline.Relays;

namespace Switchboard.Bench.Protocols;

/// <summary>
/// What a relayed stream adds per event besides translation: writing it through <see cref="ClientEventStream"/> (the
/// keep-alive guard) instead of straight to the response pipe, and the passthrough check for the protocol's final
/// event (<see cref="StreamEnd.IsFinalEvent"/>). Both should cost nanoseconds and allocate nothing.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class StreamRelayBenchmarks
{
    private static readonly byte[] OpenAIEvent = Encoding.UTF8.GetBytes(
        "data: {\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"gpt-4.1-2025-04-14\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_f7a584cf1f\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" the quick brown\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");

    private static readonly byte[] OpenAIData = OpenAIEvent.AsSpan(6, OpenAIEvent.Length - 8).ToArray();

    private static readonly byte[] AnthropicData = Encoding.UTF8.GetBytes(
        """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" the quick brown"}}""");

    private Pipe _pipe = null!;
    private ClientEventStream _client = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        // A keep-alive interval far longer than the run: the timer exists, as in a real stream, but never fires.
        _client = new ClientEventStream(_pipe.Writer, ApiFormat.OpenAI, TimeSpan.FromHours(1), CancellationToken.None);
    }

    [GlobalCleanup]
    public void Cleanup() => _client.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void Drain()
    {
        _pipe.Reader.TryRead(out ReadResult read);
        _pipe.Reader.AdvanceTo(read.Buffer.End);
    }

    [Benchmark(Baseline = true, Description = "event → response pipe (no keep-alive guard)")]
    public void WriteDirect()
    {
        _pipe.Writer.WriteAsync(OpenAIEvent).GetAwaiter().GetResult();
        Drain();
    }

    [Benchmark(Description = "event → ClientEventStream → response pipe")]
    public void WriteThroughKeepAliveGuard()
    {
        _client.WriteAsync(OpenAIEvent, CancellationToken.None).GetAwaiter().GetResult();
        Drain();
    }

    [Benchmark(Description = "passthrough final-event check, OpenAI chunk")]
    public bool FinalEventCheck_OpenAI() => StreamEnd.IsFinalEvent(ApiFormat.OpenAI, OpenAIData);

    [Benchmark(Description = "passthrough final-event check, Anthropic delta")]
    public bool FinalEventCheck_Anthropic() => StreamEnd.IsFinalEvent(ApiFormat.Anthropic, AnthropicData);
}
