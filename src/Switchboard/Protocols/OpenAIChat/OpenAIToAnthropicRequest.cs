using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Models;
using Switchboard.Protocols.Translation;
using static Switchboard.Protocols.JsonFields;

namespace Switchboard.Protocols.OpenAIChat;

/// <summary>
/// OpenAI Chat Completions request → Anthropic Messages request. Runs once per request.
/// System and developer messages (wherever they appear) become the top-level system prompt; consecutive messages of
/// one role merge into one turn with tool results first, as Anthropic requires.
/// </summary>
internal static class OpenAIToAnthropicRequest
{
    /// <summary>Anthropic requires max_tokens; OpenAI clients often leave it out.</summary>
    public const int DefaultMaxTokens = 4096;
    private const int MinThinkingBudget = 1024;

    /// <summary>Returns the UTF-8 JSON body for POST /v1/messages.</summary>
    public static byte[] Translate(JsonElement openAIRequest, TranslationTarget target)
    {
        // Several choices per request have no Anthropic equivalent; answering with one would be a silent loss.
        if (Double(openAIRequest, "n"u8) is > 1)
            throw new UnsupportedByTargetException($"n > 1 asks for several choices, and {target.ModelId} is served through the Anthropic API, which gives one. Send n: 1, or use a model on an OpenAI-protocol provider.");
        var buffer = ScratchBuffer.Rent();
        Translate(openAIRequest, target, buffer);
        return ScratchBuffer.ToArrayAndReturn(buffer);
    }

    /// <summary>Writes the UTF-8 JSON body for POST /v1/messages into <paramref name="output"/>.</summary>
    public static void Translate(JsonElement openAIRequest, TranslationTarget target, System.Buffers.IBufferWriter<byte> output)
    {
        // Several choices per request have no Anthropic equivalent; answering with one would be a silent loss.
        if (Double(openAIRequest, "n"u8) is > 1)
            throw new UnsupportedByTargetException($"n > 1 asks for several choices, and {target.ModelId} is served through the Anthropic API, which gives one. Send n: 1, or use a model on an OpenAI-protocol provider.");
        using var json = new Utf8JsonWriter(output, SseWriter.JsonOptions);
        Write(json, openAIRequest, target);
    }

    /// <summary>Whether a streaming OpenAI client asked for the usage chunk (<c>stream_options.include_usage</c>).</summary>
    public static bool ClientWantsStreamUsage(JsonElement openAIRequest) =>
        openAIRequest.TryGetProperty("stream_options"u8, out JsonElement options) && options.ValueKind == JsonValueKind.Object
        && options.TryGetProperty("include_usage"u8, out JsonElement include) && include.ValueKind == JsonValueKind.True;

    private static void Write(Utf8JsonWriter json, JsonElement request, TranslationTarget target)
    {
        var (system, turns) = Conversation.From(request);

        json.WriteStartObject();
        json.WriteString("model"u8, target.ModelId);

        if (system.Count > 0)
        {
            json.WriteStartArray("system"u8);
            foreach (string text in system)
            {
                json.WriteStartObject();
                json.WriteString("type"u8, "text"u8);
                json.WriteString("text"u8, text);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }

        json.WriteStartArray("messages"u8);
        foreach (Turn turn in turns)
        {
            json.WriteStartObject();
            json.WriteString("role"u8, turn.Role);
            json.WriteStartArray("content"u8);
            // Anthropic wants a user turn's tool_result blocks before anything else.
            foreach (JsonObject block in turn.Blocks) if (IsToolResult(block)) block.WriteTo(json);
            foreach (JsonObject block in turn.Blocks) if (!IsToolResult(block)) block.WriteTo(json);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();

        long maxTokens = Long(request, "max_completion_tokens"u8) ?? Long(request, "max_tokens"u8) ?? DefaultMaxTokens;
        if (target.MaxOutputTokens is int cap && maxTokens > cap) maxTokens = cap;
        json.WriteNumber("max_tokens"u8, maxTokens);

        WriteTools(json, request, out bool forcedTool);

        // reasoning_effort → a thinking budget inside max_tokens (OpenAI's max_completion_tokens includes reasoning too).
        // Anthropic rejects thinking with a forced tool choice, and with a budget not below max_tokens.
        bool thinking = false;
        if (Str(request, "reasoning_effort"u8) is { } effort && effort != "none" && !forcedTool)
        {
            long budget = ReasoningSupport.BudgetForEffort(effort);
            if (budget >= maxTokens) budget = Math.Max(MinThinkingBudget, maxTokens / 2);
            if (budget < maxTokens)
            {
                thinking = true;
                json.WriteStartObject("thinking"u8);
                json.WriteString("type"u8, "enabled"u8);
                json.WriteNumber("budget_tokens"u8, budget);
                json.WriteEndObject();
            }
        }

        if (!thinking) // thinking is incompatible with sampling changes
        {
            if (Double(request, "temperature"u8) is double temperature) json.WriteNumber("temperature"u8, Math.Clamp(temperature, 0, 1));
            if (Double(request, "top_p"u8) is double topP) json.WriteNumber("top_p"u8, topP);
        }

        if (request.TryGetProperty("stop"u8, out JsonElement stop))
        {
            var sequences = new List<string>();
            if (stop.ValueKind == JsonValueKind.String) sequences.Add(stop.GetString()!);
            else if (stop.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement s in stop.EnumerateArray()) if (s.ValueKind == JsonValueKind.String) sequences.Add(s.GetString()!);
            }
            sequences.RemoveAll(string.IsNullOrWhiteSpace);
            if (sequences.Count > 0)
            {
                json.WriteStartArray("stop_sequences"u8);
                foreach (string s in sequences) json.WriteStringValue(s);
                json.WriteEndArray();
            }
        }

        if (Str(request, "user"u8) is { } user)
        {
            json.WriteStartObject("metadata"u8);
            json.WriteString("user_id"u8, user);
            json.WriteEndObject();
        }

        if (request.TryGetProperty("stream"u8, out JsonElement stream) && stream.ValueKind == JsonValueKind.True)
        {
            json.WriteBoolean("stream"u8, true);
        }
        json.WriteEndObject();
    }

    private static void WriteTools(Utf8JsonWriter json, JsonElement request, out bool forcedTool)
    {
        forcedTool = false;
        if (!request.TryGetProperty("tools"u8, out JsonElement tools) || tools.ValueKind != JsonValueKind.Array) return;

        int written = 0;
        foreach (JsonElement tool in tools.EnumerateArray())
        {
            if (!tool.TryGetProperty("function"u8, out JsonElement function) || function.ValueKind != JsonValueKind.Object) continue;
            if (written++ == 0) json.WriteStartArray("tools"u8);
            json.WriteStartObject();
            json.WritePropertyName("name"u8);
            function.GetProperty("name"u8).WriteTo(json);
            if (function.TryGetProperty("description"u8, out JsonElement description) && description.ValueKind == JsonValueKind.String)
            {
                json.WritePropertyName("description"u8);
                description.WriteTo(json);
            }
            json.WritePropertyName("input_schema"u8);
            if (function.TryGetProperty("parameters"u8, out JsonElement parameters) && parameters.ValueKind == JsonValueKind.Object)
            {
                parameters.WriteTo(json);
            }
            else
            {
                WriteEmptyInputSchema(json);
            }
            json.WriteEndObject();
        }
        if (written == 0) return;
        json.WriteEndArray();

        bool noParallel = request.TryGetProperty("parallel_tool_calls"u8, out JsonElement p) && p.ValueKind == JsonValueKind.False;
        string type = "auto";
        string? name = null;
        if (request.TryGetProperty("tool_choice"u8, out JsonElement choice))
        {
            if (choice.ValueKind == JsonValueKind.String)
            {
                type = choice.GetString() switch { "required" => "any", "none" => "none", _ => "auto" };
            }
            else if (choice.ValueKind == JsonValueKind.Object
                && choice.TryGetProperty("function"u8, out JsonElement f) && Str(f, "name"u8) is { } n)
            {
                type = "tool";
                name = n;
            }
        }
        else if (!noParallel)
        {
            return; // nothing to say: Anthropic's default is auto
        }

        forcedTool = type is "any" or "tool";
        json.WriteStartObject("tool_choice"u8);
        json.WriteString("type"u8, type);
        if (name is not null) json.WriteString("name"u8, name);
        if (noParallel && type != "none") json.WriteBoolean("disable_parallel_tool_use"u8, true);
        json.WriteEndObject();
    }

    private static bool IsToolResult(JsonObject block) => (string?)block["type"] == "tool_result";

    private sealed record Turn(string Role, List<JsonObject> Blocks);

    /// <summary>The OpenAI message list regrouped into Anthropic's system prompt and alternating turns.</summary>
    private static class Conversation
    {
        public static (List<string> System, List<Turn> Turns) From(JsonElement request)
        {
            var system = new List<string>();
            var turns = new List<Turn>();
            if (!request.TryGetProperty("messages"u8, out JsonElement messages) || messages.ValueKind != JsonValueKind.Array)
            {
                return (system, turns);
            }

            foreach (JsonElement message in messages.EnumerateArray())
            {
                string? role = Str(message, "role"u8);
                message.TryGetProperty("content"u8, out JsonElement content);
                switch (role)
                {
                    case "system" or "developer":
                        string text = ContentRules.OpenAIText(content, ApiFormat.Anthropic);
                        if (text.Length > 0) system.Add(text);
                        break;
                    case "assistant":
                        Append(turns, "assistant", AssistantBlocks(message, content));
                        break;
                    case "tool":
                        Append(turns, "user", [ToolResult(message, content)]);
                        break;
                    case "user":
                        Append(turns, "user", UserBlocks(content));
                        break;
                    default:
                        // "function" (the legacy form of tool results) and unknown roles: nothing to put them in.
                        throw ContentRules.Role(role, ApiFormat.Anthropic);
                }
            }
            PairToolResults(turns);
            return (system, turns);
        }

        /// <summary>
        /// Anthropic rejects a tool_use not answered in the next user turn, and a tool_result whose call is not in the
        /// previous assistant turn. OpenAI clients with trimmed or interrupted histories send both: unanswered calls
        /// get a placeholder result, orphan results become text.
        /// </summary>
        private static void PairToolResults(List<Turn> turns)
        {
            for (int i = 0; i < turns.Count; i++)
            {
                Turn turn = turns[i];
                if (turn.Role != "user") continue;
                HashSet<string> calls = i > 0 ? ToolUseIds(turns[i - 1]) : [];
                for (int b = 0; b < turn.Blocks.Count; b++)
                {
                    JsonObject block = turn.Blocks[b];
                    if (!IsToolResult(block)) continue;
                    string id = (string?)block["tool_use_id"] ?? "";
                    if (calls.Remove(id)) continue;
                    turn.Blocks[b] = new JsonObject { ["type"] = "text", ["text"] = $"[Result of tool call {id}]\n{(string?)block["content"]}" };
                }
                foreach (string missing in calls)
                {
                    turn.Blocks.Insert(0, new JsonObject
                    {
                        ["type"] = "tool_result",
                        ["tool_use_id"] = missing,
                        ["content"] = "(no result: the client did not return one)",
                    });
                }
            }
        }

        private static HashSet<string> ToolUseIds(Turn turn)
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            if (turn.Role != "assistant") return ids;
            foreach (JsonObject block in turn.Blocks)
            {
                if ((string?)block["type"] == "tool_use" && (string?)block["id"] is { } id) ids.Add(id);
            }
            return ids;
        }

        private static void Append(List<Turn> turns, string role, List<JsonObject> blocks)
        {
            if (blocks.Count == 0) return; // Anthropic rejects empty turns
            if (turns.Count > 0 && turns[^1].Role == role) turns[^1].Blocks.AddRange(blocks);
            else turns.Add(new Turn(role, blocks));
        }

        private static List<JsonObject> UserBlocks(JsonElement content)
        {
            var blocks = new List<JsonObject>();
            if (content.ValueKind == JsonValueKind.String)
            {
                AddText(blocks, content.GetString());
                return blocks;
            }
            if (content.ValueKind != JsonValueKind.Array) return blocks;
            foreach (JsonElement part in content.EnumerateArray())
            {
                switch (Str(part, "type"u8))
                {
                    case "text":
                        AddText(blocks, Str(part, "text"u8));
                        break;
                    case "image_url":
                        blocks.Add(ImageBlock(part) ?? throw new TranslationException("an image_url part has no url."));
                        break;
                    case "file":
                        blocks.Add(FileBlock(part.GetProperty("file"u8)));
                        break;
                    case "input_audio":
                        throw ContentRules.Part("input_audio", ApiFormat.Anthropic, "Anthropic models take no audio input");
                    case var other:
                        throw ContentRules.Part(other, ApiFormat.Anthropic, "in a user message");
                }
            }
            return blocks;
        }

        /// <summary>
        /// An OpenAI <c>file</c> part → a PDF document (titled with the filename), a plain-text document (text/*, decoded),
        /// or an image; other media types have no Anthropic equivalent.
        /// </summary>
        private static JsonObject FileBlock(JsonElement file)
        {
            (string mediaType, string base64) = ContentRules.OpenAIFileData(file, ApiFormat.Anthropic);
            string? filename = Str(file, "filename"u8);
            JsonObject block;
            if (mediaType.Equals("application/pdf", StringComparison.OrdinalIgnoreCase))
            {
                block = new JsonObject { ["type"] = "document", ["source"] = new JsonObject { ["type"] = "base64", ["media_type"] = "application/pdf", ["data"] = base64 } };
            }
            else if (mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase))
            {
                string text;
                try
                {
                    text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64));
                }
                catch (FormatException)
                {
                    throw new TranslationException($"the file part '{filename}' is not valid base64.");
                }
                block = new JsonObject { ["type"] = "document", ["source"] = new JsonObject { ["type"] = "text", ["media_type"] = "text/plain", ["data"] = text } };
            }
            else if (mediaType.ToLowerInvariant() is "image/jpeg" or "image/png" or "image/gif" or "image/webp")
            {
                return new JsonObject { ["type"] = "image", ["source"] = new JsonObject { ["type"] = "base64", ["media_type"] = mediaType, ["data"] = base64 } };
            }
            else
            {
                throw ContentRules.Part("file", ApiFormat.Anthropic, $"Anthropic documents are PDF or plain text, not {mediaType}");
            }
            if (!string.IsNullOrEmpty(filename)) block["title"] = filename;
            return block;
        }

        private static JsonObject? ImageBlock(JsonElement part)
        {
            string? url = part.TryGetProperty("image_url"u8, out JsonElement imageUrl)
                ? imageUrl.ValueKind == JsonValueKind.String ? imageUrl.GetString() : Str(imageUrl, "url"u8)
                : null;
            if (string.IsNullOrEmpty(url)) return null;
            JsonObject source = ParseDataUrl(url) is var (mediaType, data)
                ? new JsonObject { ["type"] = "base64", ["media_type"] = mediaType, ["data"] = data }
                : new JsonObject { ["type"] = "url", ["url"] = url };
            return new JsonObject { ["type"] = "image", ["source"] = source };
        }

        private static List<JsonObject> AssistantBlocks(JsonElement message, JsonElement content)
        {
            // reasoning_content is dropped: an Anthropic thinking block needs a signature only Anthropic can make.
            var blocks = new List<JsonObject>();
            if (content.ValueKind == JsonValueKind.String) AddText(blocks, content.GetString());
            else if (content.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement part in content.EnumerateArray())
                {
                    switch (Str(part, "type"u8))
                    {
                        case "text": AddText(blocks, Str(part, "text"u8)); break;
                        case "refusal": AddText(blocks, Str(part, "refusal"u8)); break;
                        case var other: throw ContentRules.Part(other, ApiFormat.Anthropic, "in an assistant message");
                    }
                }
            }
            if (message.TryGetProperty("tool_calls"u8, out JsonElement calls) && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement call in calls.EnumerateArray())
                {
                    if (!call.TryGetProperty("function"u8, out JsonElement function)) continue;
                    blocks.Add(new JsonObject
                    {
                        ["type"] = "tool_use",
                        ["id"] = ToolCallIds.ToAnthropic(Str(call, "id"u8)),
                        ["name"] = Str(function, "name"u8) ?? "",
                        ["input"] = ParseArguments(Str(function, "arguments"u8)),
                    });
                }
            }
            return blocks;
        }

        private static JsonObject ToolResult(JsonElement message, JsonElement content) => new()
        {
            ["type"] = "tool_result",
            ["tool_use_id"] = ToolCallIds.ToAnthropic(Str(message, "tool_call_id"u8)),
            ["content"] = ContentRules.OpenAIText(content, ApiFormat.Anthropic),
        };

        private static void AddText(List<JsonObject> blocks, string? text)
        {
            // Anthropic rejects empty and whitespace-only text blocks.
            if (!string.IsNullOrWhiteSpace(text)) blocks.Add(new JsonObject { ["type"] = "text", ["text"] = text });
        }
    }

    /// <summary>Tool arguments as a JSON object; malformed or non-object arguments become {} (Anthropic requires an object).</summary>
    internal static JsonNode ParseArguments(string? arguments)
    {
        if (!string.IsNullOrWhiteSpace(arguments))
        {
            try
            {
                if (JsonNode.Parse(arguments) is JsonObject obj) return obj;
            }
            catch (JsonException)
            {
            }
        }
        return new JsonObject();
    }

    /// <summary>"data:image/png;base64,AAAA" → ("image/png", "AAAA").</summary>
    internal static (string MediaType, string Data)? ParseDataUrl(string url)
    {
        if (!url.StartsWith("data:", StringComparison.OrdinalIgnoreCase)) return null;
        int comma = url.IndexOf(',');
        int marker = url.IndexOf(";base64", StringComparison.OrdinalIgnoreCase);
        if (comma < 0 || marker < 0 || marker > comma) return null;
        return (url[5..marker], url[(comma + 1)..]);
    }

    private static double? Double(JsonElement obj, ReadOnlySpan<byte> name) =>
        obj.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    /// <summary>Anthropic requires a tool's input_schema; a parameterless function has none: an object with no properties.</summary>
    internal static void WriteEmptyInputSchema(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "object"u8);
        json.WriteStartObject("properties"u8);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
