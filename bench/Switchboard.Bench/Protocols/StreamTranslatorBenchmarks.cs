using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Switchboard.Protocols;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.OpenAIChat;

namespace Switchboard.Bench.Protocols;

/// <summary>
/// Cost of translating one streamed chunk in the steady state (block already open), the path every token takes.
/// Target: under 2 µs and about one small allocation per chunk at most.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class StreamTranslatorBenchmarks
{
    private static readonly byte[] OpenAITextChunk = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_f7a584cf1f","choices":[{"index":0,"delta":{"content":" the quick brown"},"logprobs":null,"finish_reason":null}],"usage":null}""");

    private static readonly byte[] OpenAIToolStart = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function","function":{"name":"Bash","arguments":"{\"command\":\""}}]},"logprobs":null,"finish_reason":null}]}""");

    private static readonly byte[] OpenAIToolFragment = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4.1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ls -la \\\"src\\\" && "}}]},"logprobs":null,"finish_reason":null}]}""");

    private static readonly byte[] AnthropicStart = Encoding.UTF8.GetBytes(
        """{"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}""");

    private static readonly byte[] AnthropicTextDelta = Encoding.UTF8.GetBytes(
        """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" the quick brown"}}""");

    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private OpenAIToAnthropicStream _openAIText = null!;
    private OpenAIToAnthropicStream _openAITool = null!;
    private AnthropicToOpenAIStream _anthropicText = null!;

    [GlobalSetup]
    public void Setup()
    {
        _openAIText = new OpenAIToAnthropicStream("claude-sonnet-4-5", "msg_bench");
        _openAIText.OnEvent("message", OpenAITextChunk, _output);

        _openAITool = new OpenAIToAnthropicStream("claude-sonnet-4-5", "msg_bench");
        _openAITool.OnEvent("message", OpenAIToolStart, _output);

        _anthropicText = new AnthropicToOpenAIStream("gpt-4.1", includeUsage: true, "chatcmpl-bench", 1741569952);
        _anthropicText.OnEvent("message_start", AnthropicStart, _output);
        _anthropicText.OnEvent("content_block_delta", AnthropicTextDelta, _output);
        _output.ResetWrittenCount();
    }

    private const int PumpChunks = 100;

    /// <summary>100 OpenAI text chunks as one upstream body, as SSE.</summary>
    private static readonly byte[] OpenAIStreamBody = BuildOpenAIStream();

    private static byte[] BuildOpenAIStream()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < PumpChunks - 1; i++) sb.Append("data: ").Append(Encoding.UTF8.GetString(OpenAITextChunk)).Append("\n\n");
        sb.Append("data: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static readonly Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> DiscardFlush = (_, _) => ValueTask.CompletedTask;

    /// <summary>
    /// The whole per-event path the server runs: BCL SseParser over a stream, translator, flush. Reported per event;
    /// includes the parser, a fresh translator and pump buffers amortised over 100 events.
    /// </summary>
    [Benchmark(Description = "Pump: SseParser + OpenAI→Anthropic, per event", OperationsPerInvoke = PumpChunks)]
    public async Task<int> Pump_OpenAIToAnthropic() =>
        (await SseEventPump.PumpAsync(new MemoryStream(OpenAIStreamBody, writable: false), new OpenAIToAnthropicStream("claude-sonnet-4-5", "msg_bench"),
            DiscardFlush, CancellationToken.None)).EventCount;

    [Benchmark(Description = "OpenAI→Anthropic text delta")]
    public int OpenAIToAnthropic_TextDelta()
    {
        _output.ResetWrittenCount();
        _openAIText.OnEvent("message", OpenAITextChunk, _output);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "OpenAI→Anthropic tool-argument fragment")]
    public int OpenAIToAnthropic_ToolArgumentFragment()
    {
        _output.ResetWrittenCount();
        _openAITool.OnEvent("message", OpenAIToolFragment, _output);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "Anthropic→OpenAI text delta")]
    public int AnthropicToOpenAI_TextDelta()
    {
        _output.ResetWrittenCount();
        _anthropicText.OnEvent("content_block_delta", AnthropicTextDelta, _output);
        return _output.WrittenCount;
    }
}
