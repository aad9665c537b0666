using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Switchboard.Models;
using Switchboard.Protocols.Gemini;
using Switchboard.Protocols.Translation;
using static Switchboard.Protocols.JsonFields;

namespace Switchboard.Protocols.Anthropic;

/// <summary>
/// Anthropic Messages request → OpenAI Chat Completions request. Keeps what the target understands; drops only what has
/// a documented reason to go (cache_control, thinking history, top_k, server tools, context_management); content with
/// no equivalent is refused by its type (<see cref="ContentRules"/>). Runs once per request.
/// </summary>
internal static partial class AnthropicToOpenAIRequest
{
    /// <summary>OpenAI rejects more stop sequences than this.</summary>
    private const int MaxStopSequences = 4;
    /// <summary>OpenAI's limit for <c>user</c>; longer ids (Claude Code's are) are sent as their SHA-256 hex.</summary>
    private const int MaxUserIdLength = 64;

    /// <summary>Returns the UTF-8 JSON body for POST /chat/completions.</summary>
    /// <remarks>Use the overload with <see cref="ToolNameMap"/> when tool names may exceed OpenAI's 64 characters.</remarks>
    public static byte[] Translate(JsonElement anthropicRequest, TranslationTarget target) =>
        Translate(anthropicRequest, target, out _);

    /// <summary>Returns the UTF-8 JSON body for POST /chat/completions.</summary>
    /// <param name="toolNames">
    /// Tool names shortened for OpenAI, or null if none were: pass it to the response or stream translator so the
    /// client sees its own names again.
    /// </param>
    public static byte[] Translate(JsonElement anthropicRequest, TranslationTarget target, out ToolNameMap? toolNames)
    {
        using var buffer = new PooledBufferWriter();
        toolNames = Translate(anthropicRequest, target, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes the UTF-8 JSON body for POST /chat/completions into <paramref name="output"/>; returns the shortened tool
    /// names, if any. Toward a Chat Completions upstream, into an empty <see cref="PooledBufferWriter"/>, it is the
    /// forward pass over the element's bytes (<see cref="TryTranslateForward"/>), else (or where that declines) the DOM path.
    /// </summary>
    public static ToolNameMap? Translate(JsonElement anthropicRequest, TranslationTarget target, IBufferWriter<byte> output)
    {
        if (output is PooledBufferWriter { WrittenCount: 0 } pooled && anthropicRequest.ValueKind == JsonValueKind.Object
            && TryTranslateForward(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(anthropicRequest), default, target, pooled, false, out var forwardNames, out _))
        {
            return forwardNames;
        }
        return TranslateWithDom(anthropicRequest, target, output);
    }

    /// <summary>The DOM path: the request read through <see cref="JsonElement"/>s (what the forward pass declines, and its reference).</summary>
    internal static ToolNameMap? TranslateWithDom(JsonElement anthropicRequest, TranslationTarget target, IBufferWriter<byte> output)
    {
        var names = new ToolNameMap();
        using (var json = new Utf8JsonWriter(output, SseWriter.JsonOptions))
        {
            Write(json, anthropicRequest, target, names);
        }
        return names.IsEmpty ? null : names;
    }

    private static void Write(Utf8JsonWriter json, JsonElement request, TranslationTarget target, ToolNameMap names)
    {

        json.WriteStartObject();
        json.WriteString("model"u8, target.ModelId);
        using (var messages = new MessageWriter(json, names, target)) messages.WriteAll(request);
        WriteScalars(json, request, target);
        if (WriteTools(json, request, names, GeminiSchema.AppliesTo(target)) > 0) WriteToolChoice(json, request, names);
        json.WriteEndObject();
    }

    /// <summary>max_tokens, sampling, stop, stream, user, reasoning effort: the small fields, from <paramref name="request"/>.</summary>
    private static void WriteScalars(Utf8JsonWriter json, JsonElement request, TranslationTarget target)
    {
        bool reasoningModel = ReasoningSupport.IsOpenAIReasoningModel(target.ModelId);
        if (request.TryGetProperty("max_tokens"u8, out JsonElement maxTokens) && maxTokens.TryGetInt64(out long max))
        {
            if (target.MaxOutputTokens is int cap && max > cap) max = cap;
            // Reasoning models reject max_tokens; max_completion_tokens includes reasoning, like Anthropic's max_tokens includes thinking.
            json.WriteNumber(reasoningModel ? "max_completion_tokens"u8 : "max_tokens"u8, max);
        }

        if (!reasoningModel)
        {
            // OpenAI reasoning models reject sampling parameters and stop sequences.
            CopyNumber(json, request, "temperature"u8, "temperature"u8);
            CopyNumber(json, request, "top_p"u8, "top_p"u8);
            if (request.TryGetProperty("stop_sequences"u8, out JsonElement stops) && stops.ValueKind == JsonValueKind.Array && stops.GetArrayLength() > 0)
            {
                json.WriteStartArray("stop"u8);
                int n = 0;
                foreach (JsonElement s in stops.EnumerateArray())
                {
                    if (s.ValueKind != JsonValueKind.String || n++ == MaxStopSequences) continue;
                    s.WriteTo(json);
                }
                json.WriteEndArray();
            }
        }

        if (request.TryGetProperty("stream"u8, out JsonElement stream) && stream.ValueKind == JsonValueKind.True)
        {
            json.WriteBoolean("stream"u8, true);
            json.WriteStartObject("stream_options"u8);
            json.WriteBoolean("include_usage"u8, true);
            json.WriteEndObject();
        }

        if (request.TryGetProperty("metadata"u8, out JsonElement metadata) && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty("user_id"u8, out JsonElement userId) && userId.ValueKind == JsonValueKind.String)
        {
            string user = userId.GetString()!;
            json.WriteString("user"u8, user.Length <= MaxUserIdLength ? user : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(user))));
        }

        if (EffortOf(request) is { } effort && ReasoningSupport.EffortFor(target.Provider, target.ModelId, effort) is { } targetEffort)
        {
            json.WriteString("reasoning_effort"u8, targetEffort);
        }
    }

    /// <summary>
    /// The effort the client asked for: <c>output_config.effort</c> wins, else a <c>thinking</c> budget maps to one.
    /// Adaptive thinking without an effort leaves the target's default.
    /// </summary>
    internal static string? EffortOf(JsonElement request)
    {
        if (request.TryGetProperty("output_config"u8, out JsonElement config) && config.ValueKind == JsonValueKind.Object
            && config.TryGetProperty("effort"u8, out JsonElement e) && e.ValueKind == JsonValueKind.String)
        {
            switch (e.GetString())
            {
                case "low": return "low";
                case "medium": return "medium";
                case "high" or "max" or "xhigh": return "high";
            }
        }
        if (request.TryGetProperty("thinking"u8, out JsonElement thinking) && thinking.ValueKind == JsonValueKind.Object
            && thinking.TryGetProperty("type"u8, out JsonElement type) && type.ValueEquals("enabled"u8))
        {
            long budget = thinking.TryGetProperty("budget_tokens"u8, out JsonElement b) && b.TryGetInt64(out long v) ? v : 8192;
            return ReasoningSupport.EffortForBudget(budget);
        }
        return null;
    }

    /// <summary>The function tools; returns how many were written (tool_choice goes with them only).</summary>
    private static int WriteTools(Utf8JsonWriter json, JsonElement request, ToolNameMap names, bool geminiSchemas)
    {
        if (!request.TryGetProperty("tools"u8, out JsonElement tools) || tools.ValueKind != JsonValueKind.Array) return 0;

        int written = 0;
        foreach (JsonElement tool in tools.EnumerateArray())
        {
            // Server tools (web_search_20250305, bash_…, text_editor_…) run at Anthropic; other targets can't run them.
            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("input_schema"u8, out JsonElement schema)) continue;
            if (tool.TryGetProperty("type"u8, out JsonElement t) && !t.ValueEquals("custom"u8)) continue;
            if (written++ == 0) json.WriteStartArray("tools"u8);
            json.WriteStartObject();
            json.WriteString("type"u8, "function"u8);
            json.WriteStartObject("function"u8);
            json.WriteString("name"u8, names.ToUpstream(tool.GetProperty("name"u8).GetString() ?? ""));
            if (tool.TryGetProperty("description"u8, out JsonElement description) && description.ValueKind == JsonValueKind.String)
            {
                json.WritePropertyName("description"u8);
                description.WriteTo(json);
            }
            json.WritePropertyName("parameters"u8);
            if (geminiSchemas) GeminiSchema.Write(json, schema);
            else schema.WriteTo(json);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        if (written == 0) return 0; // tool_choice without tools is an error at OpenAI
        json.WriteEndArray();
        return written;
    }

    private static void WriteToolChoice(Utf8JsonWriter json, JsonElement request, ToolNameMap names)
    {
        if (!request.TryGetProperty("tool_choice"u8, out JsonElement choice) || choice.ValueKind != JsonValueKind.Object) return;
        string? type = choice.TryGetProperty("type"u8, out JsonElement ct) ? ct.GetString() : null;
        switch (type)
        {
            case "auto": json.WriteString("tool_choice"u8, "auto"u8); break;
            case "any": json.WriteString("tool_choice"u8, "required"u8); break;
            case "none": json.WriteString("tool_choice"u8, "none"u8); break;
            case "tool" when choice.TryGetProperty("name"u8, out JsonElement name):
                json.WriteStartObject("tool_choice"u8);
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                json.WriteString("name"u8, names.ToUpstream(name.GetString() ?? ""));
                json.WriteEndObject();
                json.WriteEndObject();
                break;
        }
        if (type != "none" && choice.TryGetProperty("disable_parallel_tool_use"u8, out JsonElement dp) && dp.ValueKind == JsonValueKind.True)
        {
            json.WriteBoolean("parallel_tool_calls"u8, false);
        }
    }

    /// <summary>"file" content parts (PDFs) are an OpenAI feature; OpenRouter and Azure OpenAI take them too.</summary>
    private static bool AcceptsFileParts(TranslationTarget target) =>
        target.Provider.Equals("openai", StringComparison.OrdinalIgnoreCase)
        || target.Provider.Equals("azure_openai", StringComparison.OrdinalIgnoreCase)
        || target.Provider.Equals("openrouter", StringComparison.OrdinalIgnoreCase);

    private static void CopyNumber(Utf8JsonWriter json, JsonElement obj, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to)
    {
        if (obj.TryGetProperty(from, out JsonElement v) && v.ValueKind == JsonValueKind.Number)
        {
            json.WritePropertyName(to);
            v.WriteTo(json);
        }
    }

    /// <summary>
    /// Writes the OpenAI messages array. OpenAI requires every assistant tool_calls id to be answered by a tool message
    /// before anything else: tool results go first, system messages that arrive in between wait, and a call the
    /// client never answered gets a placeholder result rather than a 400.
    /// </summary>
    private sealed partial class MessageWriter(Utf8JsonWriter json, ToolNameMap names, TranslationTarget target) : IDisposable
    {
        private readonly bool _acceptsFiles = AcceptsFileParts(target);
        private readonly List<string> _unansweredCalls = [];
        private readonly List<string> _deferredSystem = [];
        /// <summary>Message text joined as escaped UTF-8 (no .NET strings for the conversation's bulk).</summary>
        private readonly JsonTextJoiner _text = new();
        private PooledBufferWriter? _compactBuffer;
        private Utf8JsonWriter? _compactWriter;

        public void Dispose()
        {
            _text.Dispose();
            _compactWriter?.Dispose();
            _compactBuffer?.Dispose();
        }

        /// <summary>A tool call's input as the compact JSON text OpenAI's "arguments" string carries, with one reused writer.</summary>
        private void WriteArguments(JsonElement input)
        {
            _compactBuffer ??= new PooledBufferWriter(1024);
            _compactBuffer.Clear();
            if (_compactWriter is null) _compactWriter = new Utf8JsonWriter(_compactBuffer, SseWriter.JsonOptions);
            else _compactWriter.Reset(_compactBuffer);
            input.WriteTo(_compactWriter);
            _compactWriter.Flush();
            json.WriteString("arguments"u8, _compactBuffer.WrittenSpan);
        }

        /// <summary>The text blocks of a string or block list, joined by <paramref name="separator"/> (JSON-escaped), into <see cref="_text"/>.</summary>
        private void JoinText(JsonElement content, ReadOnlySpan<byte> separator)
        {
            _text.Start();
            if (content.ValueKind == JsonValueKind.String)
            {
                _text.Add(content, separator);
                return;
            }
            if (content.ValueKind != JsonValueKind.Array) return;
            foreach (JsonElement block in content.EnumerateArray())
            {
                if (BlockType(block) is "text" && block.TryGetProperty("text"u8, out JsonElement t) && t.ValueKind == JsonValueKind.String)
                    _text.Add(t, separator);
            }
        }

        public void WriteAll(JsonElement request)
        {
            json.WriteStartArray("messages"u8);
            if (request.TryGetProperty("system"u8, out JsonElement system))
            {
                ContentRules.CheckSystemBlocks(system, ApiFormat.OpenAI);
                JoinText(system, "\\n\\n"u8);
                if (_text.HasText)
                {
                    json.WriteStartObject();
                    json.WriteString("role"u8, "system"u8);
                    _text.WriteTo(json, "content"u8);
                    json.WriteEndObject();
                }
            }
            if (request.TryGetProperty("messages"u8, out JsonElement messages) && messages.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement message in messages.EnumerateArray())
                {
                    if (!message.TryGetProperty("content"u8, out JsonElement content)) continue;
                    string? role = message.TryGetProperty("role"u8, out JsonElement r) ? r.GetString() : null;
                    switch (role)
                    {
                        case "assistant":
                            CloseToolTurn();
                            WriteAssistant(content);
                            break;
                        case "system":
                            WriteSystemMessage(content);
                            break;
                        default:
                            WriteUser(content);
                            break;
                    }
                }
            }
            CloseToolTurn();
            json.WriteEndArray();
        }

        /// <summary>
        /// Claude Code sends system-role messages mid-conversation; OpenAI takes them anywhere except between a tool
        /// call and its result.
        /// </summary>
        private void WriteSystemMessage(JsonElement content)
        {
            string text = ContentRules.SystemText(content, ApiFormat.OpenAI);
            if (text.Length == 0) return;
            if (_unansweredCalls.Count > 0) _deferredSystem.Add(text);
            else WriteTextMessage("system"u8, text);
        }

        private void CloseToolTurn()
        {
            foreach (string id in _unansweredCalls)
            {
                WriteToolMessage(id, "(no result: the client did not return one)");
            }
            _unansweredCalls.Clear();
            foreach (string text in _deferredSystem) WriteTextMessage("system"u8, text);
            _deferredSystem.Clear();
        }

        private void WriteTextMessage(ReadOnlySpan<byte> role, string text)
        {
            json.WriteStartObject();
            json.WriteString("role"u8, role);
            json.WriteString("content"u8, text);
            json.WriteEndObject();
        }

        private void WriteToolMessage(string id, string text)
        {
            json.WriteStartObject();
            json.WriteString("role"u8, "tool"u8);
            json.WriteString("tool_call_id"u8, id);
            json.WriteString("content"u8, text);
            json.WriteEndObject();
        }

        private void WriteAssistant(JsonElement content)
        {
            if (content.ValueKind == JsonValueKind.String)
            {
                WriteTextMessage("assistant"u8, content.GetString()!);
                return;
            }
            if (content.ValueKind != JsonValueKind.Array) return;

            var text = _text;
            text.Start();
            int toolCalls = 0;
            List<(string Id, string Encrypted)>? reasoning = null;
            foreach (JsonElement block in content.EnumerateArray())
            {
                switch (BlockType(block))
                {
                    case "tool_use":
                        toolCalls++;
                        break;
                    case "text":
                        text.Add(block.GetProperty("text"u8), "\\n\\n"u8);
                        break;
                    case "thinking" when target.Api == ApiFormat.Responses
                        && Responses.ResponsesUpstreamWire.TryParseSignature(Str(block, "signature"u8), out string? itemId, out string? encrypted):
                        (reasoning ??= []).Add((itemId, encrypted)); // a Responses reasoning item: back to a Responses upstream only
                        break;
                    case "thinking" or "redacted_thinking":
                        break; // signed for Anthropic only, never forwarded as text
                    case var other:
                        // server_tool_use, web_search_tool_result and the like ran at Anthropic; nothing here can replay them.
                        throw ContentRules.Block(other, ApiFormat.OpenAI, "in an assistant turn");
                }
            }
            if (!text.HasText && toolCalls == 0) return;

            json.WriteStartObject();
            json.WriteString("role"u8, "assistant"u8);
            if (text.HasText) text.WriteTo(json, "content"u8);
            else json.WriteNull("content"u8);
            if (reasoning is not null) Responses.ResponsesUpstreamWire.WriteReasoningDetails(json, reasoning);
            if (toolCalls > 0)
            {
                json.WriteStartArray("tool_calls"u8);
                foreach (JsonElement block in content.EnumerateArray())
                {
                    if (BlockType(block) is not "tool_use") continue;
                    string id = block.TryGetProperty("id"u8, out JsonElement idEl) ? idEl.GetString() ?? ToolCallIds.NewOpenAIId() : ToolCallIds.NewOpenAIId();
                    _unansweredCalls.Add(id);
                    json.WriteStartObject();
                    json.WriteString("id"u8, id);
                    json.WriteString("type"u8, "function"u8);
                    json.WriteStartObject("function"u8);
                    json.WriteString("name"u8, names.ToUpstream(block.GetProperty("name"u8).GetString() ?? ""));
                    if (block.TryGetProperty("input"u8, out JsonElement input)) WriteArguments(input);
                    else json.WriteString("arguments"u8, "{}"u8);
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }

        private void WriteUser(JsonElement content)
        {
            if (content.ValueKind == JsonValueKind.String)
            {
                CloseToolTurn();
                WriteTextMessage("user"u8, content.GetString()!);
                return;
            }
            if (content.ValueKind != JsonValueKind.Array) return;

            // 1. Tool results, as tool messages (text only: their images and documents move to the user message below).
            List<JsonElement>? resultMedia = null;
            foreach (JsonElement block in content.EnumerateArray())
            {
                if (BlockType(block) is not "tool_result") continue;
                string id = block.TryGetProperty("tool_use_id"u8, out JsonElement idEl) ? idEl.GetString() ?? "" : "";
                _unansweredCalls.Remove(id);
                var text = _text;
                text.Start();
                int images = 0, documents = 0;
                if (block.TryGetProperty("content"u8, out JsonElement resultContent))
                {
                    if (resultContent.ValueKind == JsonValueKind.String) text.Add(resultContent, "\\n"u8);
                    else if (resultContent.ValueKind == JsonValueKind.Array)
                    {
                        foreach (JsonElement part in resultContent.EnumerateArray())
                        {
                            string? partText = null;
                            switch (BlockType(part))
                            {
                                case "text":
                                    text.Add(part.GetProperty("text"u8), "\\n"u8);
                                    break;
                                case "search_result":
                                    partText = ContentRules.SearchResultText(part, ApiFormat.OpenAI);
                                    break;
                                case "document" when SourceType(part.GetProperty("source"u8)) is "text":
                                    partText = ContentRules.PlainDocumentText(part, part.GetProperty("source"u8));
                                    break;
                                case "image":
                                    (resultMedia ??= []).Add(part);
                                    images++;
                                    break;
                                case "document":
                                    (resultMedia ??= []).Add(part);
                                    documents++;
                                    break;
                                case var other:
                                    throw ContentRules.Block(other, ApiFormat.OpenAI, "inside a tool_result");
                            }
                            if (partText is null) continue;
                            text.Add(partText, "\\n"u8);
                        }
                    }
                }
                if (images + documents > 0) text.Add(FollowNote(images, documents), "\\n"u8);
                // OpenAI tool messages have no error flag: say it in the text.
                bool isError = block.TryGetProperty("is_error"u8, out JsonElement err) && err.ValueKind == JsonValueKind.True;
                if (isError) text.Prepend("Error: "u8);
                json.WriteStartObject();
                json.WriteString("role"u8, "tool"u8);
                json.WriteString("tool_call_id"u8, id);
                text.WriteTo(json, "content"u8);
                json.WriteEndObject();
            }
            CloseToolTurn();

            // 2. Everything else the user sent, after the tool messages.
            int parts = 0;
            bool onlyText = true;
            if (resultMedia is not null) { parts += resultMedia.Count; onlyText = false; }
            foreach (JsonElement block in content.EnumerateArray())
            {
                switch (BlockType(block))
                {
                    case "text": parts++; break;
                    case "image" or "document" or "search_result": parts++; onlyText = false; break;
                    case "tool_result" or "thinking" or "redacted_thinking": break; // above; thinking is never forwarded as text
                    case var other: throw ContentRules.Block(other, ApiFormat.OpenAI, "in a user turn");
                }
            }
            if (parts == 0) return;

            json.WriteStartObject();
            json.WriteString("role"u8, "user"u8);
            if (onlyText)
            {
                // Plain string content: the form every OpenAI-compatible server accepts.
                JoinText(content, "\\n\\n"u8);
                _text.WriteTo(json, "content"u8);
            }
            else
            {
                json.WriteStartArray("content"u8);
                if (resultMedia is not null)
                {
                    foreach (JsonElement media in resultMedia)
                    {
                        if (BlockType(media) is "image") WriteImagePart(media);
                        else WriteDocumentPart(media);
                    }
                }
                foreach (JsonElement block in content.EnumerateArray())
                {
                    switch (BlockType(block))
                    {
                        case "text":
                            json.WriteStartObject();
                            json.WriteString("type"u8, "text"u8);
                            json.WritePropertyName("text"u8);
                            block.GetProperty("text"u8).WriteTo(json);
                            json.WriteEndObject();
                            break;
                        case "image":
                            WriteImagePart(block);
                            break;
                        case "document":
                            WriteDocumentPart(block);
                            break;
                        case "search_result":
                            WriteTextPart(ContentRules.SearchResultText(block, ApiFormat.OpenAI));
                            break;
                    }
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }

        private void WriteTextPart(string text)
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "text"u8);
            json.WriteString("text"u8, text);
            json.WriteEndObject();
        }

        private void WriteImagePart(JsonElement image)
        {
            JsonElement source = image.GetProperty("source"u8);
            string url = SourceType(source) switch
            {
                "base64" => $"data:{Str(source, "media_type"u8) ?? "image/png"};base64,{Str(source, "data"u8)}",
                "url" => Str(source, "url"u8) ?? throw new TranslationException("an image's url source has no url."),
                // "file": a file_id from Anthropic's Files API, which lives at Anthropic only.
                var other => throw ContentRules.Block("image", ApiFormat.OpenAI, $"an image with a '{other}' source"),
            };
            json.WriteStartObject();
            json.WriteString("type"u8, "image_url"u8);
            json.WriteStartObject("image_url"u8);
            json.WriteString("url"u8, url);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        /// <summary>
        /// A document: plain text as text; a base64 PDF as a <c>file</c> part (file_data as a data URL) toward the servers
        /// that take files; its own content blocks as text and images. URLs and Anthropic file ids have no equivalent
        /// (OpenAI's file parts carry the file itself).
        /// </summary>
        private void WriteDocumentPart(JsonElement document)
        {
            JsonElement source = document.GetProperty("source"u8);
            switch (SourceType(source))
            {
                case "text":
                    WriteTextPart(ContentRules.PlainDocumentText(document, source));
                    break;
                case "base64" when _acceptsFiles:
                    string mediaType = Str(source, "media_type"u8) ?? "application/pdf";
                    json.WriteStartObject();
                    json.WriteString("type"u8, "file"u8);
                    json.WriteStartObject("file"u8);
                    json.WriteString("filename"u8, Str(document, "title"u8) ?? "document.pdf");
                    json.WriteString("file_data"u8, $"data:{mediaType};base64,{Str(source, "data"u8)}");
                    json.WriteEndObject();
                    json.WriteEndObject();
                    break;
                case "base64":
                    throw ContentRules.Block("document", ApiFormat.OpenAI,
                        $"provider '{target.Provider}' takes no file parts; openai, azure_openai and openrouter do, as do Anthropic and Gemini models");
                case "content" when source.TryGetProperty("content"u8, out JsonElement blocks):
                    if (blocks.ValueKind == JsonValueKind.String)
                    {
                        WriteTextPart(blocks.GetString()!);
                        break;
                    }
                    foreach (JsonElement block in blocks.EnumerateArray())
                    {
                        switch (BlockType(block))
                        {
                            case "text": WriteTextPart(block.GetProperty("text"u8).GetString() ?? ""); break;
                            case "image": WriteImagePart(block); break;
                            case var other: throw ContentRules.Block(other, ApiFormat.OpenAI, "inside a document");
                        }
                    }
                    break;
                case var other:
                    throw ContentRules.Block("document", ApiFormat.OpenAI, $"a document with a '{other}' source: OpenAI file parts carry the file's bytes");
            }
        }

        /// <summary>What a tool message says about the images and documents that follow it.</summary>
        private static string FollowNote(int images, int documents)
        {
            string Count(int n, string what) => n == 1 ? $"1 {what}" : $"{n} {what}s";
            string items = images > 0 && documents > 0 ? $"{Count(images, "image")} and {Count(documents, "document")}"
                : images > 0 ? Count(images, "image") : Count(documents, "document");
            return $"({items} {(images + documents == 1 ? "follows" : "follow")} in the next user message)";
        }
    }

    internal static string? BlockType(JsonElement block) =>
        block.ValueKind == JsonValueKind.Object && block.TryGetProperty("type"u8, out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;

    private static string? SourceType(JsonElement source) => Str(source, "type"u8);

    /// <summary>Text of a string, or the text blocks of a block list joined by the separator.</summary>
    internal static string JoinText(JsonElement content, string separator)
    {
        if (content.ValueKind == JsonValueKind.String) return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array) return "";
        var text = new StringBuilder();
        foreach (JsonElement block in content.EnumerateArray())
        {
            if (BlockType(block) is "text" && block.TryGetProperty("text"u8, out JsonElement t) && t.ValueKind == JsonValueKind.String)
            {
                if (text.Length > 0) text.Append(separator);
                text.Append(t.GetString());
            }
        }
        return text.ToString();
    }

    internal static string Compact(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, SseWriter.JsonOptions)) value.WriteTo(w);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
