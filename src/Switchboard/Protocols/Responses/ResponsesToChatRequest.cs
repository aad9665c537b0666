using System.Text;
using System.Text.Json;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.Responses;

/// <summary>
/// A Responses API request (<c>POST /v1/responses</c>, stateless as Codex sends it) → an OpenAI Chat Completions request,
/// the gateway's pivot form: from there the existing translators reach Anthropic and Gemini, and OpenAI-compatible
/// upstreams take it as it is. Runs once per request.
/// <para>
/// <c>instructions</c> become the first system message; message items keep their role (developer, system, user,
/// assistant) with input_text/output_text as text parts and input_image as image_url parts; consecutive assistant
/// output (text, function_call, custom_tool_call, local_shell_call) merges into one assistant message with tool_calls;
/// function_call_output (and the custom/local-shell ones) become tool messages. Reasoning items are dropped: their
/// encrypted content can be read only by OpenAI (who gets the request passed through unchanged instead).
/// </para>
/// </summary>
internal static class ResponsesToChatRequest
{
    /// <summary>The Chat request body (UTF-8 JSON), and what the response translation needs to know about the tools.</summary>
    /// <param name="droppedTools">Hosted tools left out (the caller logs them); null when none were.</param>
    /// <exception cref="TranslationException">The request is not of the Responses API's shape.</exception>
    /// <exception cref="UnsupportedByTargetException">tool_choice demands a hosted tool only OpenAI runs.</exception>
    /// <param name="modelId">The upstream's model id; the request's own model when null.</param>
    /// <param name="maxOutputTokens">A cap for max_output_tokens, when the target has one.</param>
    /// <param name="prior">previous_response_id's conversation (a JSON array of items), to go before the input.</param>
    public static byte[] Translate(JsonElement request, out ResponsesToolMap? tools, out List<string>? droppedTools, string? modelId = null, int? maxOutputTokens = null,
        ReadOnlyMemory<byte> prior = default)
    {
        if (request.ValueKind != JsonValueKind.Object) throw new TranslationException("the request must be a JSON object.");
        var map = new ResponsesToolMap();
        droppedTools = null;
        var buffer = ScratchBuffer.Rent();
        using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
        {
            json.WriteStartObject();
            if (modelId is not null) json.WriteString("model"u8, modelId);
            else if (request.TryGetProperty("model"u8, out var model) && model.ValueKind == JsonValueKind.String) json.WriteString("model"u8, model.GetString());
            WriteMessages(json, request, prior);
            WriteTools(json, request, map, ref droppedTools);
            WriteOptions(json, request, maxOutputTokens);
            json.WriteEndObject();
        }
        tools = map.IsEmpty ? null : map;
        return ScratchBuffer.ToArrayAndReturn(buffer);
    }

    // ---- messages -----------------------------------------------------------------------------------------

    private static void WriteMessages(Utf8JsonWriter json, JsonElement request, ReadOnlyMemory<byte> prior)
    {
        json.WriteStartArray("messages"u8);
        if (request.TryGetProperty("instructions"u8, out var instructions) && instructions.ValueKind == JsonValueKind.String && instructions.GetString() is { Length: > 0 } text)
        {
            json.WriteStartObject();
            json.WriteString("role"u8, "system"u8);
            json.WriteString("content"u8, text);
            json.WriteEndObject();
        }
        if (!request.TryGetProperty("input"u8, out var input)) throw new TranslationException("'input' is required.");
        if (!prior.IsEmpty)
        {
            // The stored conversation first, as if the client had sent it whole.
            using var document = JsonDocument.Parse(prior);
            var pending = new PendingAssistant();
            var index = 0;
            foreach (var item in document.RootElement.EnumerateArray()) WriteItem(json, item, index++, ref pending);
            pending.Flush(json);
        }
        if (input.ValueKind == JsonValueKind.String)
        {
            json.WriteStartObject();
            json.WriteString("role"u8, "user"u8);
            json.WriteString("content"u8, input.GetString());
            json.WriteEndObject();
        }
        else if (input.ValueKind == JsonValueKind.Array)
        {
            var assistant = new PendingAssistant();
            var index = 0;
            foreach (var item in input.EnumerateArray())
            {
                WriteItem(json, item, index++, ref assistant);
            }
            assistant.Flush(json);
        }
        else throw new TranslationException("'input' must be a string or an array of items.");
        json.WriteEndArray();
    }

    private static void WriteItem(Utf8JsonWriter json, JsonElement item, int index, ref PendingAssistant assistant)
    {
        if (item.ValueKind != JsonValueKind.Object) throw new TranslationException($"input[{index}] must be an object.");
        var type = Str(item, "type"u8) ?? (item.TryGetProperty("role"u8, out _) ? "message" : null);
        switch (type)
        {
            case "message":
                var role = Str(item, "role"u8) ?? throw new TranslationException($"input[{index}] (a message) needs a 'role'.");
                if (role == "assistant")
                {
                    assistant.AddText(AssistantText(item, index));
                    return;
                }
                if (role is not ("user" or "system" or "developer"))
                    throw new TranslationException($"input[{index}] has role '{role}': the Responses API's roles are user, assistant, system and developer.");
                assistant.Flush(json);
                WriteMessage(json, role, item, index);
                return;
            case "function_call":
                assistant.AddCall(Required(item, "call_id"u8, index), FlattenedName(Required(item, "name"u8, index), Str(item, "namespace"u8)), ArgumentsText(item));
                return;
            case "custom_tool_call":
                assistant.AddCall(Required(item, "call_id"u8, index), Required(item, "name"u8, index), CustomArguments(Str(item, "input"u8) ?? ""));
                return;
            case "local_shell_call":
                assistant.AddCall(Str(item, "call_id"u8) ?? Required(item, "id"u8, index), LocalShell.FunctionName,
                    item.TryGetProperty("action"u8, out var action) ? LocalShell.ArgumentsFromAction(action) : "{}");
                return;
            case "function_call_output" or "custom_tool_call_output" or "local_shell_call_output":
                assistant.Flush(json);
                WriteToolOutput(json, Str(item, "call_id"u8) ?? Required(item, "id"u8, index), item);
                return;
            case "reasoning":
                // Encrypted reasoning is OpenAI's to read; its summary was shown to the user already. Nothing to send.
                return;
            case "item_reference":
                throw new TranslationException($"input[{index}] is an item_reference: Switchboard stores no items by id; send the item itself (Codex does with store: false).");
            case null:
                throw new TranslationException($"input[{index}] has no 'type'.");
            default:
                if (type.EndsWith("_call", StringComparison.Ordinal) || type.EndsWith("_call_output", StringComparison.Ordinal))
                    throw new UnsupportedByTargetException($"input[{index}] is a '{type}' item, the history of a tool only OpenAI runs; it cannot be replayed to this model.");
                throw new TranslationException($"input[{index}] has type '{type}', which Switchboard does not know.");
        }
    }

    private static void WriteMessage(Utf8JsonWriter json, string role, JsonElement item, int index)
    {
        json.WriteStartObject();
        json.WriteString("role"u8, role);
        if (!item.TryGetProperty("content"u8, out var content)) throw new TranslationException($"input[{index}] (a message) needs 'content'.");
        if (content.ValueKind == JsonValueKind.String)
        {
            json.WriteString("content"u8, content.GetString());
        }
        else if (content.ValueKind == JsonValueKind.Array)
        {
            // System and developer messages take text only (as Chat's do): their parts are joined.
            if (role != "user")
            {
                json.WriteString("content"u8, JoinText(content, index));
            }
            else
            {
                json.WriteStartArray("content"u8);
                foreach (var part in content.EnumerateArray()) WritePart(json, part, index);
                json.WriteEndArray();
            }
        }
        else throw new TranslationException($"input[{index}].content must be a string or an array of parts.");
        json.WriteEndObject();
    }

    private static void WritePart(Utf8JsonWriter json, JsonElement part, int index)
    {
        switch (Str(part, "type"u8))
        {
            case "input_text" or "output_text" or "text":
                json.WriteStartObject();
                json.WriteString("type"u8, "text"u8);
                json.WriteString("text"u8, Str(part, "text"u8) ?? "");
                json.WriteEndObject();
                return;
            case "input_image":
                var url = Str(part, "image_url"u8)
                    ?? throw new UnsupportedByTargetException($"input[{index}] has an input_image by file_id: the file is stored at OpenAI; send it as image_url (a data URL or https URL).");
                json.WriteStartObject();
                json.WriteString("type"u8, "image_url"u8);
                json.WriteStartObject("image_url"u8);
                json.WriteString("url"u8, url);
                if (Str(part, "detail"u8) is { } detail and not "auto") json.WriteString("detail"u8, detail);
                json.WriteEndObject();
                json.WriteEndObject();
                return;
            case "input_file":
                var data = Str(part, "file_data"u8)
                    ?? throw new UnsupportedByTargetException($"input[{index}] has an input_file without file_data (by file_id or file_url): send the file's bytes as file_data.");
                json.WriteStartObject();
                json.WriteString("type"u8, "file"u8);
                json.WriteStartObject("file"u8);
                json.WriteString("file_data"u8, data);
                if (Str(part, "filename"u8) is { } filename) json.WriteString("filename"u8, filename);
                json.WriteEndObject();
                json.WriteEndObject();
                return;
            case var other:
                throw new TranslationException($"input[{index}] has a content part of type '{other ?? "none"}': a message takes input_text, input_image and input_file parts.");
        }
    }

    private static void WriteToolOutput(Utf8JsonWriter json, string callId, JsonElement item)
    {
        List<JsonElement>? images = null;
        string text;
        if (!item.TryGetProperty("output"u8, out var output) || output.ValueKind == JsonValueKind.Null) text = "";
        else if (output.ValueKind == JsonValueKind.String) text = output.GetString()!;
        else if (output.ValueKind == JsonValueKind.Array)
        {
            var builder = new StringBuilder();
            foreach (var part in output.EnumerateArray())
            {
                var partType = Str(part, "type"u8);
                if (partType == "input_image") (images ??= []).Add(part);
                else if (Str(part, "text"u8) is { } partText) builder.Append(builder.Length > 0 ? "\n" : "").Append(partText);
            }
            text = builder.ToString();
        }
        else if (output.ValueKind == JsonValueKind.Object && Str(output, "content"u8) is { } content) text = content; // { content, success } as some clients send
        else text = output.GetRawText();

        json.WriteStartObject();
        json.WriteString("role"u8, "tool"u8);
        json.WriteString("tool_call_id"u8, callId);
        json.WriteString("content"u8, text);
        json.WriteEndObject();
        if (images is null) return;
        // Images from a tool's output follow in a user message (Chat's tool messages take text only).
        json.WriteStartObject();
        json.WriteString("role"u8, "user"u8);
        json.WriteStartArray("content"u8);
        foreach (var image in images) WritePart(json, image, 0);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string AssistantText(JsonElement item, int index)
    {
        if (!item.TryGetProperty("content"u8, out var content)) return "";
        return content.ValueKind switch
        {
            JsonValueKind.String => content.GetString()!,
            JsonValueKind.Array => JoinText(content, index),
            _ => throw new TranslationException($"input[{index}].content must be a string or an array of parts."),
        };
    }

    /// <summary>The text of text-like parts (input_text, output_text, refusal), one after another.</summary>
    private static string JoinText(JsonElement parts, int index) =>
        TryJoinText(parts, out var other) ?? throw new UnsupportedByTargetException($"input[{index}] has a '{other ?? "none"}' part where only text can go (system, developer and assistant messages take text).");

    /// <summary>The text of text-like parts one after another; null, with the first other part's type, when there is one.</summary>
    internal static string? TryJoinText(JsonElement parts, out string? otherType)
    {
        var builder = new StringBuilder();
        foreach (var part in parts.EnumerateArray())
        {
            switch (Str(part, "type"u8))
            {
                case "input_text" or "output_text" or "text":
                    builder.Append(Str(part, "text"u8));
                    break;
                case "refusal":
                    builder.Append(Str(part, "refusal"u8));
                    break;
                case var other:
                    otherType = other;
                    return null;
            }
        }
        otherType = null;
        return builder.ToString();
    }

    /// <summary>An assistant turn being collected: its text and tool calls go out as one Chat message.</summary>
    private struct PendingAssistant
    {
        private StringBuilder? _text;
        private List<(string Id, string Name, string Arguments)>? _calls;

        public void AddText(string text)
        {
            // Text after a call in the same turn stays in the turn (Chat has one content per assistant message).
            if (text.Length > 0) (_text ??= new StringBuilder()).Append(text);
        }

        public void AddCall(string id, string name, string arguments) => (_calls ??= []).Add((id, name, arguments));

        public void Flush(Utf8JsonWriter json)
        {
            if (_text is null && _calls is null) return;
            json.WriteStartObject();
            json.WriteString("role"u8, "assistant"u8);
            if (_text is { Length: > 0 }) json.WriteString("content"u8, _text.ToString());
            else json.WriteNull("content"u8);
            if (_calls is not null)
            {
                json.WriteStartArray("tool_calls"u8);
                foreach (var (id, name, arguments) in _calls)
                {
                    json.WriteStartObject();
                    json.WriteString("id"u8, id);
                    json.WriteString("type"u8, "function"u8);
                    json.WriteStartObject("function"u8);
                    json.WriteString("name"u8, name);
                    json.WriteString("arguments"u8, arguments);
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
            _text = null;
            _calls = null;
        }
    }

    // ---- tools --------------------------------------------------------------------------------------------

    private static void WriteTools(Utf8JsonWriter json, JsonElement request, ResponsesToolMap map, ref List<string>? dropped)
    {
        var wroteAny = false;
        if (request.TryGetProperty("tools"u8, out var tools) && tools.ValueKind == JsonValueKind.Array)
        {
            foreach (var tool in tools.EnumerateArray())
                WriteTool(json, tool, null, map, ref dropped, ref wroteAny);
            if (wroteAny) json.WriteEndArray();
        }

        if (request.TryGetProperty("tool_choice"u8, out var choice))
        {
            if (choice.ValueKind == JsonValueKind.String)
            {
                if (choice.GetString() is "auto" or "none" or "required" && (wroteAny || choice.GetString() == "none")) json.WriteString("tool_choice"u8, choice.GetString());
            }
            else if (choice.ValueKind == JsonValueKind.Object)
            {
                var type = Str(choice, "type"u8);
                if (type is "function" or "custom" && Str(choice, "name"u8) is { } name)
                {
                    json.WriteStartObject("tool_choice"u8);
                    json.WriteString("type"u8, "function"u8);
                    json.WriteStartObject("function"u8);
                    json.WriteString("name"u8, FlattenedName(name, Str(choice, "namespace"u8)));
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
                else if (type == "allowed_tools")
                {
                    if (wroteAny) json.WriteString("tool_choice"u8, Str(choice, "mode"u8) == "required" ? "required"u8 : "auto"u8);
                }
                else if (type is not null && ResponsesWire.IsHostedTool(type))
                {
                    throw new UnsupportedByTargetException($"tool_choice demands the hosted tool '{type}', which only OpenAI runs: choose an OpenAI model, or let the model choose (tool_choice: auto).");
                }
                else throw new TranslationException($"tool_choice of type '{type ?? "none"}' is not one Switchboard knows.");
            }
        }
        if (wroteAny && request.TryGetProperty("parallel_tool_calls"u8, out var parallel) && parallel.ValueKind is JsonValueKind.True or JsonValueKind.False)
            json.WriteBoolean("parallel_tool_calls"u8, parallel.ValueKind == JsonValueKind.True);
    }

    private static void WriteTool(Utf8JsonWriter json, JsonElement tool, string? ns, ResponsesToolMap map, ref List<string>? dropped, ref bool wroteAny)
    {
        var type = Str(tool, "type"u8);
        switch (type)
        {
            case "function":
                var name = Str(tool, "name"u8) ?? throw new TranslationException("a function tool needs a 'name'.");
                var upstreamName = FlattenedName(name, ns);
                if (ns is not null) map.Add(upstreamName, new ResponsesTool(ResponsesToolKind.Function, name, ns));
                StartFunction(json, ref wroteAny, upstreamName, Str(tool, "description"u8));
                if (tool.TryGetProperty("parameters"u8, out var parameters) && parameters.ValueKind == JsonValueKind.Object)
                {
                    json.WritePropertyName("parameters"u8);
                    parameters.WriteTo(json);
                }
                else WriteEmptyObjectSchema(json);
                if (tool.TryGetProperty("strict"u8, out var strict) && strict.ValueKind is JsonValueKind.True) json.WriteBoolean("strict"u8, true);
                EndFunction(json);
                return;
            case "custom":
                var customName = Str(tool, "name"u8) ?? throw new TranslationException("a custom tool needs a 'name'.");
                map.Add(customName, new ResponsesTool(ResponsesToolKind.Custom, customName, null));
                StartFunction(json, ref wroteAny, customName, CustomDescription(tool));
                json.WritePropertyName("parameters"u8);
                WriteCustomSchema(json);
                EndFunction(json);
                return;
            case "local_shell":
                map.Add(LocalShell.FunctionName, new ResponsesTool(ResponsesToolKind.LocalShell, LocalShell.FunctionName, null));
                StartFunction(json, ref wroteAny, LocalShell.FunctionName, LocalShell.Description);
                json.WritePropertyName("parameters"u8);
                json.WriteRawValue(LocalShell.ParametersSchema);
                EndFunction(json);
                return;
            case "namespace":
                var space = Str(tool, "name"u8) ?? throw new TranslationException("a namespace tool needs a 'name'.");
                if (tool.TryGetProperty("tools"u8, out var members) && members.ValueKind == JsonValueKind.Array)
                    foreach (var member in members.EnumerateArray()) WriteTool(json, member, space, map, ref dropped, ref wroteAny);
                return;
            case not null when ResponsesWire.IsHostedTool(type):
                (dropped ??= []).Add(type);
                return;
            default:
                throw new TranslationException($"a tool of type '{type ?? "none"}' is not one Switchboard knows (function, custom, namespace, local_shell, or a hosted tool).");
        }
    }

    private static void StartFunction(Utf8JsonWriter json, ref bool wroteAny, string name, string? description)
    {
        if (!wroteAny)
        {
            json.WriteStartArray("tools"u8);
            wroteAny = true;
        }
        json.WriteStartObject();
        json.WriteString("type"u8, "function"u8);
        json.WriteStartObject("function"u8);
        json.WriteString("name"u8, name);
        if (description is { Length: > 0 }) json.WriteString("description"u8, description);
    }

    private static void EndFunction(Utf8JsonWriter json)
    {
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteEmptyObjectSchema(Utf8JsonWriter json)
    {
        json.WriteStartObject("parameters"u8);
        json.WriteString("type"u8, "object"u8);
        json.WriteStartObject("properties"u8);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>The schema of the function that stands for a custom tool: one free-form string parameter.</summary>
    internal static void WriteCustomSchema(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "object"u8);
        json.WriteStartObject("properties"u8);
        json.WriteStartObject(ResponsesWire.CustomToolParameter);
        json.WriteString("type"u8, "string"u8);
        json.WriteString("description"u8, "The tool's whole input, as free-form text in the format the tool's description gives (not JSON-encoded further).");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("required"u8);
        json.WriteStringValue(ResponsesWire.CustomToolParameter);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>A custom tool's description, with its input grammar when it has one (the model must write input that parses).</summary>
    internal static string? CustomDescription(JsonElement tool)
    {
        var description = Str(tool, "description"u8);
        if (!tool.TryGetProperty("format"u8, out var format) || format.ValueKind != JsonValueKind.Object || Str(format, "type"u8) != "grammar") return description;
        var definition = Str(format, "definition"u8);
        if (definition is null) return description;
        return $"{description}\n\nThe input must match this {Str(format, "syntax"u8) ?? "grammar"} grammar:\n{definition}";
    }

    /// <summary>A namespace member's function name upstream: <c>namespace__name</c>.</summary>
    internal static string FlattenedName(string name, string? ns) => ns is null ? name : ns + ResponsesWire.NamespaceSeparator + name;

    private static string CustomArguments(string input)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(input.Length + 16);
        using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString(ResponsesWire.CustomToolParameter, input);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string ArgumentsText(JsonElement item) =>
        item.TryGetProperty("arguments"u8, out var arguments)
            ? arguments.ValueKind == JsonValueKind.String ? arguments.GetString()! : arguments.GetRawText()
            : "{}";

    // ---- options ------------------------------------------------------------------------------------------

    private static void WriteOptions(Utf8JsonWriter json, JsonElement request, int? cap)
    {
        if (Long(request, "max_output_tokens"u8) is { } max) json.WriteNumber("max_completion_tokens"u8, cap is { } c && max > c ? c : max);
        CopyNumber(json, request, "temperature"u8);
        CopyNumber(json, request, "top_p"u8);
        if (request.TryGetProperty("reasoning"u8, out var reasoning) && reasoning.ValueKind == JsonValueKind.Object && Str(reasoning, "effort"u8) is { } effort)
            json.WriteString("reasoning_effort"u8, effort == "minimal" ? "low" : effort == "xhigh" ? "high" : effort);
        if (request.TryGetProperty("text"u8, out var text) && text.ValueKind == JsonValueKind.Object
            && text.TryGetProperty("format"u8, out var format) && format.ValueKind == JsonValueKind.Object)
        {
            switch (Str(format, "type"u8))
            {
                case "json_schema":
                    json.WriteStartObject("response_format"u8);
                    json.WriteString("type"u8, "json_schema"u8);
                    json.WriteStartObject("json_schema"u8);
                    json.WriteString("name"u8, Str(format, "name"u8) ?? "response");
                    if (Str(format, "description"u8) is { } description) json.WriteString("description"u8, description);
                    if (format.TryGetProperty("schema"u8, out var schema))
                    {
                        json.WritePropertyName("schema"u8);
                        schema.WriteTo(json);
                    }
                    if (format.TryGetProperty("strict"u8, out var strict) && strict.ValueKind is JsonValueKind.True or JsonValueKind.False)
                        json.WriteBoolean("strict"u8, strict.ValueKind == JsonValueKind.True);
                    json.WriteEndObject();
                    json.WriteEndObject();
                    break;
                case "json_object":
                    json.WriteStartObject("response_format"u8);
                    json.WriteString("type"u8, "json_object"u8);
                    json.WriteEndObject();
                    break;
            }
        }
        if ((Str(request, "safety_identifier"u8) ?? Str(request, "user"u8)) is { } user) json.WriteString("user"u8, user);
        if (request.TryGetProperty("stream"u8, out var stream) && stream.ValueKind == JsonValueKind.True)
        {
            json.WriteBoolean("stream"u8, true);
            json.WriteStartObject("stream_options"u8);
            json.WriteBoolean("include_usage"u8, true);
            json.WriteEndObject();
        }
    }

    private static void CopyNumber(Utf8JsonWriter json, JsonElement request, ReadOnlySpan<byte> name)
    {
        if (request.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number)
        {
            json.WritePropertyName(name);
            value.WriteTo(json);
        }
    }

    private static string? Str(JsonElement element, ReadOnlySpan<byte> name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Required(JsonElement item, ReadOnlySpan<byte> name, int index) =>
        Str(item, name) ?? throw new TranslationException($"input[{index}] needs '{Encoding.UTF8.GetString(name)}' (a string).");

    private static long? Long(JsonElement element, ReadOnlySpan<byte> name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var v) ? v : null;
}
