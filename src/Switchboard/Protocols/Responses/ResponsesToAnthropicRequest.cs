using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Switchboard.Models;
using Switchboard.Protocols.OpenAIChat;
using Switchboard.Protocols.Translation;
using static Switchboard.Protocols.JsonFields;

namespace Switchboard.Protocols.Responses;

/// <summary>
/// A Responses request → an Anthropic Messages request in one step, for the shapes Codex sends (text messages, function
/// and custom tool calls and their outputs, function, custom and namespace tools). The result is byte for byte what
/// the pivot gives (<see cref="ResponsesToChatRequest"/>, then <see cref="OpenAIToAnthropicRequest"/>): the same
/// rules, applied to the items as they are read instead of to a Chat body written, parsed again and rebuilt as
/// <c>JsonNode</c> blocks. Anything else (images, files, local shell, stored items, a shape the pivot refuses with
/// its own error) is declined, and the caller takes the pivot.
/// </summary>
internal static class ResponsesToAnthropicRequest
{
    /// <summary>Writes the Anthropic body into <paramref name="output"/>; false (nothing written) when the request is not one of the shapes handled here.</summary>
    public static bool TryTranslate(JsonElement request, TranslationTarget target, IBufferWriter<byte> output, out ResponsesToolMap? tools, out List<string>? droppedTools)
    {
        tools = null;
        droppedTools = null;
        if (request.ValueKind != JsonValueKind.Object) return false;
        var conversation = new Conversation();
        if (!conversation.Read(request)) return false;
        var map = new ResponsesToolMap();
        if (!ToolSet.TryRead(request, map, ref droppedTools, out var toolSet)) return false;

        using (var json = new Utf8JsonWriter(output, SseWriter.JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("model"u8, target.ModelId);
            conversation.Write(json);
            // The pivot capped max_output_tokens toward the Chat form and again toward Anthropic: the same cap, once here.
            var maxTokens = Long(request, "max_output_tokens"u8) ?? OpenAIToAnthropicRequest.DefaultMaxTokens;
            if (target.MaxOutputTokens is int cap && maxTokens > cap) maxTokens = cap;
            json.WriteNumber("max_tokens"u8, maxTokens);
            var forcedTool = toolSet.Write(json, request);
            var thinking = WriteThinking(json, request, maxTokens, forcedTool);
            if (!thinking)
            {
                if (Number(request, "temperature"u8) is double temperature) json.WriteNumber("temperature"u8, Math.Clamp(temperature, 0, 1));
                if (Number(request, "top_p"u8) is double topP) json.WriteNumber("top_p"u8, topP);
            }
            if ((Str(request, "safety_identifier"u8) ?? Str(request, "user"u8)) is { } user)
            {
                json.WriteStartObject("metadata"u8);
                json.WriteString("user_id"u8, user);
                json.WriteEndObject();
            }
            if (request.TryGetProperty("stream"u8, out var stream) && stream.ValueKind == JsonValueKind.True) json.WriteBoolean("stream"u8, true);
            json.WriteEndObject();
        }
        tools = map.IsEmpty ? null : map;
        return true;
    }

    /// <summary>reasoning.effort → a thinking budget inside max_tokens, as the pivot maps it (minimal → low, xhigh → high).</summary>
    private static bool WriteThinking(Utf8JsonWriter json, JsonElement request, long maxTokens, bool forcedTool)
    {
        if (!request.TryGetProperty("reasoning"u8, out var reasoning) || Str(reasoning, "effort"u8) is not { } effort) return false;
        effort = effort == "minimal" ? "low" : effort == "xhigh" ? "high" : effort;
        if (effort == "none" || forcedTool) return false;
        long budget = ReasoningSupport.BudgetForEffort(effort);
        if (budget >= maxTokens) budget = Math.Max(1024, maxTokens / 2);
        if (budget >= maxTokens) return false;
        json.WriteStartObject("thinking"u8);
        json.WriteString("type"u8, "enabled"u8);
        json.WriteNumber("budget_tokens"u8, budget);
        json.WriteEndObject();
        return true;
    }

    private static double? Number(JsonElement obj, ReadOnlySpan<byte> name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    // ---- the conversation --------------------------------------------------------------------------------

    private enum BlockKind { Text, ToolUse, CustomToolUse, ToolResult }

    /// <summary>One Anthropic content block: text; a call (id, name, arguments text or a custom tool's input); a result (id, content).</summary>
    private readonly record struct Block(BlockKind Kind, TextValue Text, string? Id = null, string? Name = null);

    /// <summary>
    /// A text as the client sent it: a JSON string of the request, written back without becoming a .NET string (one
    /// with an escaped surrogate is read as a string, so a lone one is refused as the pivot refuses it); or a string.
    /// </summary>
    private readonly struct TextValue
    {
        private readonly string? _text;
        private readonly JsonElement _source;

        public TextValue(string text) => _text = text;

        private TextValue(JsonElement source) => _source = source;

        public static TextValue Of(JsonElement value) =>
            HasSurrogateEscape(JsonMarshal.GetRawUtf8Value(value)) ? new TextValue(value.GetString()!) : new TextValue(value);

        /// <summary>A <c>\uD800</c>–<c>\uDFFF</c> escape (or what looks like one after an escaped backslash: read as a string then too).</summary>
        private static bool HasSurrogateEscape(ReadOnlySpan<byte> raw)
        {
            for (var at = raw.IndexOf("\\u"u8); at >= 0 && at + 3 < raw.Length; )
            {
                if (raw[at + 2] is (byte)'d' or (byte)'D' && raw[at + 3] is (byte)'8' or (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F') return true;
                var next = raw[(at + 2)..].IndexOf("\\u"u8);
                at = next < 0 ? -1 : at + 2 + next;
            }
            return false;
        }

        public static implicit operator TextValue(string text) => new(text);

        public bool IsEmpty => _text is not null ? _text.Length == 0 : JsonMarshal.GetRawUtf8Value(_source).Length == 2;

        /// <summary>Empty or whitespace only (string.IsNullOrWhiteSpace), read on the escaped bytes where they say it.</summary>
        public bool IsBlank
        {
            get
            {
                if (_text is not null) return string.IsNullOrWhiteSpace(_text);
                var raw = JsonMarshal.GetRawUtf8Value(_source);
                for (var i = 1; i < raw.Length - 1; i++)
                {
                    var b = raw[i];
                    if (b == ' ') continue;
                    if (b == '\\' && raw[i + 1] is (byte)'n' or (byte)'t' or (byte)'r' or (byte)'f')
                    {
                        i++;
                        continue;
                    }
                    if (b == '\\' && raw[i + 1] == 'u') return string.IsNullOrWhiteSpace(_source.GetString());
                    // Other ASCII is not blank; beyond ASCII, Unicode's spaces are: ask the string.
                    return b >= 0x80 && string.IsNullOrWhiteSpace(_source.GetString());
                }
                return true;
            }
        }

        public void Write(Utf8JsonWriter json, ReadOnlySpan<byte> name)
        {
            if (_text is not null)
            {
                json.WriteString(name, _text);
                return;
            }
            json.WritePropertyName(name);
            _source.WriteTo(json);
        }

        public override string ToString() => _text ?? _source.GetString()!;
    }

    private sealed class Turn(bool user)
    {
        public bool User { get; } = user;
        public List<Block> Blocks { get; } = new(4);
    }

    /// <summary>The items regrouped as the pivot's two steps would: the system prompt, and alternating turns.</summary>
    private sealed class Conversation
    {
        private readonly List<TextValue> _system = new(2);
        private readonly List<Turn> _turns = new(8);
        // An assistant run (its text joined, its calls) not yet closed by a message of another role or a tool output.
        private TextValue? _pendingFirst;
        private StringBuilder? _pendingText;
        private List<Block>? _pendingCalls;

        public bool Read(JsonElement request)
        {
            if (request.TryGetProperty("instructions"u8, out var instructions) && instructions.ValueKind == JsonValueKind.String && TextValue.Of(instructions) is { IsEmpty: false } text)
                _system.Add(text);
            if (!request.TryGetProperty("input"u8, out var input)) return false;
            if (input.ValueKind == JsonValueKind.String)
            {
                AddUserText(TextValue.Of(input));
            }
            else if (input.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in input.EnumerateArray())
                    if (!ReadItem(item)) return false;
                FlushAssistant();
            }
            else return false;
            PairToolResults();
            return true;
        }

        private bool ReadItem(JsonElement item)
        {
            if (item.ValueKind != JsonValueKind.Object) return false;
            var type = Str(item, "type"u8) ?? (item.TryGetProperty("role"u8, out _) ? "message" : null);
            switch (type)
            {
                case "message":
                    return ReadMessage(item);
                case "function_call":
                    if (Str(item, "call_id"u8) is not { } callId || Str(item, "name"u8) is not { } name) return false;
                    AddCall(new Block(BlockKind.ToolUse, ArgumentsText(item), callId, ResponsesToChatRequest.FlattenedName(name, Str(item, "namespace"u8))));
                    return true;
                case "custom_tool_call":
                    if (Str(item, "call_id"u8) is not { } customId || Str(item, "name"u8) is not { } customName) return false;
                    AddCall(new Block(BlockKind.CustomToolUse, Str(item, "input"u8) ?? "", customId, customName));
                    return true;
                case "function_call_output" or "custom_tool_call_output":
                    if ((Str(item, "call_id"u8) ?? Str(item, "id"u8)) is not { } outputId || OutputText(item) is not { } content) return false;
                    FlushAssistant();
                    Append(user: true, new Block(BlockKind.ToolResult, content, outputId));
                    return true;
                case "reasoning":
                    return true; // encrypted reasoning is OpenAI's to read
                default:
                    return false; // local shell, item references, hosted tools' history, unknown types: the pivot's rules and errors
            }
        }

        private bool ReadMessage(JsonElement item)
        {
            var role = Str(item, "role"u8);
            if (!item.TryGetProperty("content"u8, out var content))
            {
                if (role != "assistant") return false;
                return true; // an assistant message without content adds no text
            }
            switch (role)
            {
                case "assistant":
                    if (MessageText(content) is not { } said) return false;
                    if (said.IsEmpty) return true;
                    if (_pendingText is null && _pendingFirst is null) _pendingFirst = said;
                    else
                    {
                        // A second piece in the run: the pieces are joined, as the Chat form's one content string joins them.
                        _pendingText ??= new StringBuilder().Append(_pendingFirst.ToString());
                        _pendingText.Append(said.ToString());
                        _pendingFirst = null;
                    }
                    return true;
                case "system" or "developer":
                    if (MessageText(content) is not { } instruction) return false;
                    FlushAssistant();
                    if (!instruction.IsEmpty) _system.Add(instruction);
                    return true;
                case "user":
                    FlushAssistant();
                    if (content.ValueKind == JsonValueKind.String)
                    {
                        AddUserText(TextValue.Of(content));
                        return true;
                    }
                    if (content.ValueKind != JsonValueKind.Array) return false;
                    foreach (var part in content.EnumerateArray())
                    {
                        if (Str(part, "type"u8) is not ("input_text" or "output_text" or "text")) return false; // images and files: the pivot
                    }
                    foreach (var part in content.EnumerateArray())
                        if (part.TryGetProperty("text"u8, out var partText) && partText.ValueKind == JsonValueKind.String) AddUserText(TextValue.Of(partText));
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>
        /// A message's text: the string, or its text-like parts one after another (one part as the client sent it);
        /// null for any other part or kind.
        /// </summary>
        private static TextValue? MessageText(JsonElement content)
        {
            if (content.ValueKind == JsonValueKind.String) return TextValue.Of(content);
            if (content.ValueKind != JsonValueKind.Array) return null;
            if (content.GetArrayLength() == 1 && content[0] is var only
                && Str(only, "type"u8) is { } type && only.TryGetProperty(type == "refusal" ? "refusal"u8 : "text"u8, out var value) && value.ValueKind == JsonValueKind.String
                && type is "input_text" or "output_text" or "text" or "refusal")
                return TextValue.Of(value);
            if (ResponsesToChatRequest.TryJoinText(content, out _) is { } joined) return new TextValue(joined);
            return null;
        }

        /// <summary>A tool output's text (parts joined by newlines); null when it carries images, which go in a user message of their own.</summary>
        private static TextValue? OutputText(JsonElement item)
        {
            if (!item.TryGetProperty("output"u8, out var output) || output.ValueKind == JsonValueKind.Null) return "";
            if (output.ValueKind == JsonValueKind.String) return TextValue.Of(output);
            if (output.ValueKind == JsonValueKind.Array)
            {
                var builder = new StringBuilder();
                foreach (var part in output.EnumerateArray())
                {
                    if (Str(part, "type"u8) == "input_image") return null;
                    if (Str(part, "text"u8) is { } partText) builder.Append(builder.Length > 0 ? "\n" : "").Append(partText);
                }
                return builder.ToString();
            }
            if (output.ValueKind == JsonValueKind.Object && Str(output, "content"u8) is { } content) return content;
            return output.GetRawText();
        }

        private static string ArgumentsText(JsonElement item) =>
            item.TryGetProperty("arguments"u8, out var arguments)
                ? arguments.ValueKind == JsonValueKind.String ? arguments.GetString()! : arguments.GetRawText()
                : "{}";

        private void AddCall(Block call) => (_pendingCalls ??= []).Add(call);

        private void AddUserText(TextValue text)
        {
            // Anthropic rejects empty and whitespace-only text blocks.
            if (!text.IsBlank) Append(user: true, new Block(BlockKind.Text, text));
        }

        /// <summary>The assistant run as one turn: its joined text (unless blank), then its calls.</summary>
        private void FlushAssistant()
        {
            if (_pendingFirst is null && _pendingText is null && _pendingCalls is null) return;
            TextValue? text = _pendingText is not null ? _pendingText.ToString() : _pendingFirst;
            if (text is { IsBlank: false } said) Append(user: false, new Block(BlockKind.Text, said));
            if (_pendingCalls is not null)
                foreach (var call in _pendingCalls) Append(user: false, call);
            _pendingFirst = null;
            _pendingText = null;
            _pendingCalls = null;
        }

        private void Append(bool user, Block block)
        {
            if (_turns.Count == 0 || _turns[^1].User != user) _turns.Add(new Turn(user));
            _turns[^1].Blocks.Add(block);
        }

        /// <summary>
        /// As the pivot's Anthropic step does: a call not answered in the next user turn gets a placeholder result there,
        /// a result whose call is not in the previous assistant turn becomes text. Ids are Anthropic's from here on.
        /// </summary>
        private void PairToolResults()
        {
            for (var t = 0; t < _turns.Count; t++)
            {
                var blocks = _turns[t].Blocks;
                for (var b = 0; b < blocks.Count; b++)
                    if (blocks[b].Kind != BlockKind.Text) blocks[b] = blocks[b] with { Id = ToolCallIds.ToAnthropic(blocks[b].Id) };
            }
            for (var t = 0; t < _turns.Count; t++)
            {
                var turn = _turns[t];
                if (!turn.User) continue;
                var calls = new HashSet<string>(StringComparer.Ordinal);
                if (t > 0 && !_turns[t - 1].User)
                    foreach (var block in _turns[t - 1].Blocks)
                        if (block.Kind is BlockKind.ToolUse or BlockKind.CustomToolUse) calls.Add(block.Id!);
                for (var b = 0; b < turn.Blocks.Count; b++)
                {
                    var block = turn.Blocks[b];
                    if (block.Kind != BlockKind.ToolResult || calls.Remove(block.Id!)) continue;
                    turn.Blocks[b] = new Block(BlockKind.Text, $"[Result of tool call {block.Id}]\n{block.Text}");
                }
                foreach (var missing in calls)
                    turn.Blocks.Insert(0, new Block(BlockKind.ToolResult, "(no result: the client did not return one)", missing));
            }
        }

        public void Write(Utf8JsonWriter json)
        {
            if (_system.Count > 0)
            {
                json.WriteStartArray("system"u8);
                foreach (var text in _system)
                {
                    json.WriteStartObject();
                    json.WriteString("type"u8, "text"u8);
                    text.Write(json, "text"u8);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteStartArray("messages"u8);
            foreach (var turn in _turns)
            {
                json.WriteStartObject();
                json.WriteString("role"u8, turn.User ? "user"u8 : "assistant"u8);
                json.WriteStartArray("content"u8);
                // Anthropic wants a user turn's tool_result blocks before anything else.
                foreach (var block in turn.Blocks) if (block.Kind == BlockKind.ToolResult) WriteBlock(json, block);
                foreach (var block in turn.Blocks) if (block.Kind != BlockKind.ToolResult) WriteBlock(json, block);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }

        private static void WriteBlock(Utf8JsonWriter json, in Block block)
        {
            json.WriteStartObject();
            switch (block.Kind)
            {
                case BlockKind.Text:
                    json.WriteString("type"u8, "text"u8);
                    block.Text.Write(json, "text"u8);
                    break;
                case BlockKind.ToolResult:
                    json.WriteString("type"u8, "tool_result"u8);
                    json.WriteString("tool_use_id"u8, block.Id);
                    block.Text.Write(json, "content"u8);
                    break;
                default:
                    json.WriteString("type"u8, "tool_use"u8);
                    json.WriteString("id"u8, block.Id);
                    json.WriteString("name"u8, block.Name);
                    json.WritePropertyName("input"u8);
                    if (block.Kind == BlockKind.CustomToolUse)
                    {
                        // The custom tool's plain input, as the one string parameter of the function that stands for it.
                        json.WriteStartObject();
                        json.WriteString(ResponsesWire.CustomToolParameter, block.Text.ToString());
                        json.WriteEndObject();
                    }
                    else WriteArguments(json, block.Text.ToString());
                    break;
            }
            json.WriteEndObject();
        }

        /// <summary>Tool arguments as a JSON object; malformed or non-object arguments become {} (Anthropic requires an object).</summary>
        private static void WriteArguments(Utf8JsonWriter json, string arguments)
        {
            if (!string.IsNullOrWhiteSpace(arguments))
            {
                try
                {
                    using var document = JsonDocument.Parse(arguments);
                    if (document.RootElement.ValueKind == JsonValueKind.Object)
                    {
                        document.RootElement.WriteTo(json);
                        return;
                    }
                }
                catch (JsonException)
                {
                }
            }
            json.WriteStartObject();
            json.WriteEndObject();
        }
    }

    // ---- tools ---------------------------------------------------------------------------------------------

    /// <summary>The request's tools as Anthropic declares them (function, custom and namespace tools; hosted ones dropped).</summary>
    private readonly struct ToolSet(List<(string Name, TextValue? Description, JsonElement Parameters, bool Custom)>? tools)
    {
        public static bool TryRead(JsonElement request, ResponsesToolMap map, ref List<string>? dropped, out ToolSet set)
        {
            set = default;
            List<(string, TextValue?, JsonElement, bool)>? tools = null;
            if (request.TryGetProperty("tools"u8, out var array) && array.ValueKind == JsonValueKind.Array)
                foreach (var tool in array.EnumerateArray())
                    if (!TryRead(tool, null, map, ref tools, ref dropped)) return false;
            // A tool_choice object the pivot refuses (a hosted tool, an unknown type) is refused there, with its words.
            if (request.TryGetProperty("tool_choice"u8, out var choice) && choice.ValueKind == JsonValueKind.Object
                && !(Str(choice, "type"u8) is "function" or "custom" && Str(choice, "name"u8) is not null || Str(choice, "type"u8) == "allowed_tools")) return false;
            set = new ToolSet(tools);
            return true;
        }

        private static bool TryRead(JsonElement tool, string? ns, ResponsesToolMap map, ref List<(string, TextValue?, JsonElement, bool)>? tools, ref List<string>? dropped)
        {
            var type = Str(tool, "type"u8);
            switch (type)
            {
                case "function":
                    if (Str(tool, "name"u8) is not { } name) return false;
                    var upstreamName = ResponsesToChatRequest.FlattenedName(name, ns);
                    if (ns is not null) map.Add(upstreamName, new ResponsesTool(ResponsesToolKind.Function, name, ns));
                    TextValue? description = tool.TryGetProperty("description"u8, out var text) && text.ValueKind == JsonValueKind.String ? TextValue.Of(text) : (TextValue?)null;
                    (tools ??= []).Add((upstreamName, description, tool.TryGetProperty("parameters"u8, out var parameters) ? parameters : default, false));
                    return true;
                case "custom":
                    if (Str(tool, "name"u8) is not { } customName) return false;
                    map.Add(customName, new ResponsesTool(ResponsesToolKind.Custom, customName, null));
                    (tools ??= []).Add((customName, ResponsesToChatRequest.CustomDescription(tool) is { } custom ? new TextValue(custom) : (TextValue?)null, default, true));
                    return true;
                case "namespace":
                    if (Str(tool, "name"u8) is not { } space) return false;
                    if (tool.TryGetProperty("tools"u8, out var members) && members.ValueKind == JsonValueKind.Array)
                        foreach (var member in members.EnumerateArray())
                            if (!TryRead(member, space, map, ref tools, ref dropped)) return false;
                    return true;
                case not null when ResponsesWire.IsHostedTool(type):
                    (dropped ??= []).Add(type);
                    return true;
                default:
                    return false; // local_shell and unknown types: the pivot
            }
        }

        /// <summary>Writes tools and tool_choice; whether the choice forces a tool (which rules out thinking).</summary>
        public bool Write(Utf8JsonWriter json, JsonElement request)
        {
            if (tools is null) return false;
            json.WriteStartArray("tools"u8);
            foreach (var (toolName, description, parameters, custom) in tools)
            {
                json.WriteStartObject();
                json.WriteString("name"u8, toolName);
                if (description is { IsEmpty: false } said) said.Write(json, "description"u8);
                json.WritePropertyName("input_schema"u8);
                if (custom) ResponsesToChatRequest.WriteCustomSchema(json);
                else if (parameters.ValueKind == JsonValueKind.Object) parameters.WriteTo(json);
                else OpenAIToAnthropicRequest.WriteEmptyInputSchema(json);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            var noParallel = request.TryGetProperty("parallel_tool_calls"u8, out var parallel) && parallel.ValueKind == JsonValueKind.False;
            string? type = null, name = null;
            if (request.TryGetProperty("tool_choice"u8, out var choice))
            {
                if (choice.ValueKind == JsonValueKind.String)
                {
                    type = choice.GetString() switch { "required" => "any", "none" => "none", "auto" => "auto", _ => null };
                }
                else if (choice.ValueKind == JsonValueKind.Object)
                {
                    var choiceType = Str(choice, "type"u8);
                    if (choiceType is "function" or "custom" && Str(choice, "name"u8) is { } chosen)
                    {
                        type = "tool";
                        name = ResponsesToChatRequest.FlattenedName(chosen, Str(choice, "namespace"u8));
                    }
                    else if (choiceType == "allowed_tools") type = Str(choice, "mode"u8) == "required" ? "any" : "auto";
                }
            }
            if (type is null && !noParallel) return false; // nothing to say: Anthropic's default is auto
            type ??= "auto";
            json.WriteStartObject("tool_choice"u8);
            json.WriteString("type"u8, type);
            if (name is not null) json.WriteString("name"u8, name);
            if (noParallel && type != "none") json.WriteBoolean("disable_parallel_tool_use"u8, true);
            json.WriteEndObject();
            return type is "any" or "tool";
        }
    }
}
