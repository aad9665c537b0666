using System.Buffers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Switchboard.Protocols;

namespace Switchboard.Bench.Protocols;

/// <summary>
/// The OpenAI Responses upstream: one streamed text delta translated for a Chat client (straight to a chunk) and for an
/// Anthropic client (to a chunk, then through the Chat→Anthropic translator: the pivot), beside the existing
/// OpenAI→Anthropic delta; and a request translated from each client's form. Deltas should allocate nothing.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class ResponsesUpstreamBenchmarks
{
    private static readonly byte[] Created = Encoding.UTF8.GetBytes(
        """{"type":"response.created","sequence_number":0,"response":{"id":"resp_68af3c1e1c2c8190a1b2c3d4e5f6a7b8","object":"response","created_at":1756310558,"status":"in_progress","model":"gpt-5.3-codex","output":[]}}""");

    private static readonly byte[] ItemAdded = Encoding.UTF8.GetBytes(
        """{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_68af3c1f","type":"message","status":"in_progress","content":[],"role":"assistant"}}""");

    private static readonly byte[] TextDelta = Encoding.UTF8.GetBytes(
        """{"type":"response.output_text.delta","sequence_number":7,"item_id":"msg_68af3c1f5c4c8190b1b2c3d4e5f6a7b8","output_index":0,"content_index":0,"delta":" the quick brown","logprobs":[],"obfuscation":"kX2a"}""");

    private static readonly byte[] ChatRequest = Encoding.UTF8.GetBytes(
        """{"model":"gpt-5.3-codex","reasoning_effort":"medium","messages":[{"role":"system","content":"You are a coding agent."},{"role":"user","content":"List the files."},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"Bash","arguments":"{\"command\":\"ls\"}"}}]},{"role":"tool","tool_call_id":"call_1","content":"a.txt\nb.txt"}],"tools":[{"type":"function","function":{"name":"Bash","description":"Run a command","parameters":{"type":"object","properties":{"command":{"type":"string"}},"required":["command"]}}}],"stream":true}""");

    private static readonly byte[] AnthropicRequest = Encoding.UTF8.GetBytes(
        """{"model":"claude-sonnet-4-5","max_tokens":32000,"system":"You are a coding agent.","thinking":{"type":"enabled","budget_tokens":8000},"messages":[{"role":"user","content":"List the files."},{"role":"assistant","content":[{"type":"thinking","thinking":"run ls","signature":"openai-responses:rs_1:gAAAAABenc"},{"type":"tool_use","id":"call_1","name":"Bash","input":{"command":"ls"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"a.txt\nb.txt"}]}],"tools":[{"name":"Bash","description":"Run a command","input_schema":{"type":"object","properties":{"command":{"type":"string"}},"required":["command"]}}],"stream":true}""");

    private static readonly TranslationTarget Target = new() { ModelId = "gpt-5.3-codex", Provider = "openai", Api = ApiFormat.Responses, MaxOutputTokens = 128000 };

    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private IStreamTranslator _toChat = null!;
    private IStreamTranslator _toAnthropic = null!;
    private JsonDocument _chat = null!;
    private JsonDocument _anthropic = null!;

    [GlobalSetup]
    public void Setup()
    {
        _toChat = ProtocolTranslation.CreateStreamTranslator(ApiFormat.OpenAI, ApiFormat.Responses, "gpt-5.3-codex", clientWantsUsage: true);
        _toAnthropic = ProtocolTranslation.CreateStreamTranslator(ApiFormat.Anthropic, ApiFormat.Responses, "claude-sonnet-4-5", estimatedInputTokens: 100);
        foreach (IStreamTranslator t in new[] { _toChat, _toAnthropic })
        {
            t.OnEvent(null, Created, _output);
            t.OnEvent(null, ItemAdded, _output);
            t.OnEvent(null, TextDelta, _output);
        }
        _output.ResetWrittenCount();
        _chat = JsonDocument.Parse(ChatRequest);
        _anthropic = JsonDocument.Parse(AnthropicRequest);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _chat.Dispose();
        _anthropic.Dispose();
    }

    [Benchmark(Description = "Responses→Chat text delta")]
    public int ResponsesToChat_TextDelta()
    {
        _output.ResetWrittenCount();
        _toChat.OnEvent(null, TextDelta, _output);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "Responses→Anthropic text delta (through Chat)")]
    public int ResponsesToAnthropic_TextDelta()
    {
        _output.ResetWrittenCount();
        _toAnthropic.OnEvent(null, TextDelta, _output);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "Chat request → Responses request")]
    public int ChatRequest_ToResponses() => ProtocolTranslation.TranslateRequest(ApiFormat.OpenAI, _chat.RootElement, Target).Body.Length;

    [Benchmark(Description = "Anthropic request → Responses request (through Chat)")]
    public int AnthropicRequest_ToResponses() => ProtocolTranslation.TranslateRequest(ApiFormat.Anthropic, _anthropic.RootElement, Target).Body.Length;
}
