using Switchboard.Models;
using System.Text;
using System.Text.Json;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.Responses;

/// <summary>
/// An OpenAI Chat Completions request (a Chat client's, or the gateway's Chat pivot of an Anthropic client's) → an OpenAI
/// Responses request, for models served only at <c>/v1/responses</c>. Stateless, as Codex uses the API: <c>store: false</c>
/// and the whole conversation as <c>input</c> items every turn.
/// <list type="bullet">
/// <item>Leading system/developer messages → <c>instructions</c>; later ones → developer message items.</item>
/// <item>user → message items (<c>input_text</c>, <c>input_image</c>, <c>input_file</c>); assistant → its reasoning items
///   (encrypted, from <c>reasoning_details</c>: see <see cref="ResponsesUpstreamWire"/>), an output_text message and
///   <c>function_call</c> items; tool → <c>function_call_output</c>.</item>
/// <item>tools (function) flattened to <c>{type, name, description, parameters, strict}</c> (strict false unless the client
///   said true: Responses defaults to true, Chat to false); tool_choice likewise; parallel_tool_calls as is.</item>
/// <item>max_completion_tokens / max_tokens → max_output_tokens (capped); reasoning_effort → <c>reasoning.effort</c> with
///   <c>summary: auto</c>; response_format → <c>text.format</c>; temperature, top_p, user, metadata, prompt_cache_key,
///   safety_identifier, service_tier as is.</item>
/// <item>Reasoning models get <c>include: ["reasoning.encrypted_content"]</c> so their reasoning can come back next turn.</item>
/// <item>Dropped (no Responses equivalent, documented in Protocols/README.md): stop, n = 1, seed, logprobs,
///   frequency/presence penalties, logit_bias, stream_options (usage always comes in response.completed). n &gt; 1 is refused.</item>
/// </list>
/// </summary>
internal static class ChatToResponsesUpstreamRequest
{
    public static byte[] Translate(JsonElement chat, TranslationTarget target)
    {
        var buffer = ScratchBuffer.Rent();
        using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions)) Write(json, chat, target);
        return ScratchBuffer.ToArrayAndReturn(buffer);
    }

    private static void Write(Utf8JsonWriter json, JsonElement chat, TranslationTarget target)
    {
        if (chat.TryGetProperty("n"u8, out JsonElement n) && n.TryGetInt32(out int choices) && choices > 1)
            throw new UnsupportedByTargetException("n > 1 (several choices) has no equivalent in the OpenAI Responses API: send n: 1, or use a Chat Completions model.");

        json.WriteStartObject();
        json.WriteString("model"u8, target.ModelId);
        WriteInput(json, chat);

        long? max = Long(chat, "max_completion_tokens"u8) ?? Long(chat, "max_tokens"u8);
        if (max is long m)
        {
            if (target.MaxOutputTokens is int cap && m > cap) m = cap;
            json.WriteNumber("max_output_tokens"u8, m);
        }
        foreach (var name in (ReadOnlySpan<string>)["temperature", "top_p", "parallel_tool_calls", "user", "metadata", "prompt_cache_key", "safety_identifier", "service_tier", "top_logprobs"])
        {
            if (chat.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null)
            {
                json.WritePropertyName(name);
                value.WriteTo(json);
            }
        }
        if (chat.TryGetProperty("stream"u8, out JsonElement stream) && stream.ValueKind == JsonValueKind.True) json.WriteBoolean("stream"u8, true);
        json.WriteBoolean("store"u8, false);

        string? effort = Str(chat, "reasoning_effort"u8);
        bool reasoning = effort is not null && effort != "none" || ReasoningSupport.IsOpenAIReasoningModel(target.ModelId)
            || target.ModelId.Contains("codex", StringComparison.OrdinalIgnoreCase);
        if (effort is not null || reasoning)
        {
            json.WriteStartObject("reasoning"u8);
            if (effort is not null) json.WriteString("effort"u8, effort);
            if (reasoning) json.WriteString("summary"u8, "auto"u8);
            json.WriteEndObject();
        }
        if (reasoning)
        {
            json.WriteStartArray("include"u8);
            json.WriteStringValue("reasoning.encrypted_content"u8);
            json.WriteEndArray();
        }

        WriteTextFormat(json, chat);
        WriteTools(json, chat);
        json.WriteEndObject();
    }

    private static void WriteInput(Utf8JsonWriter json, JsonElement chat)
    {
        if (!chat.TryGetProperty("messages"u8, out JsonElement messages) || messages.ValueKind != JsonValueKind.Array)
            throw new TranslationException("the request has no messages array.");

        // Leading system/developer messages are the instructions; a later one stays in place as a developer message.
        var instructions = new StringBuilder();
        int first = 0;
        foreach (JsonElement message in messages.EnumerateArray())
        {
            if (Str(message, "role"u8) is not ("system" or "developer")) break;
            string text = ContentRules.OpenAIText(Content(message), ApiFormat.Responses);
            if (text.Length > 0) instructions.Append(instructions.Length > 0 ? "\n\n" : "").Append(text);
            first++;
        }
        if (instructions.Length > 0) json.WriteString("instructions"u8, instructions.ToString());

        json.WriteStartArray("input"u8);
        int index = 0;
        foreach (JsonElement message in messages.EnumerateArray())
        {
            if (index++ < first) continue;
            string? role = Str(message, "role"u8);
            switch (role)
            {
                case "system" or "developer":
                    WriteTextMessage(json, "developer"u8, ContentRules.OpenAIText(Content(message), ApiFormat.Responses));
                    break;
                case "user":
                    WriteUser(json, Content(message));
                    break;
                case "assistant":
                    WriteAssistant(json, message);
                    break;
                case "tool":
                    json.WriteStartObject();
                    json.WriteString("type"u8, "function_call_output"u8);
                    json.WriteString("call_id"u8, Str(message, "tool_call_id"u8) ?? "");
                    json.WriteString("output"u8, ContentRules.OpenAIText(Content(message), ApiFormat.Responses));
                    json.WriteEndObject();
                    break;
                default:
                    throw ContentRules.Role(role, ApiFormat.Responses);
            }
        }
        json.WriteEndArray();
    }

    private static void WriteTextMessage(Utf8JsonWriter json, ReadOnlySpan<byte> role, string text)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "message"u8);
        json.WriteString("role"u8, role);
        json.WriteStartArray("content"u8);
        json.WriteStartObject();
        json.WriteString("type"u8, role.SequenceEqual("assistant"u8) ? "output_text"u8 : "input_text"u8);
        json.WriteString("text"u8, text);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteUser(Utf8JsonWriter json, JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            WriteTextMessage(json, "user"u8, content.GetString()!);
            return;
        }
        if (content.ValueKind != JsonValueKind.Array) return;
        json.WriteStartObject();
        json.WriteString("type"u8, "message"u8);
        json.WriteString("role"u8, "user"u8);
        json.WriteStartArray("content"u8);
        foreach (JsonElement part in content.EnumerateArray())
        {
            switch (Str(part, "type"u8))
            {
                case "text":
                    json.WriteStartObject();
                    json.WriteString("type"u8, "input_text"u8);
                    json.WriteString("text"u8, Str(part, "text"u8) ?? "");
                    json.WriteEndObject();
                    break;
                case "image_url":
                    JsonElement image = part.GetProperty("image_url"u8);
                    json.WriteStartObject();
                    json.WriteString("type"u8, "input_image"u8);
                    json.WriteString("image_url"u8, image.ValueKind == JsonValueKind.String ? image.GetString() : Str(image, "url"u8) ?? "");
                    json.WriteString("detail"u8, Str(image, "detail"u8) ?? "auto");
                    json.WriteEndObject();
                    break;
                case "file":
                    JsonElement file = part.GetProperty("file"u8);
                    json.WriteStartObject();
                    json.WriteString("type"u8, "input_file"u8);
                    if (Str(file, "file_id"u8) is { } fileId) json.WriteString("file_id"u8, fileId);
                    if (Str(file, "file_data"u8) is { } fileData) json.WriteString("file_data"u8, fileData);
                    if (Str(file, "filename"u8) is { } filename) json.WriteString("filename"u8, filename);
                    json.WriteEndObject();
                    break;
                case var other:
                    throw ContentRules.Part(other, ApiFormat.Responses, "user messages take text, image_url and file parts");
            }
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteAssistant(Utf8JsonWriter json, JsonElement message)
    {
        // Reasoning first: an item's reasoning precedes what it led to (a message or function calls).
        if (message.TryGetProperty("reasoning_details"u8, out JsonElement details) && details.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement detail in details.EnumerateArray())
            {
                // Another provider's reasoning (OpenRouter's other formats) means nothing here.
                if (ResponsesUpstreamWire.IsEncryptedDetail(detail, out string? id, out string? data)) WriteReasoningItem(json, id, data);
            }
        }

        string text = message.TryGetProperty("content"u8, out JsonElement content) ? ContentRules.OpenAIText(content, ApiFormat.Responses, assistant: true) : "";
        if (Str(message, "refusal"u8) is { Length: > 0 } refusal) text = text.Length > 0 ? text + "\n" + refusal : refusal;
        if (text.Length > 0) WriteTextMessage(json, "assistant"u8, text);

        if (message.TryGetProperty("tool_calls"u8, out JsonElement calls) && calls.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement call in calls.EnumerateArray())
            {
                if (!call.TryGetProperty("function"u8, out JsonElement function)) continue;
                // No item id (fc_…): with store false the upstream would look for the reasoning item it was paired with.
                json.WriteStartObject();
                json.WriteString("type"u8, "function_call"u8);
                json.WriteString("call_id"u8, Str(call, "id"u8) ?? ToolCallIds.NewOpenAIId());
                json.WriteString("name"u8, Str(function, "name"u8) ?? "");
                json.WriteString("arguments"u8, Str(function, "arguments"u8) is { Length: > 0 } arguments ? arguments : "{}");
                json.WriteEndObject();
            }
        }
    }

    /// <summary>A reasoning input item: its id and encrypted content (an empty summary, which the item requires).</summary>
    internal static void WriteReasoningItem(Utf8JsonWriter json, string? id, string encryptedContent)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "reasoning"u8);
        if (!string.IsNullOrEmpty(id)) json.WriteString("id"u8, id);
        json.WriteStartArray("summary"u8);
        json.WriteEndArray();
        json.WriteString("encrypted_content"u8, encryptedContent);
        json.WriteEndObject();
    }

    private static void WriteTextFormat(Utf8JsonWriter json, JsonElement chat)
    {
        if (!chat.TryGetProperty("response_format"u8, out JsonElement format) || format.ValueKind != JsonValueKind.Object) return;
        json.WriteStartObject("text"u8);
        json.WriteStartObject("format"u8);
        switch (Str(format, "type"u8))
        {
            case "json_schema":
                json.WriteString("type"u8, "json_schema"u8);
                if (format.TryGetProperty("json_schema"u8, out JsonElement schema) && schema.ValueKind == JsonValueKind.Object)
                {
                    // Chat nests name/schema/strict/description under json_schema; Responses puts them beside type.
                    foreach (JsonProperty property in schema.EnumerateObject()) property.WriteTo(json);
                }
                break;
            case "json_object":
                json.WriteString("type"u8, "json_object"u8);
                break;
            default:
                json.WriteString("type"u8, "text"u8);
                break;
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteTools(Utf8JsonWriter json, JsonElement chat)
    {
        if (chat.TryGetProperty("tools"u8, out JsonElement tools) && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0)
        {
            json.WriteStartArray("tools"u8);
            foreach (JsonElement tool in tools.EnumerateArray())
            {
                if (Str(tool, "type"u8) is not ("function" or null) || !tool.TryGetProperty("function"u8, out JsonElement function))
                    throw ContentRules.Block(Str(tool, "type"u8), ApiFormat.Responses, "only function tools are translated");
                json.WriteStartObject();
                json.WriteString("type"u8, "function"u8);
                json.WriteString("name"u8, Str(function, "name"u8) ?? "");
                if (Str(function, "description"u8) is { } description) json.WriteString("description"u8, description);
                json.WritePropertyName("parameters"u8);
                if (function.TryGetProperty("parameters"u8, out JsonElement parameters) && parameters.ValueKind == JsonValueKind.Object) parameters.WriteTo(json);
                else json.WriteRawValue("""{"type":"object","properties":{}}"""u8, skipInputValidation: true);
                json.WriteBoolean("strict"u8, function.TryGetProperty("strict"u8, out JsonElement strict) && strict.ValueKind == JsonValueKind.True);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }

        if (!chat.TryGetProperty("tool_choice"u8, out JsonElement choice)) return;
        if (choice.ValueKind == JsonValueKind.String)
        {
            json.WriteString("tool_choice"u8, choice.GetString());
        }
        else if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("function"u8, out JsonElement named))
        {
            json.WriteStartObject("tool_choice"u8);
            json.WriteString("type"u8, "function"u8);
            json.WriteString("name"u8, Str(named, "name"u8) ?? "");
            json.WriteEndObject();
        }
    }

    private static JsonElement Content(JsonElement message) => message.TryGetProperty("content"u8, out JsonElement content) ? content : default;

    private static long? Long(JsonElement obj, ReadOnlySpan<byte> name) =>
        obj.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long l) ? l : null;

    private static string? Str(JsonElement obj, ReadOnlySpan<byte> name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
