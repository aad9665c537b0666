using System.Buffers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Switchboard.Protocols;
using Switchboard.Protocols.Responses;

namespace Switchboard.Bench.Protocols;

/// <summary>
/// The Responses front door's cost: a Codex request (captured from Codex 0.171.0) translated to Chat, and to Anthropic
/// in one step and through the Chat form, against Chat → Anthropic alone; and one streamed text chunk turned into
/// Responses events, from a Chat upstream, from an Anthropic upstream in one step and through the chained pair, against
/// Anthropic → Chat alone.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class ResponsesTranslationBenchmarks
{
    private static readonly byte[] ChatTextChunk = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4.1-2025-04-14","choices":[{"index":0,"delta":{"content":" the quick brown"},"logprobs":null,"finish_reason":null}],"usage":null}""");

    private static readonly byte[] AnthropicStart = Encoding.UTF8.GetBytes(
        """{"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}""");

    private static readonly byte[] AnthropicTextDelta = Encoding.UTF8.GetBytes(
        """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" the quick brown"}}""");

    private static readonly TranslationTarget Chat = new() { ModelId = "deepseek-chat", Provider = "deepseek", Api = ApiFormat.OpenAI };
    private static readonly TranslationTarget Anthropic = new() { ModelId = "claude-sonnet-4-5", Provider = "anthropic", Api = ApiFormat.Anthropic };

    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private JsonDocument _codexRequest = null!;
    private JsonDocument _chatRequest = null!;
    private IStreamTranslator _fromChat = null!;
    private IStreamTranslator _fromAnthropic = null!;
    private IStreamTranslator _fromAnthropicChained = null!;
    private IStreamTranslator _anthropicToChat = null!;

    [GlobalSetup]
    public void Setup()
    {
        _codexRequest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "codex-0.171.0-request.json")));
        _chatRequest = JsonDocument.Parse(ResponsesToChatRequest.Translate(_codexRequest.RootElement, out _, out _));
        _fromChat = ProtocolTranslation.CreateStreamTranslator(ApiFormat.Responses, ApiFormat.OpenAI, "fast");
        _fromAnthropic = ProtocolTranslation.CreateStreamTranslator(ApiFormat.Responses, ApiFormat.Anthropic, "fast");
        _fromAnthropicChained = ResponsesTranslation.CreateChainedStreamTranslator(ApiFormat.Anthropic, "fast", null, null);
        _anthropicToChat = ProtocolTranslation.CreateStreamTranslator(ApiFormat.OpenAI, ApiFormat.Anthropic, "fast");
        _fromChat.OnEvent(null, ChatTextChunk, _output);
        _fromAnthropic.OnEvent("message_start", AnthropicStart, _output);
        _fromAnthropic.OnEvent("content_block_delta", AnthropicTextDelta, _output);
        _fromAnthropicChained.OnEvent("message_start", AnthropicStart, _output);
        _fromAnthropicChained.OnEvent("content_block_delta", AnthropicTextDelta, _output);
        _anthropicToChat.OnEvent("message_start", AnthropicStart, _output);
        _anthropicToChat.OnEvent("content_block_delta", AnthropicTextDelta, _output);
    }

    [Benchmark(Description = "request: Codex Responses → Chat")]
    public byte[] RequestToChat() => ProtocolTranslation.TranslateRequest(ApiFormat.Responses, _codexRequest.RootElement, Chat).Body;

    [Benchmark(Description = "request: Codex Responses → Anthropic (one step)")]
    public byte[] RequestToAnthropic() => ProtocolTranslation.TranslateRequest(ApiFormat.Responses, _codexRequest.RootElement, Anthropic).Body;

    [Benchmark(Description = "request: Codex Responses → Chat → Anthropic (the pivot, before)")]
    public byte[] RequestToAnthropicThroughChat() => ResponsesTranslation.TranslateThroughChat(_codexRequest.RootElement, Anthropic).Body;

    [Benchmark(Baseline = true, Description = "request: the same conversation, Chat → Anthropic alone")]
    public byte[] ChatRequestToAnthropic() => ProtocolTranslation.TranslateRequest(ApiFormat.OpenAI, _chatRequest.RootElement, Anthropic).Body;

    [Benchmark(Description = "chunk: Chat text delta → Responses events")]
    public int ChunkFromChat()
    {
        _output.ResetWrittenCount();
        _fromChat.OnEvent(null, ChatTextChunk, _output);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "chunk: Anthropic text delta → Responses events (one step)")]
    public int ChunkFromAnthropic()
    {
        _output.ResetWrittenCount();
        _fromAnthropic.OnEvent("content_block_delta", AnthropicTextDelta, _output);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "chunk: Anthropic text delta → Chat → Responses events (the chain, before)")]
    public int ChunkFromAnthropicChained()
    {
        _output.ResetWrittenCount();
        _fromAnthropicChained.OnEvent("content_block_delta", AnthropicTextDelta, _output);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "chunk: Anthropic text delta → Chat alone")]
    public int ChunkAnthropicToChat()
    {
        _output.ResetWrittenCount();
        _anthropicToChat.OnEvent("content_block_delta", AnthropicTextDelta, _output);
        return _output.WrittenCount;
    }
}
