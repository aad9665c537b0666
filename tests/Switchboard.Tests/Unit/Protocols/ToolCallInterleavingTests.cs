using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Protocols.OpenAIChat;

namespace Switchboard.Tests.Unit.Protocols;

/// <summary>
/// Parallel tool calls whose argument fragments arrive split at random points and interleaved in random order: the
/// Anthropic stream must stay valid and every tool_use block must carry exactly its own arguments.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class ToolCallInterleavingTests
{
    private static readonly string[] Arguments =
    [
        """{"file_path":"src/a {b}.txt","limit":10}""",
        """{"command":"echo \"}{\" && ls [x]","timeout":5}""",
        """{"edits":[{"old":"\\","new":"é☕"},{"old":"[","new":"]"}]}""",
        "{}",
    ];

    public static TheoryData<int> Seeds() => new(Enumerable.Range(1, 64));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_splits_and_interleavings_keep_each_calls_arguments(int seed)
    {
        var random = new Random(seed);
        int calls = 1 + seed % Arguments.Length;

        // Each call: a first fragment with id and name, then its arguments in random pieces.
        var queues = new List<Queue<string>>();
        for (int i = 0; i < calls; i++)
        {
            var queue = new Queue<string>();
            queue.Enqueue(Fragment(i, $"call_{i}", $"tool{i}", ""));
            string args = Arguments[i];
            int at = 0;
            while (at < args.Length)
            {
                int length = Math.Min(args.Length - at, random.Next(1, 8));
                queue.Enqueue(Fragment(i, null, null, args.Substring(at, length)));
                at += length;
            }
            queues.Add(queue);
        }

        var translator = new OpenAIToAnthropicStream("claude");
        var output = new ArrayBufferWriter<byte>();
        // Calls start in order (OpenAI indexes grow), then fragments interleave at random.
        for (int i = 0; i < calls; i++) Feed(translator, output, queues[i].Dequeue());
        while (queues.Any(q => q.Count > 0))
        {
            Queue<string> queue = queues.Where(q => q.Count > 0).ElementAt(random.Next(queues.Count(q => q.Count > 0)));
            Feed(translator, output, queue.Dequeue());
        }
        Feed(translator, output, """{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""");
        Feed(translator, output, "[DONE]");

        List<SseEvent> events = SseText.Parse(output.WrittenSpan.ToArray());
        AnthropicStreamValidator.Validate(events);

        var inputs = new Dictionary<string, StringBuilder>();
        string? current = null;
        foreach (SseEvent e in events)
        {
            JsonNode data = e.Json!;
            if (e.Type == "content_block_start") inputs[current = (string)data["content_block"]!["id"]!] = new StringBuilder();
            if (e.Type == "content_block_delta") inputs[current!].Append((string?)data["delta"]!["partial_json"]);
        }
        Assert.Equal(calls, inputs.Count);
        for (int i = 0; i < calls; i++)
        {
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Arguments[i]), JsonNode.Parse(inputs[$"call_{i}"].ToString())),
                $"call_{i}: {inputs[$"call_{i}"]}");
        }
    }

    private static string Fragment(int index, string? id, string? name, string arguments)
    {
        var call = new JsonObject { ["index"] = index };
        if (id is not null) { call["id"] = id; call["type"] = "function"; }
        var function = new JsonObject { ["arguments"] = arguments };
        if (name is not null) function["name"] = name;
        call["function"] = function;
        return new JsonObject
        {
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["tool_calls"] = new JsonArray(call) } }),
        }.ToJsonString();
    }

    private static void Feed(OpenAIToAnthropicStream translator, ArrayBufferWriter<byte> output, string data) =>
        translator.OnEvent(null, Encoding.UTF8.GetBytes(data), output);
}
