using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Tests.TestKit;

/// <summary>One parsed SSE event: its type ("message" when the frame had none) and its data text.</summary>
internal sealed record SseEvent(string Type, string Data)
{
    public JsonNode? Json => Data.StartsWith('{') ? JsonNode.Parse(Data) : null;

    public override string ToString() => $"{Type}: {Data}";
}

internal static class SseText
{
    /// <summary>Parses SSE text with the BCL parser, as a client would.</summary>
    public static List<SseEvent> Parse(string text) => Parse(Encoding.UTF8.GetBytes(text));

    public static List<SseEvent> Parse(byte[] bytes)
    {
        var events = new List<SseEvent>();
        foreach (SseItem<string> item in SseParser.Create(new MemoryStream(bytes)).Enumerate())
        {
            events.Add(new SseEvent(item.EventType, item.Data));
        }
        return events;
    }

    /// <summary>Compares two event lists: same types in the same order, data equal as JSON (ignoring whitespace) or as text.</summary>
    public static void AssertEquivalent(IReadOnlyList<SseEvent> expected, IReadOnlyList<SseEvent> actual, string because)
    {
        for (int i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            SseEvent e = expected[i], a = actual[i];
            bool same = e.Type == a.Type && (e.Json is { } ej && a.Json is { } aj ? JsonNode.DeepEquals(ej, aj) : e.Data == a.Data);
            Assert.True(same, $"{because}: event {i} differs.\n expected: {e}\n   actual: {a}");
        }
        Assert.True(expected.Count == actual.Count,
            $"{because}: expected {expected.Count} events, got {actual.Count}.\nActual:\n{string.Join("\n", actual)}");
    }
}

/// <summary>
/// Checks the Anthropic streaming contract a client like Claude Code relies on: message_start first; content blocks
/// opened at 0, 1, 2… and each stopped before the next opens; deltas match their block's type and index; tool inputs
/// assemble to JSON objects; one message_delta with a stop_reason and usage, then message_stop last — or an error
/// event as the very last event.
/// </summary>
internal static class AnthropicStreamValidator
{
    public static void Validate(IReadOnlyList<SseEvent> events)
    {
        Assert.NotEmpty(events);
        if (events[0].Type == "error") { Assert.Single(events); return; }
        Assert.Equal("message_start", events[0].Type);

        int nextIndex = 0, openIndex = -1;
        string? openType = null;
        var toolInput = new StringBuilder();
        bool sawMessageDelta = false;

        for (int i = 1; i < events.Count; i++)
        {
            SseEvent e = events[i];
            JsonNode? data = e.Json;
            Assert.True(data is not null, $"event {i} data is not JSON: {e}");
            Assert.Equal(e.Type, (string?)data!["type"]);
            bool last = i == events.Count - 1;
            switch (e.Type)
            {
                case "ping":
                    break;
                case "content_block_start":
                    Assert.True(openIndex == -1, $"event {i}: block {data["index"]} starts while block {openIndex} is open");
                    Assert.Equal(nextIndex, (int)data["index"]!);
                    Assert.False(sawMessageDelta, $"event {i}: block after message_delta");
                    openIndex = nextIndex++;
                    openType = (string?)data["content_block"]!["type"];
                    if (openType == "thinking") Assert.NotNull(data["content_block"]!["signature"]);
                    toolInput.Clear();
                    break;
                case "content_block_delta":
                    Assert.Equal(openIndex, (int)data["index"]!);
                    string? deltaType = (string?)data["delta"]!["type"];
                    string expectedDelta = openType switch
                    {
                        "text" => "text_delta",
                        "tool_use" => "input_json_delta",
                        "thinking" => deltaType == "signature_delta" ? "signature_delta" : "thinking_delta",
                        _ => "?",
                    };
                    Assert.Equal(expectedDelta, deltaType);
                    if (deltaType == "input_json_delta") toolInput.Append((string?)data["delta"]!["partial_json"]);
                    break;
                case "content_block_stop":
                    Assert.Equal(openIndex, (int)data["index"]!);
                    if (openType == "tool_use" && toolInput.Length > 0)
                    {
                        Assert.True(JsonNode.Parse(toolInput.ToString()) is JsonObject, $"tool input of block {openIndex} is not a JSON object: {toolInput}");
                    }
                    openIndex = -1;
                    break;
                case "message_delta":
                    Assert.True(openIndex == -1, $"event {i}: message_delta while block {openIndex} is open");
                    Assert.False(sawMessageDelta, "two message_delta events");
                    Assert.NotNull((string?)data["delta"]!["stop_reason"]);
                    Assert.NotNull(data["usage"]?["output_tokens"]);
                    sawMessageDelta = true;
                    break;
                case "message_stop":
                    Assert.True(sawMessageDelta, "message_stop without message_delta");
                    Assert.True(last, "events after message_stop");
                    break;
                case "error":
                    Assert.True(last, "events after error");
                    Assert.NotNull((string?)data["error"]!["type"]);
                    Assert.NotNull((string?)data["error"]!["message"]);
                    return;
                default:
                    Assert.Fail($"event {i}: unknown Anthropic event type {e.Type}");
                    break;
            }
        }
        Assert.Equal("message_stop", events[^1].Type);
    }
}

/// <summary>Checks an OpenAI chunk stream: one id throughout, role first, [DONE] last, nothing after it.</summary>
internal static class OpenAIStreamValidator
{
    public static void Validate(IReadOnlyList<SseEvent> events)
    {
        Assert.NotEmpty(events);
        Assert.Equal("[DONE]", events[^1].Data);
        string? id = null;
        for (int i = 0; i < events.Count - 1; i++)
        {
            JsonNode data = events[i].Json ?? throw new Xunit.Sdk.XunitException($"chunk {i} is not JSON: {events[i]}");
            if (data["error"] is not null)
            {
                Assert.Equal(events.Count - 2, i); // an error frame is followed only by [DONE]
                continue;
            }
            Assert.Equal("chat.completion.chunk", (string?)data["object"]);
            id ??= (string?)data["id"];
            Assert.Equal(id, (string?)data["id"]);
        }
    }
}
