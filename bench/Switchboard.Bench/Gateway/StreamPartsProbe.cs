using System.Text;
using Switchboard.Protocols;
using Switchboard.Pipeline.Relays;

namespace Switchboard.Bench.Gateway;

/// <summary>
/// `probe-parts N --streams`: a 20-chunk stream as the fake upstream sends it (one upstream read per chunk, the first
/// with the stream's opening events, the last with its closing ones), through what the gateway runs between each
/// upstream read and the client write, in process, no sockets: the passthrough relay's framing and checks, and the
/// translating pump (BCL <c>SseParser</c>, translator, one flush per read). Fastest and median of N streams, bytes
/// per stream; per chunk is ÷ 20.
/// </summary>
internal static class StreamPartsProbe
{
    public static int Run(int n)
    {
        var openAI = OpenAIReads();
        var anthropic = AnthropicReads();
        Console.Error.WriteLine($"{"part (per 20-chunk stream)",-58} {"µs (min)",9} {"µs (p50)",9} {"bytes",10}");
        PartsProbe.Measure("passthrough relay checks, OpenAI events", n, () => Passthrough(openAI, ApiFormat.OpenAI));
        PartsProbe.Measure("passthrough relay checks, Anthropic events", n, () => Passthrough(anthropic, ApiFormat.Anthropic));
        PartsProbe.Measure("pump: OpenAI upstream → Anthropic client", n, () => Pump(openAI, ProtocolTranslation.CreateStreamTranslator(ApiFormat.Anthropic, ApiFormat.OpenAI, "claude-bench", estimatedInputTokens: 42)));
        PartsProbe.Measure("pump: Anthropic upstream → Responses client", n, () => Pump(anthropic, ProtocolTranslation.CreateStreamTranslator(ApiFormat.Responses, ApiFormat.Anthropic, "claude-bench")));
        PartsProbe.Measure("pump: Anthropic upstream → OpenAI client", n, () => Pump(anthropic, ProtocolTranslation.CreateStreamTranslator(ApiFormat.OpenAI, ApiFormat.Anthropic, "claude-bench")));
        return 0;
    }

    private static readonly Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> Discard = (_, _) => ValueTask.CompletedTask;

    private static void Pump(byte[][] reads, IStreamTranslator translator)
    {
        var result = SseEventPump.PumpAsync(new ReadsStream(reads), translator, Discard, CancellationToken.None);
        if (!result.IsCompleted || !result.Result.Completed) throw new InvalidOperationException("the pump did not complete synchronously");
    }

    /// <summary>What <c>PassthroughRelay.RelayStreamAsync</c> runs on each read: whole events, their data checked as JSON, usage and the final event.</summary>
    private static void Passthrough(byte[][] reads, ApiFormat api)
    {
        long sum = 0;
        foreach (var read in reads)
        {
            var complete = SseFraming.CompleteEventsLength(read);
            sum += PassthroughRelay.ValidEventsLength(read.AsSpan(0, complete));
            var usage = new TokenUsage();
            SseFraming.ForEachDataLine(read.AsSpan(0, complete), ref usage, static (payload, ref u) => UsageReader.Accumulate(payload, ref u));
            sum += StreamEnd.IsFinalEvent(api, read) ? 1 : 0;
        }
        GC.KeepAlive(sum);
    }

    private static byte[][] OpenAIReads()
    {
        const string chunk = "data: {{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-bench\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"~tk{0} \"}},\"finish_reason\":null}}]}}\n\n";
        var reads = new List<byte[]>();
        for (var i = 0; i < 20; i++) reads.Add(Encoding.UTF8.GetBytes(string.Format(chunk, 123456789012 + i)));
        reads.Add(Encoding.UTF8.GetBytes(
            "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-bench\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-bench\",\"choices\":[],\"usage\":{\"prompt_tokens\":42,\"completion_tokens\":21,\"total_tokens\":63}}\n\n"
            + "data: [DONE]\n\n"));
        return reads.ToArray();
    }

    private static byte[][] AnthropicReads()
    {
        const string start = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_bench\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-bench\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":42,\"output_tokens\":1}}}\n\n"
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
        const string chunk = "event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\"~tk{0} \"}}}}\n\n";
        var reads = new List<byte[]>();
        for (var i = 0; i < 20; i++) reads.Add(Encoding.UTF8.GetBytes((i == 0 ? start : "") + string.Format(chunk, 123456789012 + i)));
        reads.Add(Encoding.UTF8.GetBytes(
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
            + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":21}}\n\n"
            + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
        return reads.ToArray();
    }

    /// <summary>An upstream body that hands out one of its reads per call, at once.</summary>
    private sealed class ReadsStream(byte[][] reads) : ReadOnlyStream
    {
        private int _next, _offset;

        public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default) => new(Read(destination.Span));

        public override int Read(Span<byte> destination)
        {
            if (_next == reads.Length) return 0;
            var read = reads[_next].AsSpan(_offset);
            var length = Math.Min(read.Length, destination.Length);
            read[..length].CopyTo(destination);
            _offset += length;
            if (_offset == reads[_next].Length) { _next++; _offset = 0; }
            return length;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    }
}
