using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Models;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.OpenAIChat;
using Switchboard.Protocols.Translation;
using static Switchboard.Protocols.JsonFields;

namespace Switchboard.Protocols.Gemini;

/// <summary>
/// Anthropic Messages or OpenAI Chat Completions request → Gemini generateContent request (the same body serves
/// streamGenerateContent; the URL decides). Runs once per request.
/// <list type="bullet">
/// <item>System prompts (top-level, and system/developer messages anywhere) → <c>systemInstruction</c>.</item>
/// <item>Turns → <c>contents</c> with roles user/model, consecutive turns of one role merged, empty parts left out
///   (Gemini rejects empty text and empty turns).</item>
/// <item>Tool calls → <c>functionCall</c> (no id: Gemini matches by name and order); tool results →
///   <c>functionResponse</c> named after the call they answer (found by id earlier in the conversation), with
///   <c>{"result": text}</c> or <c>{"error": text}</c>. Unanswered calls get placeholder responses; results whose call
///   is not in the preceding model turn become text.</item>
/// <item>Thought signatures come back from where <see cref="GeminiWire"/> put them; other providers' thinking is dropped.
///   Gemini 3 requires a signature on a turn's first function call: calls from other models get Gemini's documented
///   stand-in.</item>
/// </list>
/// </summary>
internal static class GeminiRequest
{
    private const int MaxStopSequences = 5;
    private const string NoResult = "(no result: the client did not return one)";

    /// <summary>Anthropic Messages → Gemini. <paramref name="toolNames"/>: names shortened to 64 characters, or null.</summary>
    public static byte[] FromAnthropic(JsonElement request, TranslationTarget target, out ToolNameMap? toolNames)
    {
        var names = new ToolNameMap();
        var system = new List<string>();
        var contents = new Contents(GeminiWire.IsGemini3OrLater(target.ModelId));

        if (request.TryGetProperty("system"u8, out JsonElement sys)) AddText(system, ContentRules.SystemText(sys, ApiFormat.Gemini));
        if (request.TryGetProperty("messages"u8, out JsonElement messages) && messages.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement message in messages.EnumerateArray())
            {
                if (!message.TryGetProperty("content"u8, out JsonElement content)) continue;
                switch (Str(message, "role"u8))
                {
                    case "assistant": AnthropicAssistant(contents, content, names); break;
                    case "system": AddText(system, ContentRules.SystemText(content, ApiFormat.Gemini)); break;
                    default: AnthropicUser(contents, content); break;
                }
            }
        }

        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
        {
            json.WriteStartObject();
            contents.Write(json);
            WriteSystem(json, system);
            WriteAnthropicTools(json, request, names);

            json.WriteStartObject("generationConfig"u8);
            long? max = WriteMaxOutputTokens(json, Long(request, "max_tokens"u8), target);
            CopyNumber(json, request, "temperature"u8, "temperature"u8);
            CopyNumber(json, request, "top_p"u8, "topP"u8);
            CopyNumber(json, request, "top_k"u8, "topK"u8);
            WriteStops(json, request.TryGetProperty("stop_sequences"u8, out JsonElement stops) ? stops : default);
            WriteAnthropicThinking(json, request, target, max);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        toolNames = names.IsEmpty ? null : names;
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>OpenAI Chat Completions → Gemini. <paramref name="toolNames"/>: names shortened to 64 characters, or null.</summary>
    public static byte[] FromOpenAI(JsonElement request, TranslationTarget target, out ToolNameMap? toolNames)
    {
        var names = new ToolNameMap();
        var system = new List<string>();
        var contents = new Contents(GeminiWire.IsGemini3OrLater(target.ModelId));

        if (request.TryGetProperty("messages"u8, out JsonElement messages) && messages.ValueKind == JsonValueKind.Array)
        {
            var toolResults = new List<JsonElement>();
            foreach (JsonElement message in messages.EnumerateArray())
            {
                string? role = Str(message, "role"u8);
                message.TryGetProperty("content"u8, out JsonElement content);
                if (role == "tool")
                {
                    toolResults.Add(message);
                    continue;
                }
                FlushOpenAIToolResults(contents, toolResults);
                switch (role)
                {
                    case "system" or "developer": AddText(system, ContentRules.OpenAIText(content, ApiFormat.Gemini)); break;
                    case "assistant": OpenAIAssistant(contents, message, content, names); break;
                    case "user":
                        contents.BeginUser();
                        OpenAIUserParts(contents, content);
                        contents.EndUser();
                        break;
                    default:
                        throw ContentRules.Role(role, ApiFormat.Gemini);
                }
            }
            FlushOpenAIToolResults(contents, toolResults);
        }

        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
        {
            json.WriteStartObject();
            contents.Write(json);
            WriteSystem(json, system);
            WriteOpenAITools(json, request, names);

            json.WriteStartObject("generationConfig"u8);
            long? max = WriteMaxOutputTokens(json, Long(request, "max_completion_tokens"u8) ?? Long(request, "max_tokens"u8), target);
            CopyNumber(json, request, "temperature"u8, "temperature"u8);
            CopyNumber(json, request, "top_p"u8, "topP"u8);
            CopyNumber(json, request, "seed"u8, "seed"u8);
            if (request.TryGetProperty("stop"u8, out JsonElement stop))
            {
                if (stop.ValueKind == JsonValueKind.String)
                {
                    json.WriteStartArray("stopSequences"u8);
                    stop.WriteTo(json);
                    json.WriteEndArray();
                }
                else WriteStops(json, stop);
            }
            WriteResponseFormat(json, request);
            if (Str(request, "reasoning_effort"u8) is { } effort) WriteThinkingConfig(json, target, effort, null, includeThoughts: effort != "none", max);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        toolNames = names.IsEmpty ? null : names;
        return buffer.WrittenSpan.ToArray();
    }

    // ---- Anthropic turns -------------------------------------------------------------------------------------------

    private static void AnthropicAssistant(Contents contents, JsonElement content, ToolNameMap names)
    {
        var turn = contents.BeginModel();
        if (content.ValueKind == JsonValueKind.String)
        {
            turn.Text(content.GetString());
        }
        else if (content.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement block in content.EnumerateArray())
            {
                switch (AnthropicToOpenAIRequest.BlockType(block))
                {
                    case "text": turn.Text(Str(block, "text"u8)); break;
                    case "tool_use":
                        string name = names.ToUpstream(Str(block, "name"u8) ?? "");
                        JsonNode args = block.TryGetProperty("input"u8, out JsonElement input) && input.ValueKind == JsonValueKind.Object
                            ? JsonNode.Parse(input.GetRawText())! : new JsonObject();
                        turn.FunctionCall(Str(block, "id"u8) ?? "", name, args);
                        break;
                    case "thinking":
                        // Our carrier for Gemini's signature; Anthropic's own (or empty) signatures mean nothing here.
                        if (GeminiWire.FromThinkingSignature(Str(block, "signature"u8)) is { } signature) turn.Signature(signature);
                        break;
                    case "redacted_thinking":
                        break; // Anthropic's encrypted reasoning: meaningless elsewhere
                    case var other:
                        // server_tool_use, web_search_tool_result and the like ran at Anthropic; nothing here can replay them.
                        throw ContentRules.Block(other, ApiFormat.Gemini, "in an assistant turn");
                }
            }
        }
        contents.EndModel(turn);
    }

    private static void AnthropicUser(Contents contents, JsonElement content)
    {
        contents.BeginUser();
        if (content.ValueKind == JsonValueKind.String)
        {
            contents.UserText(content.GetString());
        }
        else if (content.ValueKind == JsonValueKind.Array)
        {
            // A function response holds text: a result's images and documents follow as parts of the user turn.
            var resultMedia = new List<JsonObject>();
            foreach (JsonElement block in content.EnumerateArray())
            {
                if (AnthropicToOpenAIRequest.BlockType(block) is not "tool_result") continue;
                var text = new List<string>();
                if (block.TryGetProperty("content"u8, out JsonElement result))
                {
                    if (result.ValueKind == JsonValueKind.String) text.Add(result.GetString()!);
                    else if (result.ValueKind == JsonValueKind.Array)
                    {
                        foreach (JsonElement part in result.EnumerateArray())
                        {
                            switch (AnthropicToOpenAIRequest.BlockType(part))
                            {
                                case "text": text.Add(Str(part, "text"u8) ?? ""); break;
                                case "search_result": text.Add(ContentRules.SearchResultText(part, ApiFormat.Gemini)); break;
                                case "image" or "document": resultMedia.AddRange(AnthropicMedia(part)); break;
                                case var other: throw ContentRules.Block(other, ApiFormat.Gemini, "inside a tool_result");
                            }
                        }
                    }
                }
                bool isError = block.TryGetProperty("is_error"u8, out JsonElement err) && err.ValueKind == JsonValueKind.True;
                contents.ToolResult(Str(block, "tool_use_id"u8) ?? "", string.Join("\n", text), isError);
            }
            foreach (JsonObject media in resultMedia) contents.UserPart(media);
            foreach (JsonElement block in content.EnumerateArray())
            {
                switch (AnthropicToOpenAIRequest.BlockType(block))
                {
                    case "text": contents.UserText(Str(block, "text"u8)); break;
                    case "search_result": contents.UserText(ContentRules.SearchResultText(block, ApiFormat.Gemini)); break;
                    case "image" or "document":
                        foreach (JsonObject part in AnthropicMedia(block)) contents.UserPart(part);
                        break;
                    case "tool_result" or "thinking" or "redacted_thinking": break; // above; thinking is never forwarded as text
                    case var other: throw ContentRules.Block(other, ApiFormat.Gemini, "in a user turn");
                }
            }
        }
        contents.EndUser();
    }

    /// <summary>
    /// An Anthropic image or document block → inlineData (base64), fileData (URL), text (a plain-text document), or a
    /// custom-content document's own text and images. Anthropic Files API ids live at Anthropic only.
    /// </summary>
    private static IEnumerable<JsonObject> AnthropicMedia(JsonElement block)
    {
        JsonElement source = block.GetProperty("source"u8);
        string type = AnthropicToOpenAIRequest.BlockType(block)!;
        bool document = type == "document";
        switch (Str(source, "type"u8))
        {
            case "base64":
                return [InlineData(Str(source, "media_type"u8) ?? (document ? "application/pdf" : "image/png"), Str(source, "data"u8) ?? "")];
            case "url":
                return [FileData(Str(source, "url"u8) ?? throw new TranslationException($"a {type}'s url source has no url."), document ? "application/pdf" : null)];
            case "text" when document:
                return [new JsonObject { ["text"] = ContentRules.PlainDocumentText(block, source) }];
            case "content" when document && source.TryGetProperty("content"u8, out JsonElement content):
                if (content.ValueKind == JsonValueKind.String) return [new JsonObject { ["text"] = content.GetString() }];
                var parts = new List<JsonObject>();
                foreach (JsonElement part in content.EnumerateArray())
                {
                    switch (AnthropicToOpenAIRequest.BlockType(part))
                    {
                        case "text": parts.Add(new JsonObject { ["text"] = Str(part, "text"u8) ?? "" }); break;
                        case "image": parts.AddRange(AnthropicMedia(part)); break;
                        case var other: throw ContentRules.Block(other, ApiFormat.Gemini, "inside a document");
                    }
                }
                return parts;
            case var other:
                throw ContentRules.Block(type, ApiFormat.Gemini, $"a {type} with a '{other}' source");
        }
    }

    // ---- OpenAI turns ----------------------------------------------------------------------------------------------

    private static void OpenAIAssistant(Contents contents, JsonElement message, JsonElement content, ToolNameMap names)
    {
        // reasoning_content is dropped: Gemini's reasoning state travels in signatures, not in text.
        var turn = contents.BeginModel();
        turn.Text(ContentRules.OpenAIText(content, ApiFormat.Gemini, assistant: true));
        if (message.TryGetProperty("tool_calls"u8, out JsonElement calls) && calls.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement call in calls.EnumerateArray())
            {
                if (!call.TryGetProperty("function"u8, out JsonElement function)) continue;
                string id = Str(call, "id"u8) ?? "";
                if (GeminiWire.SignatureFromOpenAIId(id) is { } signature) turn.Signature(signature);
                turn.FunctionCall(id, names.ToUpstream(Str(function, "name"u8) ?? ""), OpenAIToAnthropicRequest.ParseArguments(Str(function, "arguments"u8)));
            }
        }
        contents.EndModel(turn);
    }

    private static void FlushOpenAIToolResults(Contents contents, List<JsonElement> toolResults)
    {
        if (toolResults.Count == 0) return;
        contents.BeginUser();
        foreach (JsonElement message in toolResults)
        {
            message.TryGetProperty("content"u8, out JsonElement content);
            contents.ToolResult(Str(message, "tool_call_id"u8) ?? "", ContentRules.OpenAIText(content, ApiFormat.Gemini), isError: false);
        }
        contents.EndUser();
        toolResults.Clear();
    }

    private static void OpenAIUserParts(Contents contents, JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            contents.UserText(content.GetString());
            return;
        }
        if (content.ValueKind != JsonValueKind.Array) return;
        foreach (JsonElement part in content.EnumerateArray())
        {
            switch (Str(part, "type"u8))
            {
                case "text":
                    contents.UserText(Str(part, "text"u8));
                    break;
                case "image_url":
                    string? url = part.TryGetProperty("image_url"u8, out JsonElement imageUrl)
                        ? imageUrl.ValueKind == JsonValueKind.String ? imageUrl.GetString() : Str(imageUrl, "url"u8)
                        : null;
                    if (string.IsNullOrEmpty(url)) throw new TranslationException("an image_url part has no url.");
                    contents.UserPart(OpenAIToAnthropicRequest.ParseDataUrl(url) is var (mediaType, data) ? InlineData(mediaType, data) : FileData(url, null));
                    break;
                case "input_audio":
                    JsonElement audio = part.GetProperty("input_audio"u8);
                    contents.UserPart(InlineData("audio/" + (Str(audio, "format"u8) ?? "wav"),
                        Str(audio, "data"u8) ?? throw new TranslationException("an input_audio part has no data.")));
                    break;
                case "file":
                    (string fileType, string fileBase64) = ContentRules.OpenAIFileData(part.GetProperty("file"u8), ApiFormat.Gemini);
                    contents.UserPart(InlineData(fileType, fileBase64));
                    break;
                case var other:
                    throw ContentRules.Part(other, ApiFormat.Gemini, "in a user message");
            }
        }
    }

    // ---- parts -----------------------------------------------------------------------------------------------------

    private static JsonObject InlineData(string mimeType, string data) =>
        new() { ["inlineData"] = new JsonObject { ["mimeType"] = mimeType, ["data"] = data } };

    /// <summary>A URL Gemini fetches itself (Files API URIs, and public URLs on current models).</summary>
    private static JsonObject FileData(string url, string? mimeType)
    {
        mimeType ??= GuessImageType(url);
        return new() { ["fileData"] = new JsonObject { ["mimeType"] = mimeType, ["fileUri"] = url } };
    }

    private static string GuessImageType(string url)
    {
        string path = url.Split('?', '#')[0];
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".gif" => "image/gif",
            ".webp" => "image/webp",
            ".heic" => "image/heic",
            ".pdf" => "application/pdf",
            _ => "image/jpeg",
        };
    }

    // ---- the rest of the body --------------------------------------------------------------------------------------

    private static void WriteSystem(Utf8JsonWriter json, List<string> system)
    {
        if (system.Count == 0) return;
        json.WriteStartObject("systemInstruction"u8);
        json.WriteStartArray("parts"u8);
        json.WriteStartObject();
        json.WriteString("text"u8, string.Join("\n\n", system));
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteAnthropicTools(Utf8JsonWriter json, JsonElement request, ToolNameMap names)
    {
        if (!request.TryGetProperty("tools"u8, out JsonElement tools) || tools.ValueKind != JsonValueKind.Array) return;
        int written = 0;
        foreach (JsonElement tool in tools.EnumerateArray())
        {
            // Server tools (web_search_…, bash_…, text_editor_…) run at Anthropic only.
            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("input_schema"u8, out JsonElement schema)) continue;
            if (tool.TryGetProperty("type"u8, out JsonElement t) && !t.ValueEquals("custom"u8)) continue;
            if (written++ == 0) StartTools(json);
            WriteDeclaration(json, names.ToUpstream(Str(tool, "name"u8) ?? ""), tool.TryGetProperty("description"u8, out JsonElement d) ? d : default, schema);
        }
        if (written == 0) return;
        EndTools(json);

        if (!request.TryGetProperty("tool_choice"u8, out JsonElement choice) || choice.ValueKind != JsonValueKind.Object) return;
        switch (Str(choice, "type"u8))
        {
            case "auto": WriteToolConfig(json, "AUTO"u8, null); break;
            case "any": WriteToolConfig(json, "ANY"u8, null); break;
            case "none": WriteToolConfig(json, "NONE"u8, null); break;
            case "tool" when Str(choice, "name"u8) is { } name: WriteToolConfig(json, "ANY"u8, names.ToUpstream(name)); break;
        }
    }

    private static void WriteOpenAITools(Utf8JsonWriter json, JsonElement request, ToolNameMap names)
    {
        if (!request.TryGetProperty("tools"u8, out JsonElement tools) || tools.ValueKind != JsonValueKind.Array) return;
        int written = 0;
        foreach (JsonElement tool in tools.EnumerateArray())
        {
            if (!tool.TryGetProperty("function"u8, out JsonElement function) || function.ValueKind != JsonValueKind.Object) continue;
            if (written++ == 0) StartTools(json);
            WriteDeclaration(json, names.ToUpstream(Str(function, "name"u8) ?? ""),
                function.TryGetProperty("description"u8, out JsonElement d) ? d : default,
                function.TryGetProperty("parameters"u8, out JsonElement p) ? p : default);
        }
        if (written == 0) return;
        EndTools(json);

        if (!request.TryGetProperty("tool_choice"u8, out JsonElement choice)) return;
        if (choice.ValueKind == JsonValueKind.String)
        {
            switch (choice.GetString())
            {
                case "auto": WriteToolConfig(json, "AUTO"u8, null); break;
                case "required": WriteToolConfig(json, "ANY"u8, null); break;
                case "none": WriteToolConfig(json, "NONE"u8, null); break;
            }
        }
        else if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("function"u8, out JsonElement f) && Str(f, "name"u8) is { } name)
        {
            WriteToolConfig(json, "ANY"u8, names.ToUpstream(name));
        }
    }

    private static void StartTools(Utf8JsonWriter json)
    {
        json.WriteStartArray("tools"u8);
        json.WriteStartObject();
        json.WriteStartArray("functionDeclarations"u8);
    }

    private static void EndTools(Utf8JsonWriter json)
    {
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
    }

    private static void WriteDeclaration(Utf8JsonWriter json, string name, JsonElement description, JsonElement schema)
    {
        json.WriteStartObject();
        json.WriteString("name"u8, name);
        if (description.ValueKind == JsonValueKind.String)
        {
            json.WritePropertyName("description"u8);
            description.WriteTo(json);
        }
        // Gemini rejects an OBJECT schema without properties ("should be non-empty"): a parameterless tool has none.
        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties"u8, out JsonElement properties)
            && properties.ValueKind == JsonValueKind.Object && properties.EnumerateObject().Any())
        {
            json.WritePropertyName("parameters"u8);
            GeminiSchema.Write(json, schema);
        }
        json.WriteEndObject();
    }

    private static void WriteToolConfig(Utf8JsonWriter json, ReadOnlySpan<byte> mode, string? onlyName)
    {
        json.WriteStartObject("toolConfig"u8);
        json.WriteStartObject("functionCallingConfig"u8);
        json.WriteString("mode"u8, mode);
        if (onlyName is not null)
        {
            json.WriteStartArray("allowedFunctionNames"u8);
            json.WriteStringValue(onlyName);
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteStops(Utf8JsonWriter json, JsonElement stops)
    {
        if (stops.ValueKind != JsonValueKind.Array) return;
        int n = 0;
        foreach (JsonElement s in stops.EnumerateArray())
        {
            if (s.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(s.GetString()) || n == MaxStopSequences) continue;
            if (n++ == 0) json.WriteStartArray("stopSequences"u8);
            s.WriteTo(json);
        }
        if (n > 0) json.WriteEndArray();
    }

    private static void WriteResponseFormat(Utf8JsonWriter json, JsonElement request)
    {
        if (!request.TryGetProperty("response_format"u8, out JsonElement format) || format.ValueKind != JsonValueKind.Object) return;
        switch (Str(format, "type"u8))
        {
            case "json_object":
                json.WriteString("responseMimeType"u8, "application/json"u8);
                break;
            case "json_schema":
                json.WriteString("responseMimeType"u8, "application/json"u8);
                if (format.TryGetProperty("json_schema"u8, out JsonElement js) && js.TryGetProperty("schema"u8, out JsonElement schema))
                {
                    json.WritePropertyName("responseSchema"u8);
                    GeminiSchema.Write(json, schema);
                }
                break;
        }
    }

    /// <summary>
    /// Anthropic thinking → thinkingConfig. Enabled with a budget: thinkingBudget (2.5) or thinkingLevel (3+), with
    /// thoughts included (they become thinking blocks). Adaptive: thoughts included, effort if given. Disabled: budget 0
    /// where the model allows it. Absent: the model's default (it may think, but thoughts stay hidden).
    /// </summary>
    private static void WriteAnthropicThinking(Utf8JsonWriter json, JsonElement request, TranslationTarget target, long? maxTokens)
    {
        string? effort = null;
        if (request.TryGetProperty("output_config"u8, out JsonElement config) && config.ValueKind == JsonValueKind.Object)
        {
            effort = Str(config, "effort"u8) switch { "low" => "low", "medium" => "medium", "high" or "max" or "xhigh" => "high", _ => null };
        }
        if (!request.TryGetProperty("thinking"u8, out JsonElement thinking) || thinking.ValueKind != JsonValueKind.Object)
        {
            if (effort is not null) WriteThinkingConfig(json, target, effort, null, includeThoughts: false, maxTokens);
            return;
        }
        switch (Str(thinking, "type"u8))
        {
            case "enabled":
                long budget = Long(thinking, "budget_tokens"u8) ?? 8192;
                WriteThinkingConfig(json, target, effort ?? ReasoningSupport.EffortForBudget(budget), effort is null ? budget : null, includeThoughts: true, maxTokens);
                break;
            case "adaptive":
                WriteThinkingConfig(json, target, effort, null, includeThoughts: true, maxTokens);
                break;
            case "disabled":
                WriteThinkingConfig(json, target, "none", null, includeThoughts: false, maxTokens);
                break;
        }
    }

    /// <param name="effort">low|medium|high|none, or null for the model's default level.</param>
    /// <param name="budget">An explicit budget (Anthropic budget_tokens), used on 2.5 models instead of the effort's.</param>
    private static void WriteThinkingConfig(Utf8JsonWriter json, TranslationTarget target, string? effort, long? budget, bool includeThoughts, long? maxTokens)
    {
        if (!GeminiWire.TakesThinkingConfig(target.ModelId)) return;
        bool gemini3 = GeminiWire.IsGemini3OrLater(target.ModelId);
        bool off = effort is "none";
        if (off && !gemini3 && !GeminiWire.CanDisableThinking(target.ModelId)) return; // Pro models always think
        if (off && gemini3) effort = "low"; // the lowest level Gemini 3 Pro takes

        json.WriteStartObject("thinkingConfig"u8);
        if (gemini3)
        {
            if (effort is not null) json.WriteString("thinkingLevel"u8, effort is "low" or "minimal" ? "low"u8 : "high"u8);
        }
        else if (off)
        {
            json.WriteNumber("thinkingBudget"u8, 0);
        }
        else if (budget is not null || effort is not null)
        {
            long b = budget ?? ReasoningSupport.BudgetForEffort(effort!);
            b = Math.Min(b, 24576); // the 2.5 models' common ceiling
            if (maxTokens is long max && b >= max) b = Math.Max(128, max / 2); // thinking counts toward maxOutputTokens
            json.WriteNumber("thinkingBudget"u8, b);
        }
        if (includeThoughts && !off) json.WriteBoolean("includeThoughts"u8, true);
        json.WriteEndObject();
    }

    // ---- conversation building -------------------------------------------------------------------------------------

    /// <summary>A model turn being built: parts in order, and where signatures attach.</summary>
    private sealed class ModelTurn
    {
        public readonly List<JsonObject> Parts = [];
        public readonly List<(string Id, string Name)> Calls = [];
        private string? _pendingSignature;

        public void Text(string? text)
        {
            if (string.IsNullOrEmpty(text)) return;
            Add(new JsonObject { ["text"] = text });
        }

        public void FunctionCall(string id, string name, JsonNode args)
        {
            Calls.Add((id, name));
            Add(new JsonObject { ["functionCall"] = new JsonObject { ["name"] = name, ["args"] = args } });
        }

        /// <summary>A signature attaches to the next part of the turn; to the last one if nothing follows.</summary>
        public void Signature(string signature) => _pendingSignature = signature;

        private void Add(JsonObject part)
        {
            if (_pendingSignature is not null)
            {
                part["thoughtSignature"] = _pendingSignature;
                _pendingSignature = null;
            }
            Parts.Add(part);
        }

        public void Finish(bool gemini3)
        {
            if (_pendingSignature is not null && Parts.Count > 0 && Parts[^1]["thoughtSignature"] is null)
            {
                Parts[^1]["thoughtSignature"] = _pendingSignature;
            }
            _pendingSignature = null;
            if (!gemini3) return;
            // Gemini 3 rejects a function-calling turn whose first call has no signature (a history from another model).
            JsonObject? firstCall = Parts.FirstOrDefault(p => p["functionCall"] is not null);
            if (firstCall is not null && firstCall["thoughtSignature"] is null) firstCall["thoughtSignature"] = GeminiWire.SkipSignatureValidator;
        }
    }

    /// <summary>
    /// Gemini's contents: alternating user/model turns (same-role neighbours merged), every function call answered in
    /// the next user turn, every function response answering a call of the previous model turn.
    /// </summary>
    private sealed class Contents(bool gemini3)
    {
        private readonly List<(string Role, List<JsonObject> Parts)> _items = [];
        /// <summary>Calls of the last model turn, not answered yet, with their position in that turn.</summary>
        private readonly List<(string Id, string Name, int Order)> _pending = [];
        /// <summary>Responses by the position of their call: same-named calls are paired by order.</summary>
        private List<(int Order, JsonObject Part)>? _responses;
        private List<JsonObject>? _userParts;

        public ModelTurn BeginModel() => new();

        public void EndModel(ModelTurn turn)
        {
            turn.Finish(gemini3);
            if (turn.Parts.Count == 0) return;
            AnswerPending(); // calls the client never answered, before the model speaks again
            Append("model", turn.Parts);
            for (int i = 0; i < turn.Calls.Count; i++) _pending.Add((turn.Calls[i].Id, turn.Calls[i].Name, i));
        }

        public void BeginUser()
        {
            _responses = [];
            _userParts = [];
        }

        public void ToolResult(string id, string text, bool isError)
        {
            int i = _pending.FindIndex(c => c.Id == id);
            if (i < 0)
            {
                // Its call is not in the previous model turn: Gemini could not pair it, so it is told as text.
                UserText($"[Result of tool call {id}]\n{text}");
                return;
            }
            var (_, name, order) = _pending[i];
            _pending.RemoveAt(i);
            _responses!.Add((order, FunctionResponse(name, isError ? "error" : "result", text)));
        }

        public void UserText(string? text)
        {
            if (!string.IsNullOrEmpty(text)) _userParts!.Add(new JsonObject { ["text"] = text });
        }

        public void UserPart(JsonObject part) => _userParts!.Add(part);

        public void EndUser()
        {
            // A user turn after a function-calling turn must answer every call: placeholders for the missing ones.
            if (_responses!.Count > 0 || _userParts!.Count > 0)
            {
                foreach (var (_, name, order) in _pending) _responses.Add((order, FunctionResponse(name, "result", NoResult)));
                _pending.Clear();
            }
            var parts = _responses.OrderBy(r => r.Order).Select(r => r.Part).ToList();
            parts.AddRange(_userParts!);
            _responses = null;
            _userParts = null;
            if (parts.Count > 0) Append("user", parts);
        }

        private void AnswerPending()
        {
            if (_pending.Count == 0) return;
            var parts = new List<JsonObject>();
            foreach (var (_, name, _) in _pending) parts.Add(FunctionResponse(name, "result", NoResult));
            _pending.Clear();
            Append("user", parts);
        }

        private static JsonObject FunctionResponse(string name, string key, string text) => new()
        {
            ["functionResponse"] = new JsonObject { ["name"] = name, ["response"] = new JsonObject { [key] = text } },
        };

        private void Append(string role, List<JsonObject> parts)
        {
            if (_items.Count > 0 && _items[^1].Role == role) _items[^1].Parts.AddRange(parts);
            else _items.Add((role, parts));
        }

        public void Write(Utf8JsonWriter json)
        {
            json.WriteStartArray("contents"u8);
            foreach (var (role, parts) in _items)
            {
                json.WriteStartObject();
                json.WriteString("role"u8, role);
                json.WriteStartArray("parts"u8);
                foreach (JsonObject part in parts) part.WriteTo(json);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
    }

    private static void AddText(List<string> list, string text)
    {
        if (!string.IsNullOrWhiteSpace(text)) list.Add(text);
    }

    private static void CopyNumber(Utf8JsonWriter json, JsonElement obj, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to)
    {
        if (obj.TryGetProperty(from, out JsonElement v) && v.ValueKind == JsonValueKind.Number)
        {
            json.WritePropertyName(to);
            v.WriteTo(json);
        }
    }

    /// <summary>maxOutputTokens: the client's limit, capped at the target model's. Returns what was written, for the
    /// thinking budget.</summary>
    private static long? WriteMaxOutputTokens(Utf8JsonWriter json, long? requested, TranslationTarget target)
    {
        long? max = requested is long m && target.MaxOutputTokens is int cap && m > cap ? cap : requested;
        if (max is not null) json.WriteNumber("maxOutputTokens"u8, max.Value);
        return max;
    }
}
