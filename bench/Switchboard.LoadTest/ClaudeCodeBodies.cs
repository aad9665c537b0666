using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.LoadTest;

/// <summary>
/// Claude Code-size request bodies, grown deterministically from the request Claude Code 2.1.330 really sent
/// (tests/Switchboard.Tests/TestData/Fixtures/claude-code-2.1.330-request.json: its system prompt, tools, first turn and
/// settings) to what it sends late in a session: 25 tools (the fixture's 12 and 13 copies of them under MCP-style
/// names) and 90 messages (the real two, then 44 assistant tool calls, each answered by a tool result whose text is cut from
/// the fixture's own prose). The tool results are sized so that the Anthropic form is 165 KB and the OpenAI form
/// 214 KB, the sizes measured in issue #19. Serialized as Node's JSON.stringify does (non-ASCII as UTF-8, not
/// escaped), as Claude Code sends it.
/// </summary>
internal sealed class ClaudeCodeBodies
{
    public const int AnthropicBytes = 165_000, OpenAIBytes = 214_000, ToolCount = 25, ToolTurns = 44;
    private const string ModelPlaceholder = "claude-code-bench";

    private static readonly JsonSerializerOptions Node = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly string[] CallTools = ["Bash", "Read", "Edit", "Bash", "Read", "Write"];

    private readonly JsonObject _fixture;
    private readonly string _corpus;
    private readonly JsonObject _anthropic, _openAI, _openAIOfAnthropic;

    public ClaudeCodeBodies(string fixturePath)
    {
        _fixture = JsonNode.Parse(File.ReadAllText(fixturePath))?.AsObject() ?? throw new InvalidDataException($"{fixturePath} holds no JSON object");
        _corpus = Corpus(_fixture);
        _anthropic = Grow(AnthropicConversation, AnthropicBytes);
        _openAI = Grow(chars => OpenAIForm(AnthropicConversation(chars)), OpenAIBytes);
        _openAIOfAnthropic = OpenAIForm(_anthropic);
    }

    /// <summary>Claude Code's request in Anthropic Messages form, ~165 KB.</summary>
    public byte[] Anthropic(string model, bool stream) => Render(_anthropic, model, stream, openAI: false);

    /// <summary>A Claude Code-size conversation in OpenAI Chat Completions form, ~214 KB.</summary>
    public byte[] OpenAI(string model, bool stream) => Render(_openAI, model, stream, openAI: true);

    /// <summary>The OpenAI form of <see cref="Anthropic"/>'s conversation: what a client would send an OpenAI provider itself.</summary>
    public byte[] OpenAIOfAnthropic(string model, bool stream) => Render(_openAIOfAnthropic, model, stream, openAI: true);

    private static byte[] Render(JsonObject template, string model, bool stream, bool openAI)
    {
        var body = template.DeepClone().AsObject();
        body["model"] = model;
        body["stream"] = stream;
        if (openAI && stream) body["stream_options"] = new JsonObject { ["include_usage"] = true };
        return Encoding.UTF8.GetBytes(body.ToJsonString(Node));
    }

    private static int Size(JsonObject body) => Encoding.UTF8.GetByteCount(body.ToJsonString(Node));

    /// <summary>Finds the tool-result length that makes the body <paramref name="target"/> bytes (to within a few bytes per result).</summary>
    private static JsonObject Grow(Func<int, JsonObject> build, int target)
    {
        var chars = 1000;
        var body = build(chars);
        var size = Size(body);
        for (var i = 0; i < 10 && Math.Abs(size - target) > ToolTurns; i++)
        {
            chars += (target - size) / ToolTurns;
            if (chars < 0) throw new InvalidOperationException($"the fixture alone is larger than {target:N0} bytes");
            body = build(chars);
            size = Size(body);
        }
        return body;
    }

    /// <summary>The fixture's prose (tool descriptions, system prompt), from which tool results are cut.</summary>
    private static string Corpus(JsonObject fixture)
    {
        var text = new StringBuilder();
        foreach (var tool in fixture["tools"]!.AsArray()) text.Append((string?)tool!["description"]).Append("\n\n");
        foreach (var block in fixture["system"]!.AsArray()) text.Append((string?)block!["text"]).Append("\n\n");
        return text.ToString();
    }

    /// <summary><paramref name="length"/> characters of the corpus from a position that depends on <paramref name="seed"/>, wrapping around, never splitting a surrogate pair.</summary>
    private string Cut(int seed, int length)
    {
        var text = new StringBuilder(length + 1);
        var at = (int)((long)seed * 7919 % _corpus.Length);
        if (char.IsLowSurrogate(_corpus[at])) at++;
        while (text.Length < length)
        {
            var take = Math.Min(length - text.Length, _corpus.Length - at);
            if (take > 0 && char.IsHighSurrogate(_corpus[at + take - 1])) take = take > 1 ? take - 1 : take + 1;
            text.Append(_corpus, at, take);
            at = (at + take) % _corpus.Length;
        }
        return text.ToString();
    }

    private JsonObject AnthropicConversation(int resultChars)
    {
        var body = _fixture.DeepClone().AsObject();
        body["model"] = ModelPlaceholder;

        var tools = body["tools"]!.AsArray();
        var copyable = tools.Where(t => t!["defer_loading"] is null).Select(t => t!).ToList();
        for (var i = 0; tools.Count < ToolCount; i++)
        {
            var copy = copyable[i % copyable.Count].DeepClone().AsObject();
            copy["name"] = $"mcp__{(i < copyable.Count ? "workspace" : "notes")}__{(string?)copy["name"]}";
            tools.Add(copy);
        }

        var messages = body["messages"]!.AsArray();
        for (var k = 0; k < ToolTurns; k++)
        {
            var id = $"toolu_bench{k:D4}";
            var tool = CallTools[k % CallTools.Length];
            messages.Add(new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = new JsonArray(
                    new JsonObject { ["type"] = "text", ["text"] = $"Step {k + 1}: {Cut(k * 31 + 1, 120)}" },
                    new JsonObject { ["type"] = "tool_use", ["id"] = id, ["name"] = tool, ["input"] = ToolInput(tool, k) }),
            });
            messages.Add(new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = id, ["content"] = Cut(k * 131 + 7, resultChars) }),
            });
        }
        return body;
    }

    private JsonObject ToolInput(string tool, int k)
    {
        var path = $"/home/dev/project/src/Module{k % 7}/Part{k}.ts";
        return tool switch
        {
            "Bash" => new JsonObject { ["command"] = $"rg -n \"handle{k}\" src/ test/ | head -40", ["description"] = $"Find where handle{k} is used" },
            "Read" => new JsonObject { ["file_path"] = path },
            "Edit" => new JsonObject { ["file_path"] = path, ["old_string"] = Cut(k * 17 + 3, 200), ["new_string"] = Cut(k * 19 + 5, 240) },
            _ => new JsonObject { ["file_path"] = path, ["content"] = Cut(k * 23 + 11, 600) },
        };
    }

    /// <summary>
    /// The same request as an OpenAI Chat Completions client would send it: system prompt first, tool calls as
    /// <c>tool_calls</c> with JSON-string arguments, tool results as <c>tool</c> messages, tools as functions.
    /// Anthropic-only settings (thinking, metadata, context management) have no OpenAI equivalent and are left out.
    /// </summary>
    private static JsonObject OpenAIForm(JsonObject anthropic)
    {
        var messages = new JsonArray { new JsonObject { ["role"] = "system", ["content"] = Text(anthropic["system"]!.AsArray()) } };
        foreach (var message in anthropic["messages"]!.AsArray())
        {
            var role = (string)message!["role"]!;
            if (message["content"] is not JsonArray blocks)
            {
                messages.Add(new JsonObject { ["role"] = role, ["content"] = message["content"]?.DeepClone() });
                continue;
            }
            var calls = new JsonArray();
            foreach (var block in blocks)
            {
                switch ((string?)block!["type"])
                {
                    case "tool_use":
                        calls.Add(new JsonObject
                        {
                            ["id"] = block["id"]!.DeepClone(),
                            ["type"] = "function",
                            ["function"] = new JsonObject { ["name"] = block["name"]!.DeepClone(), ["arguments"] = block["input"]!.ToJsonString(Node) },
                        });
                        break;
                    case "tool_result":
                        messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = block["tool_use_id"]!.DeepClone(), ["content"] = block["content"]!.DeepClone() });
                        break;
                }
            }
            var text = Text(blocks);
            if (role == "assistant")
            {
                var reply = new JsonObject { ["role"] = "assistant", ["content"] = text.Length > 0 ? text : null };
                if (calls.Count > 0) reply["tool_calls"] = calls;
                messages.Add(reply);
            }
            else if (text.Length > 0)
            {
                messages.Add(new JsonObject { ["role"] = role, ["content"] = text });
            }
        }
        var tools = new JsonArray();
        foreach (var tool in anthropic["tools"]!.AsArray())
        {
            tools.Add(new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject
                {
                    ["name"] = tool!["name"]!.DeepClone(),
                    ["description"] = tool["description"]?.DeepClone(),
                    ["parameters"] = tool["input_schema"]?.DeepClone() ?? new JsonObject { ["type"] = "object" },
                },
            });
        }
        return new JsonObject
        {
            ["model"] = anthropic["model"]!.DeepClone(),
            ["messages"] = messages,
            ["tools"] = tools,
            ["max_tokens"] = anthropic["max_tokens"]?.DeepClone(),
            ["stream"] = anthropic["stream"]?.DeepClone(),
        };
    }

    private static string Text(JsonArray blocks) =>
        string.Join("\n\n", blocks.Where(b => (string?)b!["type"] == "text").Select(b => (string?)b!["text"]));
}
