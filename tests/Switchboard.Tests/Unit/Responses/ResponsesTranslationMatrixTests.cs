using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.Protocols;

namespace Switchboard.Tests.Unit.Responses;

/// <summary>
/// Responses ⇄ Chat, Anthropic and Gemini without the gateway: requests translated through the Chat form to each
/// upstream, and each upstream's stream turned into Responses events, fed whole and one byte at a time (the two must
/// give the same events, ids aside).
/// </summary>
[Trait("Kind", "Unit")]
public sealed partial class ResponsesTranslationMatrixTests
{
    private const string Request = """
        {"model":"m","instructions":"Be brief.","stream":true,"store":false,"include":["reasoning.encrypted_content"],
         "reasoning":{"effort":"medium","summary":"auto"},"max_output_tokens":500,"parallel_tool_calls":false,"prompt_cache_key":"k",
         "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}},
                  {"type":"custom","name":"apply_patch","description":"Edit files.","format":{"type":"grammar","syntax":"lark","definition":"start: x"}},
                  {"type":"namespace","name":"agents","tools":[{"type":"function","name":"spawn","parameters":{"type":"object","properties":{}}}]},
                  {"type":"web_search"}],
         "input":[
          {"type":"message","role":"developer","content":[{"type":"input_text","text":"Use tools."}]},
          {"type":"message","role":"user","content":[{"type":"input_text","text":"Weather?"},{"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="}]},
          {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"gAAAA"},
          {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Oslo\"}"},
          {"type":"custom_tool_call","call_id":"call_2","name":"apply_patch","input":"*** Begin Patch\n*** End Patch"},
          {"type":"function_call_output","call_id":"call_1","output":"cold"},
          {"type":"custom_tool_call_output","call_id":"call_2","output":"Done"}]}
        """;

    private static TranslatedRequest Translate(ApiFormat upstream)
    {
        using var document = JsonDocument.Parse(Request);
        return ProtocolTranslation.TranslateRequest(ApiFormat.Responses, document.RootElement,
            new TranslationTarget { ModelId = "target-model", Provider = upstream == ApiFormat.Gemini ? "gemini" : "p", Api = upstream });
    }

    [Fact]
    public void Request_to_chat()
    {
        var translated = Translate(ApiFormat.OpenAI);
        var chat = JsonDocument.Parse(translated.Body).RootElement;
        Assert.Equal("target-model", chat.GetProperty("model").GetString());
        var messages = chat.GetProperty("messages");
        Assert.Equal(["system", "developer", "user", "assistant", "tool", "tool"], messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()!).ToArray());
        Assert.Equal("Be brief.", messages[0].GetProperty("content").GetString());
        Assert.Equal("image_url", messages[2].GetProperty("content")[1].GetProperty("type").GetString());
        var calls = messages[3].GetProperty("tool_calls");
        Assert.Equal("{\"city\":\"Oslo\"}", calls[0].GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal("apply_patch", calls[1].GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("*** Begin Patch\n*** End Patch", JsonDocument.Parse(calls[1].GetProperty("function").GetProperty("arguments").GetString()!).RootElement.GetProperty("input").GetString());
        Assert.Equal(["get_weather", "apply_patch", "agents__spawn"], chat.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString()!).ToArray());
        Assert.Contains("start: x", chat.GetProperty("tools")[1].GetProperty("function").GetProperty("description").GetString());
        Assert.Equal(500, chat.GetProperty("max_completion_tokens").GetInt32());
        Assert.Equal("medium", chat.GetProperty("reasoning_effort").GetString());
        Assert.False(chat.GetProperty("parallel_tool_calls").GetBoolean());
        Assert.True(chat.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.False(chat.TryGetProperty("prompt_cache_key", out _));
        Assert.Equal(["web_search"], translated.DroppedTools);
    }

    [Fact]
    public void Request_to_anthropic_and_gemini()
    {
        var anthropic = JsonDocument.Parse(Translate(ApiFormat.Anthropic).Body).RootElement;
        Assert.Equal("Be brief.", anthropic.GetProperty("system")[0].GetProperty("text").GetString());
        var assistant = anthropic.GetProperty("messages").EnumerateArray().First(m => m.GetProperty("role").GetString() == "assistant");
        var patchCall = assistant.GetProperty("content").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "tool_use" && b.GetProperty("name").GetString() == "apply_patch");
        Assert.Equal("*** Begin Patch\n*** End Patch", patchCall.GetProperty("input").GetProperty("input").GetString());

        var gemini = JsonDocument.Parse(Translate(ApiFormat.Gemini).Body).RootElement;
        var declarations = gemini.GetProperty("tools")[0].GetProperty("functionDeclarations");
        Assert.Equal(["get_weather", "apply_patch", "agents__spawn"], declarations.EnumerateArray().Select(d => d.GetProperty("name").GetString()!).ToArray());
        Assert.Contains(gemini.GetProperty("contents").EnumerateArray(), c => c.GetRawText().Contains("functionResponse"));
    }

    public static TheoryData<string> Upstreams() => new() { "openai", "anthropic", "gemini" };

    [Theory]
    [MemberData(nameof(Upstreams))]
    public async Task Stream_with_text_and_a_custom_call_whole_and_byte_by_byte(string upstream)
    {
        var (api, sse) = upstream switch
        {
            "openai" => (ApiFormat.OpenAI, string.Concat(OpenAIChunks.Role(), OpenAIChunks.Text("Pat"), OpenAIChunks.Text("ching \u00e9\u2713"),
                OpenAIChunks.ToolStart(0, "call_9", "apply_patch"), OpenAIChunks.ToolArgs(0, "{\"input\":\"*** Begin"), OpenAIChunks.ToolArgs(0, " Patch\\n\"}"),
                OpenAIChunks.Finish("tool_calls"), OpenAIChunks.Usage(40, 9), OpenAIChunks.Done)),
            "anthropic" => (ApiFormat.Anthropic, string.Concat(
                "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_s\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"c\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":40,\"output_tokens\":1}}}\n\n",
                "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Patching \u00e9\u2713\"}}\n\n",
                "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
                "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"call_9\",\"name\":\"apply_patch\",\"input\":{}}}\n\n",
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"input\\\":\\\"*** Begin Patch\\\\n\\\"}\"}}\n\n",
                "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n",
                "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}\n\n",
                "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")),
            _ => (ApiFormat.Gemini, string.Concat(
                "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Patching \u00e9\u2713\"}]},\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":40},\"responseId\":\"g\"}\n\n",
                "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"id\":\"call_9\",\"name\":\"apply_patch\",\"args\":{\"input\":\"*** Begin Patch\\n\"}}}]},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":40,\"candidatesTokenCount\":9},\"responseId\":\"g\"}\n\n")),
        };
        var tools = Translate(api).ResponsesTools;
        var whole = await PumpAsync(ProtocolTranslation.CreateStreamTranslator(ApiFormat.Responses, api, "m", responsesTools: tools), Encoding.UTF8.GetBytes(sse), oneByte: false);
        var bytewise = await PumpAsync(ProtocolTranslation.CreateStreamTranslator(ApiFormat.Responses, api, "m", responsesTools: tools), Encoding.UTF8.GetBytes(sse), oneByte: true);
        Assert.Equal(Normalize(whole), Normalize(bytewise));

        var events = SseText.Parse(whole);
        Assert.Equal(Enumerable.Range(0, events.Count).ToArray(), events.Select(e => (int)e.Json!["sequence_number"]!).ToArray());
        Assert.Equal(["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"],
            events.Take(4).Select(e => e.Type!).ToArray());
        Assert.Equal("Patching \u00e9\u2713", string.Concat(events.Where(e => e.Type == "response.output_text.delta").Select(e => (string)e.Json!["delta"]!)));
        var done = events.Where(e => e.Type == "response.output_item.done").Select(e => e.Json!["item"]!).ToList();
        Assert.Equal("message", (string)done[0]["type"]!);
        Assert.Equal("custom_tool_call", (string)done[1]["type"]!);
        Assert.Equal("*** Begin Patch\n", (string)done[1]["input"]!);
        Assert.Equal("call_9", ((string)done[1]["call_id"]!)[..6]);
        var completed = events[^1];
        Assert.Equal("response.completed", completed.Type);
        Assert.Equal(40, (int)completed.Json!["response"]!["usage"]!["input_tokens"]!);
        Assert.Equal(9, (int)completed.Json!["response"]!["usage"]!["output_tokens"]!);
        Assert.Equal(2, completed.Json!["response"]!["output"]!.AsArray().Count);
    }

    [Theory]
    [MemberData(nameof(Upstreams))]
    public async Task A_truncated_stream_ends_with_response_failed(string upstream)
    {
        var (api, sse) = upstream switch
        {
            "openai" => (ApiFormat.OpenAI, OpenAIChunks.Role() + OpenAIChunks.Text("par")),
            "anthropic" => (ApiFormat.Anthropic, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"c\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n"),
            _ => (ApiFormat.Gemini, "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"par\"}]},\"index\":0}],\"responseId\":\"g\"}\n\n"),
        };
        var output = await PumpAsync(ProtocolTranslation.CreateStreamTranslator(ApiFormat.Responses, api, "m"), Encoding.UTF8.GetBytes(sse), oneByte: true, SsePumpOutcome.Truncated);
        var events = SseText.Parse(output);
        Assert.Equal("response.failed", events[^1].Type);
        Assert.Contains("ended before its final event", (string)events[^1].Json!["response"]!["error"]!["message"]!);
        Assert.DoesNotContain(events, e => e.Type == "response.completed");
    }

    private static async Task<string> PumpAsync(IStreamTranslator translator, byte[] input, bool oneByte, SsePumpOutcome expected = SsePumpOutcome.Completed)
    {
        var output = new ArrayBufferWriter<byte>();
        Stream upstream = oneByte ? new OneByteStream(input) : new MemoryStream(input);
        var result = await SseEventPump.PumpAsync(upstream, translator, (b, _) => { output.Write(b.Span); return ValueTask.CompletedTask; }, default);
        Assert.Equal(expected, result.Outcome);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string Normalize(string sse) => Times().Replace(Ids().Replace(sse, "$1_ID"), "\"$1\":0");

    [GeneratedRegex("\"(created_at|created)\":\\d+")]
    private static partial Regex Times();

    [GeneratedRegex("\\b(resp|msg|fc|ctc|rs|lsc|call)_[0-9a-f]{32}\\b")]
    private static partial Regex Ids();

    private sealed class OneByteStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(1, count));
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(1, buffer.Length)]);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));
    }
}
