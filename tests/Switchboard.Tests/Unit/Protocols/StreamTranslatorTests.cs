using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Protocols;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.OpenAIChat;

namespace Switchboard.Tests.Unit.Protocols;

[Trait("Kind", "Unit")]
public sealed class OpenAIToAnthropicStreamTests
{
    private static string Chunk(string delta, string? finish = null) =>
        $$"""{"id":"c","choices":[{"index":0,"delta":{{delta}},"finish_reason":{{(finish is null ? "null" : $"\"{finish}\"")}}}]}""";

    private static List<SseEvent> Run(IStreamTranslator t, params string[] datas)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (string d in datas) t.OnEvent(null, Encoding.UTF8.GetBytes(d), output);
        return SseText.Parse(output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Finish_reason_before_usage_chunk_gives_one_message_delta_with_usage_at_DONE()
    {
        var t = new OpenAIToAnthropicStream("claude", "msg_1");
        List<SseEvent> events = Run(t,
            Chunk("""{"content":"hi"}"""),
            Chunk("{}", "stop"),
            """{"id":"c","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":4}}}""",
            "[DONE]");
        AnthropicStreamValidator.Validate(events);
        SseEvent messageDelta = Assert.Single(events, e => e.Type == "message_delta");
        JsonNode usage = messageDelta.Json!["usage"]!;
        Assert.Equal(3, (int)usage["output_tokens"]!);
        Assert.Equal(6, (int)usage["input_tokens"]!); // Anthropic input excludes cache reads
        Assert.Equal(4, (int)usage["cache_read_input_tokens"]!);
        Assert.Equal(new TokenUsage(10, 3, 4), t.Usage);
    }

    [Fact]
    public void Nothing_is_written_after_the_stream_closed()
    {
        var t = new OpenAIToAnthropicStream("claude", "msg_1");
        var output = new ArrayBufferWriter<byte>();
        t.OnEvent(null, Encoding.UTF8.GetBytes(Chunk("""{"content":"hi"}""", "stop")), output);
        t.OnEvent(null, "[DONE]"u8, output);
        int written = output.WrittenCount;
        t.OnCompleted(output);
        t.OnFailed("late", output);
        t.OnEvent(null, Encoding.UTF8.GetBytes(Chunk("""{"content":"more"}""")), output);
        Assert.Equal(written, output.WrittenCount);
    }

    [Fact]
    public void Empty_upstream_that_said_DONE_still_yields_a_complete_message()
    {
        var t = new OpenAIToAnthropicStream("claude", "msg_1");
        var output = new ArrayBufferWriter<byte>();
        t.OnEvent(null, "[DONE]"u8, output);
        Assert.True(t.OnCompleted(output));
        List<SseEvent> events = SseText.Parse(output.WrittenSpan.ToArray());
        AnthropicStreamValidator.Validate(events);
        Assert.Equal(["message_start", "ping", "message_delta", "message_stop"], events.Select(e => e.Type));
    }

    [Fact]
    public void Empty_upstream_that_just_ended_is_a_truncated_stream_not_an_empty_answer()
    {
        var t = new OpenAIToAnthropicStream("claude", "msg_1");
        var output = new ArrayBufferWriter<byte>();
        Assert.False(t.OnCompleted(output));
        List<SseEvent> events = SseText.Parse(output.WrittenSpan.ToArray());
        AnthropicStreamValidator.Validate(events);
        Assert.Equal(["error"], events.Select(e => e.Type));
        Assert.Contains("no finish_reason or [DONE]", events[0].Data);
    }

    [Fact]
    public void Failure_before_any_output_is_a_lone_error_event()
    {
        var t = new OpenAIToAnthropicStream("claude");
        var output = new ArrayBufferWriter<byte>();
        t.OnFailed("connect timeout", output);
        SseEvent e = Assert.Single(SseText.Parse(output.WrittenSpan.ToArray()));
        Assert.Equal("error", e.Type);
        Assert.Equal("api_error", (string?)e.Json!["error"]!["type"]);
        Assert.Equal("connect timeout", (string?)e.Json!["error"]!["message"]);
    }

    [Fact]
    public void Escaped_text_is_forwarded_as_valid_JSON_with_the_same_value()
    {
        const string text = "quote \" backslash \\ newline \n tab \t rocket 🚀 \u0001";
        string chunk = Chunk(new JsonObject { ["content"] = text }.ToJsonString());
        List<SseEvent> events = Run(new OpenAIToAnthropicStream("claude"), chunk, "[DONE]");
        SseEvent delta = Assert.Single(events, e => e.Type == "content_block_delta");
        Assert.Equal(text, (string?)delta.Json!["delta"]!["text"]);
    }

    [Fact]
    public void Reasoning_then_text_then_tool_use_get_indexes_0_1_2()
    {
        List<SseEvent> events = Run(new OpenAIToAnthropicStream("claude"),
            Chunk("""{"reasoning":"hmm"}"""),
            Chunk("""{"content":"ok"}"""),
            Chunk("""{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]}"""),
            Chunk("{}", "tool_calls"),
            "[DONE]");
        AnthropicStreamValidator.Validate(events);
        string[] starts = events.Where(e => e.Type == "content_block_start").Select(e => (string)e.Json!["content_block"]!["type"]!).ToArray();
        Assert.Equal(["thinking", "text", "tool_use"], starts);
        Assert.Equal("", (string?)events.First(e => e.Type == "content_block_start").Json!["content_block"]!["signature"]);
        Assert.Equal("tool_use", (string?)events.Single(e => e.Type == "message_delta").Json!["delta"]!["stop_reason"]);
    }

    [Fact]
    public void Reasoning_sent_under_both_names_is_forwarded_once()
    {
        List<SseEvent> events = Run(new OpenAIToAnthropicStream("claude"),
            Chunk("""{"reasoning_content":"step","reasoning":"step"}"""),
            "[DONE]");
        Assert.Single(events, e => e.Type == "content_block_delta");
    }

    [Fact]
    public void Tool_calls_finished_with_stop_still_report_tool_use()
    {
        List<SseEvent> events = Run(new OpenAIToAnthropicStream("claude"),
            Chunk("""{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"f","arguments":"{\"a\":1}"}}]}"""),
            Chunk("{}", "stop"),
            "[DONE]");
        Assert.Equal("tool_use", (string?)events.Single(e => e.Type == "message_delta").Json!["delta"]!["stop_reason"]);
    }

    [Fact]
    public void Tool_arguments_sent_as_an_object_are_forwarded_as_a_JSON_string()
    {
        List<SseEvent> events = Run(new OpenAIToAnthropicStream("claude"),
            Chunk("""{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"f","arguments":{"path":"a \"b\""}}}]}"""),
            "[DONE]");
        AnthropicStreamValidator.Validate(events);
        SseEvent delta = Assert.Single(events, e => e.Type == "content_block_delta");
        Assert.Equal("""{"path":"a \"b\""}""", (string?)delta.Json!["delta"]!["partial_json"]);
    }

    [Fact]
    public void Malformed_and_keepalive_events_never_break_the_stream()
    {
        List<SseEvent> events = Run(new OpenAIToAnthropicStream("claude"),
            "not json",
            "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"", // truncated: what parsed before the cut is kept
            "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"y", // cut inside a string: nothing from it
            Chunk("""{"content":"ok"}"""),
            "[DONE]");
        AnthropicStreamValidator.Validate(events);
        Assert.Equal(["x", "ok"], events.Where(e => e.Type == "content_block_delta").Select(e => (string)e.Json!["delta"]!["text"]!));
    }
}

[Trait("Kind", "Unit")]
public sealed class AnthropicToOpenAIStreamTests
{
    private static List<SseEvent> Run(IStreamTranslator t, params (string? Type, string Data)[] events)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var (type, data) in events) t.OnEvent(type, Encoding.UTF8.GetBytes(data), output);
        t.OnCompleted(output);
        return SseText.Parse(output.WrittenSpan.ToArray());
    }

    private const string Start = """{"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":5,"output_tokens":1}}}""";

    [Fact]
    public void Tool_call_index_counts_tool_calls_not_content_blocks()
    {
        List<SseEvent> events = Run(new AnthropicToOpenAIStream("gpt", includeUsage: false),
            ("message_start", Start),
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            ("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":1}"""),
            ("content_block_start", """{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":2}"""),
            ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":7}}"""),
            ("message_stop", """{"type":"message_stop"}"""));
        OpenAIStreamValidator.Validate(events);
        JsonNode[] toolDeltas = events.Select(e => e.Json?["choices"]?[0]?["delta"]?["tool_calls"]?[0]).OfType<JsonNode>().ToArray();
        Assert.All(toolDeltas, d => Assert.Equal(0, (int)d["index"]!));
        Assert.Equal("toolu_1", (string?)toolDeltas[0]["id"]);
        Assert.Equal("tool_calls", (string?)events[^2].Json!["choices"]![0]!["finish_reason"]);
        Assert.DoesNotContain(events, e => e.Json?["usage"] is not null);
    }

    [Fact]
    public void Events_without_an_event_line_are_recognised_by_their_type_and_ping_is_ignored()
    {
        List<SseEvent> events = Run(new AnthropicToOpenAIStream("gpt", includeUsage: true, created: 1),
            (null, Start),
            ("message", """{"type":"ping"}"""),
            (null, """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}"""),
            (null, """{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}"""),
            (null, """{"type":"message_stop"}"""));
        OpenAIStreamValidator.Validate(events);
        Assert.Equal("assistant", (string?)events[0].Json!["choices"]![0]!["delta"]!["role"]);
        Assert.Equal("hi", (string?)events[1].Json!["choices"]![0]!["delta"]!["content"]);
        Assert.Equal("stop", (string?)events[2].Json!["choices"]![0]!["finish_reason"]);
        Assert.Equal(7, (int)events[3].Json!["usage"]!["total_tokens"]!);
        Assert.Empty(events[3].Json!["choices"]!.AsArray());
        Assert.Equal("chatcmpl-msg_1", (string?)events[0].Json!["id"]);
    }

    [Fact]
    public void Failure_writes_an_error_frame_then_DONE_once()
    {
        var t = new AnthropicToOpenAIStream("gpt", includeUsage: true);
        var output = new ArrayBufferWriter<byte>();
        t.OnEvent("message_start", Encoding.UTF8.GetBytes(Start), output);
        t.OnFailed("reset", output);
        t.OnCompleted(output);
        List<SseEvent> events = SseText.Parse(output.WrittenSpan.ToArray());
        Assert.Equal(3, events.Count);
        Assert.Equal("reset", (string?)events[1].Json!["error"]!["message"]);
        Assert.Equal("[DONE]", events[2].Data);
    }
}
