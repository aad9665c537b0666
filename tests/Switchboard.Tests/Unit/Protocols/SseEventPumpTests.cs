using System.Text;
using Switchboard.Protocols;
using Switchboard.Protocols.OpenAIChat;

namespace Switchboard.Tests.Unit.Protocols;

[Trait("Kind", "Unit")]
public sealed class SseEventPumpTests
{
    /// <summary>An OpenAI stream with comments, multi-byte characters (2, 3 and 4 bytes) and a tool call.</summary>
    private static readonly string[] Frames =
    [
        ": keep-alive comment",
        """data: {"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":"é ☕ 🚀 ñ"},"finish_reason":null}]}""",
        ": OPENROUTER PROCESSING",
        """data: {"id":"c","choices":[{"index":0,"delta":{"content":"日本語のテキスト"},"finish_reason":null}]}""",
        """data: {"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"f","arguments":"{\"k\":\"€\"}"}}]},"finish_reason":"tool_calls"}]}""",
        """data: {"id":"c","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":4}}""",
        "data: [DONE]",
    ];

    private static byte[] Upstream(string newline) => Encoding.UTF8.GetBytes(string.Join(newline + newline, Frames) + newline + newline);

    private static async Task<(string Output, int Flushes, SsePumpResult Result)> PumpAsync(Stream upstream)
    {
        var translator = new OpenAIToAnthropicStream("claude", messageId: "msg_pump");
        var output = new MemoryStream();
        int flushes = 0;
        SsePumpResult result = await SseEventPump.PumpAsync(upstream, translator, (bytes, _) =>
        {
            flushes++;
            output.Write(bytes.Span);
            return ValueTask.CompletedTask;
        }, CancellationToken.None);
        return (Encoding.UTF8.GetString(output.ToArray()), flushes, result);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public async Task One_byte_per_read_gives_the_same_output_as_one_buffer(string newline)
    {
        (string whole, _, SsePumpResult wholeResult) = await PumpAsync(new MemoryStream(Upstream("\n")));
        (string trickled, int flushes, SsePumpResult result) = await PumpAsync(new OneBytePerReadStream(Upstream(newline)));

        Assert.Equal(SsePumpOutcome.Completed, wholeResult.Outcome);
        Assert.Equal(SsePumpOutcome.Completed, result.Outcome);
        Assert.Equal(5, result.EventCount); // comments are not events
        Assert.Equal(whole, trickled);
        Assert.True(flushes >= 4, $"expected a flush per event that produced output, got {flushes}");
        AnthropicStreamValidator.Validate(SseText.Parse(trickled));
        Assert.Contains("日本語のテキスト", trickled);
        Assert.Contains("é ☕ 🚀 ñ", trickled);
    }

    [Fact]
    public async Task Upstream_exception_mid_stream_reports_failure_and_sends_an_error_event()
    {
        byte[] bytes = Upstream("\n");
        var upstream = new OneBytePerReadStream(bytes[..(bytes.Length / 2)], failAtEnd: true);
        (string output, _, SsePumpResult result) = await PumpAsync(upstream);
        Assert.Equal(SsePumpOutcome.UpstreamFailed, result.Outcome);
        Assert.IsType<IOException>(result.Error);
        List<SseEvent> events = SseText.Parse(output);
        AnthropicStreamValidator.Validate(events);
        Assert.Equal("error", events[^1].Type);
    }

    [Fact]
    public async Task Client_write_failure_is_reported_as_client_failed()
    {
        SsePumpResult result = await SseEventPump.PumpAsync(new MemoryStream(Upstream("\n")), new OpenAIToAnthropicStream("claude"),
            (_, _) => throw new IOException("client went away"), CancellationToken.None);
        Assert.Equal(SsePumpOutcome.ClientFailed, result.Outcome);
        Assert.Equal("client went away", result.Error?.Message);
    }

    [Fact]
    public async Task Cancellation_stops_without_writing_more()
    {
        using var cts = new CancellationTokenSource();
        int flushes = 0;
        SsePumpResult result = await SseEventPump.PumpAsync(new MemoryStream(Upstream("\n")), new OpenAIToAnthropicStream("claude"),
            (_, _) => { if (++flushes == 1) cts.Cancel(); return ValueTask.CompletedTask; }, cts.Token);
        Assert.Equal(SsePumpOutcome.Cancelled, result.Outcome);
        Assert.Equal(1, flushes);
    }

    [Fact]
    public async Task Every_event_of_one_upstream_read_leaves_in_one_write_even_past_the_parsers_buffer()
    {
        // Four ~500-byte events in one read (past the parser's 1 KB line buffer), then the rest in a second read.
        string text = new('x', 450);
        string first = string.Concat(Enumerable.Range(0, 4).Select(i =>
            $$"""data: {"id":"c","choices":[{"index":0,"delta":{"content":"{{i}}{{text}}"},"finish_reason":null}]}""" + "\n\n"));
        string second = """data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""" + "\n\n" + "data: [DONE]\n\n";
        var upstream = new ReadPerSegmentStream(Encoding.UTF8.GetBytes(first), Encoding.UTF8.GetBytes(second));

        (string output, int flushes, SsePumpResult result) = await PumpAsync(upstream);

        Assert.Equal(SsePumpOutcome.Completed, result.Outcome);
        Assert.Equal(2, flushes); // one write per upstream read
        Assert.Equal(3, upstream.Reads); // the two with data, and the one that found the end
        AnthropicStreamValidator.Validate(SseText.Parse(output));
        Assert.Contains("3" + text, output);
    }

    /// <summary>Hands out one segment per read, each after a yield (the upstream's next packet).</summary>
    private sealed class ReadPerSegmentStream(params byte[][] segments) : Switchboard.Pipeline.Relays.ReadOnlyStream
    {
        private int _segment, _offset;
        public int Reads;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            Reads++;
            if (_segment == segments.Length) return 0;
            byte[] current = segments[_segment];
            int length = Math.Min(buffer.Length, current.Length - _offset);
            current.AsSpan(_offset, length).CopyTo(buffer);
            _offset += length;
            if (_offset == current.Length) { _segment++; _offset = 0; }
            return length;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return Read(buffer.Span);
        }
    }

    /// <summary>Returns one byte per read, the worst split a network can produce; optionally fails instead of ending.</summary>
    private sealed class OneBytePerReadStream(byte[] data, bool failAtEnd = false) : Switchboard.Pipeline.Relays.ReadOnlyStream
    {
        private int _position;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position == data.Length) return failAtEnd ? throw new IOException("Connection reset by peer") : 0;
            if (buffer.IsEmpty) return 0;
            buffer[0] = data[_position++];
            return 1;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return Read(buffer.Span);
        }

    }
}
