using System.Buffers;
using System.Text;
using System.Text.Json;
using Switchboard.Protocols.Gemini;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.Anthropic;

/// <summary>
/// The forward pass: the request's bytes read once, front to back (<see cref="JsonWalk"/>), and written as the OpenAI
/// body, with no DOM of the request. Text, tool results and tool definitions are copied as the client escaped them;
/// strings are decoded only where the gateway needs .NET text (tool ids and names). The few small top-level fields
/// (max_tokens, sampling, metadata, thinking, tool_choice …) are copied into a document of a few hundred bytes and read
/// by the same code as the DOM path, so they mean exactly what they did. Anything it does not handle itself (images,
/// documents, search results, server-tool history, odd value kinds, an escaped name, a duplicate field) makes it
/// decline, and the DOM path translates the request (and words any refusal) as before.
/// </summary>
internal static partial class AnthropicToOpenAIRequest
{
    /// <summary>
    /// Translates <paramref name="body"/> (an Anthropic request that passed <see cref="RequestPeek"/>) into
    /// <paramref name="output"/> in one forward pass; false (and <paramref name="output"/> cleared) when it declined, and
    /// the DOM path must run. <paramref name="peek"/>'s ranges let it jump over messages, system and tools where it
    /// meets them out of order (default: found by scanning).
    /// </summary>
    /// <param name="estimate">Also count the input-token estimate (<see cref="CountTokensEstimator"/>'s rules) on the way.</param>
    public static bool TryTranslateForward(ReadOnlySpan<byte> body, in RequestPeek peek, TranslationTarget target, PooledBufferWriter output,
        bool estimate, out ToolNameMap? toolNames, out int estimatedTokens)
    {
        toolNames = null;
        estimatedTokens = 0;
        if (target.Api != ApiFormat.OpenAI || output.WrittenCount != 0) return false;
        var names = new ToolNameMap();
        var small = new PooledBufferWriter(256);
        try
        {
            var top = ReadTopLevel(body, peek, small);
            using var smallDocument = JsonDocument.Parse(small.WrittenSpan.ToArray());
            var counter = estimate ? new TokenCounter() : null;
            using (var json = new Utf8JsonWriter(output, SseWriter.JsonOptions))
            {
                WriteForward(json, body, top, smallDocument.RootElement, target, names, counter);
            }
            toolNames = names.IsEmpty ? null : names;
            if (counter is not null) estimatedTokens = counter.Total;
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Declined, or a value of a shape the DOM path refuses in its own words: it runs again there.
            output.Clear();
            return false;
        }
        finally
        {
            small.Dispose();
        }
    }

    /// <summary>Where system, messages and tools are; the small fields copied into <paramref name="small"/> as one object.</summary>
    private static TopLevel ReadTopLevel(ReadOnlySpan<byte> body, in RequestPeek peek, PooledBufferWriter small)
    {
        var i = JsonScan.SkipWhitespace(body, 0);
        if (body[i] != '{') throw new JsonWalkDeclined();
        i = JsonWalk.Open(body, i);
        TopLevel top = default;
        small.Write("{"u8);
        var smallCount = 0;
        while (JsonWalk.NextMember(body, ref i, out var name, out var value))
        {
            if (name.SequenceEqual("messages"u8)) i = Take(body, ref top.Messages, value, peek.MessagesValue);
            else if (name.SequenceEqual("system"u8)) i = Take(body, ref top.System, value, peek.SystemValue);
            else if (name.SequenceEqual("tools"u8)) i = Take(body, ref top.Tools, value, peek.ToolsValue);
            else
            {
                i = JsonWalk.End(body, value);
                if (!IsSmall(name)) continue;
                if (smallCount++ > 0) small.Write(","u8);
                small.Write("\""u8);
                small.Write(name);
                small.Write("\":"u8);
                small.Write(body[value..i]);
            }
        }
        small.Write("}"u8);
        return top;
    }

    private static bool IsSmall(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("max_tokens"u8) || name.SequenceEqual("temperature"u8) || name.SequenceEqual("top_p"u8)
        || name.SequenceEqual("stop_sequences"u8) || name.SequenceEqual("stream"u8) || name.SequenceEqual("metadata"u8)
        || name.SequenceEqual("output_config"u8) || name.SequenceEqual("thinking"u8) || name.SequenceEqual("tool_choice"u8);

    /// <summary>Records a big value's range (a second one declines: the DOM path decides which wins); returns its end.</summary>
    private static int Take(ReadOnlySpan<byte> body, ref JsonRange slot, int value, JsonRange known)
    {
        if (!slot.IsEmpty) throw new JsonWalkDeclined();
        slot = known.Start == value && !known.IsEmpty ? known : JsonWalk.Range(body, value);
        return slot.End;
    }

    private static void WriteForward(Utf8JsonWriter json, ReadOnlySpan<byte> body, in TopLevel top, JsonElement small, TranslationTarget target,
        ToolNameMap names, TokenCounter? counter)
    {
        json.WriteStartObject();
        json.WriteString("model"u8, target.ModelId);
        using (var messages = new MessageWriter(json, names, target)) messages.WriteAllForward(body, top, counter);
        WriteScalars(json, small, target);
        var written = top.Tools.IsEmpty ? 0 : WriteToolsForward(json, body, top.Tools, names, GeminiSchema.AppliesTo(target), counter);
        if (written > 0) WriteToolChoice(json, small, names);
        json.WriteEndObject();
    }

    /// <summary>The tools array (function tools only, as <see cref="WriteTools"/>); returns how many were written.</summary>
    private static int WriteToolsForward(Utf8JsonWriter json, ReadOnlySpan<byte> body, JsonRange tools, ToolNameMap names, bool geminiSchemas, TokenCounter? counter)
    {
        if (body[tools.Start] != '[') return body[tools.Start] == 'n' ? 0 : throw new JsonWalkDeclined();
        var written = 0;
        var i = JsonWalk.Open(body, tools.Start);
        while (JsonWalk.NextItem(body, ref i, out var item))
        {
            counter?.AddFixed(CountTokensEstimator.TokensPerTool);
            if (body[item] != '{')
            {
                i = JsonWalk.End(body, item);
                continue;
            }
            var tool = Fields.Read(body, item, out i);
            counter?.AddString(body, tool.Name);
            counter?.AddString(body, tool.Description);
            counter?.AddRaw(body, tool.InputSchema);
            if (tool.InputSchema.IsEmpty) continue;
            if (!tool.Type.IsEmpty)
            {
                // Server tools (web_search_…, bash_…, text_editor_…) run at Anthropic; other targets can't run them.
                if (!IsString(body, tool.Type) || Raw(body, tool.Type).IndexOf((byte)'\\') >= 0) throw new JsonWalkDeclined();
                if (!Raw(body, tool.Type).SequenceEqual("\"custom\""u8)) continue;
            }
            if (written++ == 0) json.WriteStartArray("tools"u8);
            json.WriteStartObject();
            json.WriteString("type"u8, "function"u8);
            json.WriteStartObject("function"u8);
            json.WriteString("name"u8, names.ToUpstream(RequiredString(body, tool.Name)));
            // Copied as escaped: an escaped surrogate may be a lone one, which the DOM path refuses with a 400; let it decide.
            if (HasSurrogateEscape(Raw(body, tool.Description)) || (!geminiSchemas && HasSurrogateEscape(Raw(body, tool.InputSchema))))
                throw new JsonWalkDeclined();
            if (IsString(body, tool.Description))
            {
                json.WritePropertyName("description"u8);
                json.WriteRawValue(Raw(body, tool.Description), skipInputValidation: true);
            }
            json.WritePropertyName("parameters"u8);
            if (geminiSchemas)
            {
                using var schema = JsonDocument.Parse(Raw(body, tool.InputSchema).ToArray(), RequestPeek.DocumentOptions);
                GeminiSchema.Write(json, schema.RootElement);
            }
            else json.WriteRawValue(Raw(body, tool.InputSchema), skipInputValidation: true);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        if (written > 0) json.WriteEndArray();
        return written;
    }

    private static ReadOnlySpan<byte> Raw(ReadOnlySpan<byte> body, JsonRange range) => body.Slice(range.Start, range.Length);

    private static bool IsString(ReadOnlySpan<byte> body, JsonRange range) => !range.IsEmpty && body[range.Start] == '"';

    /// <summary>A string or null value as .NET text (null for JSON null); any other kind declines.</summary>
    private static string? StringOrNull(ReadOnlySpan<byte> body, JsonRange range)
    {
        var raw = Raw(body, range);
        if (raw[0] == 'n') return null;
        if (raw[0] != '"') throw new JsonWalkDeclined();
        var inner = raw[1..^1];
        return inner.IndexOf((byte)'\\') < 0 ? Encoding.UTF8.GetString(inner) : JsonTextJoiner.Decode(raw);
    }

    /// <summary>What <c>GetProperty(name).GetString() ?? ""</c> gives, declining where that throws.</summary>
    private static string RequiredString(ReadOnlySpan<byte> body, JsonRange range) =>
        range.IsEmpty ? throw new JsonWalkDeclined() : StringOrNull(body, range) ?? "";

    /// <summary>The fields of a block or tool object the translation reads: their value ranges.</summary>
    private struct Fields
    {
        public JsonRange Type, Text, Thinking, Id, Name, Input, Content, ToolUseId, IsError, Description, InputSchema;

        /// <summary>Reads the object at <paramref name="start"/>; <paramref name="end"/>: past it. A repeated field declines.</summary>
        public static Fields Read(ReadOnlySpan<byte> body, int start, out int end)
        {
            Fields f = default;
            var i = JsonWalk.Open(body, start);
            while (JsonWalk.NextMember(body, ref i, out var name, out var value))
            {
                i = JsonWalk.End(body, value);
                var range = new JsonRange(value, i - value);
                switch (name.Length)
                {
                    case 4 when name.SequenceEqual("type"u8): Set(ref f.Type, range); break;
                    case 4 when name.SequenceEqual("text"u8): Set(ref f.Text, range); break;
                    case 4 when name.SequenceEqual("name"u8): Set(ref f.Name, range); break;
                    case 2 when name.SequenceEqual("id"u8): Set(ref f.Id, range); break;
                    case 5 when name.SequenceEqual("input"u8): Set(ref f.Input, range); break;
                    case 7 when name.SequenceEqual("content"u8): Set(ref f.Content, range); break;
                    case 8 when name.SequenceEqual("thinking"u8): Set(ref f.Thinking, range); break;
                    case 8 when name.SequenceEqual("is_error"u8): Set(ref f.IsError, range); break;
                    case 11 when name.SequenceEqual("tool_use_id"u8): Set(ref f.ToolUseId, range); break;
                    case 11 when name.SequenceEqual("description"u8): Set(ref f.Description, range); break;
                    case 12 when name.SequenceEqual("input_schema"u8): Set(ref f.InputSchema, range); break;
                }
            }
            end = i;
            return f;
        }

        private static void Set(ref JsonRange slot, JsonRange value)
        {
            if (!slot.IsEmpty) throw new JsonWalkDeclined();
            slot = value;
        }

        /// <summary>The block type (a string without escapes), or declines.</summary>
        public readonly BlockKind Kind(ReadOnlySpan<byte> body)
        {
            if (!IsString(body, Type)) throw new JsonWalkDeclined();
            var type = Raw(body, Type)[1..^1];
            if (type.SequenceEqual("text"u8)) return BlockKind.Text;
            if (type.SequenceEqual("tool_use"u8)) return BlockKind.ToolUse;
            if (type.SequenceEqual("tool_result"u8)) return BlockKind.ToolResult;
            if (type.SequenceEqual("thinking"u8)) return BlockKind.Thinking;
            if (type.SequenceEqual("redacted_thinking"u8)) return BlockKind.RedactedThinking;
            throw new JsonWalkDeclined(); // images, documents, search results, server-tool history: the DOM path
        }
    }

    private enum BlockKind { Text, ToolUse, ToolResult, Thinking, RedactedThinking }

    private struct TopLevel
    {
        public JsonRange System, Messages, Tools;
    }

    /// <summary><see cref="CountTokensEstimator.EstimateAnthropicRequest"/>'s count, kept on the way through.</summary>
    private sealed class TokenCounter
    {
        private long _chars, _fixed;

        public int Total => (int)Math.Min((_chars + TokenEstimator.CharsPerToken - 1) / TokenEstimator.CharsPerToken + _fixed, int.MaxValue);

        public void AddFixed(long tokens) => _fixed += tokens;

        /// <summary>A string value's length (nothing for another kind, as the estimator's StringLength).</summary>
        public void AddString(ReadOnlySpan<byte> body, JsonRange range)
        {
            if (IsString(body, range)) _chars += TokenEstimator.EscapedUtf16Length(Raw(body, range)[1..^1]);
        }

        public void AddRaw(ReadOnlySpan<byte> body, JsonRange range)
        {
            if (!range.IsEmpty) _chars += Encoding.UTF8.GetCharCount(Raw(body, range));
        }

        /// <summary>A whole content value, by the estimator's own rules (a DOM of just this value: rare content only).</summary>
        public void AddContent(JsonElement content)
        {
            long chars = 0, fixedTokens = 0;
            CountTokensEstimator.Content(content, ref chars, ref fixedTokens);
            _chars += chars;
            _fixed += fixedTokens;
        }
    }

    private sealed partial class MessageWriter
    {
        /// <summary>Blocks of the current turn the forward pass comes back to: text joined after tool results, tool calls after text.</summary>
        private readonly List<Fields> _pending = [];

        public void WriteAllForward(ReadOnlySpan<byte> body, in TopLevel top, TokenCounter? counter)
        {
            json.WriteStartArray("messages"u8);
            if (!top.System.IsEmpty) WriteSystemForward(body, top.System.Start, counter, topLevel: true);
            if (!top.Messages.IsEmpty && body[top.Messages.Start] == '[')
            {
                var i = JsonWalk.Open(body, top.Messages.Start);
                while (JsonWalk.NextItem(body, ref i, out var item))
                {
                    counter?.AddFixed(CountTokensEstimator.TokensPerMessage);
                    if (body[item] != '{') throw new JsonWalkDeclined();
                    i = WriteMessageForward(body, item, counter);
                }
            }
            else if (!top.Messages.IsEmpty) throw new JsonWalkDeclined();
            CloseToolTurn();
            json.WriteEndArray();
        }

        /// <summary>
        /// One message; returns its end. Its content is translated where the walk meets it when the role came before it
        /// (as clients send it), so the content's bytes are read once instead of scanned for their end first. A repeated
        /// role or content declines, as <see cref="Fields.Read"/> does.
        /// </summary>
        private int WriteMessageForward(ReadOnlySpan<byte> body, int start, TokenCounter? counter)
        {
            JsonRange role = default, content = default;
            var written = false;
            var i = JsonWalk.Open(body, start);
            while (JsonWalk.NextMember(body, ref i, out var name, out var value))
            {
                if (name.SequenceEqual("role"u8))
                {
                    if (!role.IsEmpty) throw new JsonWalkDeclined();
                    role = JsonWalk.Range(body, value);
                    i = role.End;
                }
                else if (name.SequenceEqual("content"u8))
                {
                    if (!content.IsEmpty) throw new JsonWalkDeclined();
                    if (role.IsEmpty) content = JsonWalk.Range(body, value);
                    else
                    {
                        content = new JsonRange(value, WriteContentForward(body, role, value, counter) - value);
                        written = true;
                    }
                    i = content.End;
                }
                else i = JsonWalk.End(body, value);
            }
            if (!written && !content.IsEmpty)
            {
                if (role.IsEmpty) throw new JsonWalkDeclined();
                WriteContentForward(body, role, content.Start, counter);
            }
            return i;
        }

        /// <summary>A message's content by its role; returns the content's end.</summary>
        private int WriteContentForward(ReadOnlySpan<byte> body, JsonRange roleValue, int content, TokenCounter? counter)
        {
            var role = Raw(body, roleValue);
            if (role.SequenceEqual("\"assistant\""u8))
            {
                CloseToolTurn();
                return WriteAssistantForward(body, content, counter);
            }
            if (role.SequenceEqual("\"system\""u8)) return WriteSystemForward(body, content, counter, topLevel: false);
            if (role[0] == '"' && role.IndexOf((byte)'\\') < 0) return WriteUserForward(body, content, counter);
            throw new JsonWalkDeclined();
        }

        /// <summary>
        /// The top-level system prompt, or a system-role message mid-conversation (<see cref="WriteSystemMessage"/>'s rules):
        /// a string or text blocks, joined as the client escaped them. Other blocks decline (the DOM path refuses them); a
        /// top-level value of another kind declines, a message's is skipped as on the DOM path.
        /// </summary>
        private int WriteSystemForward(ReadOnlySpan<byte> body, int start, TokenCounter? counter, bool topLevel)
        {
            _text.Start();
            int end;
            if (body[start] == '"')
            {
                var content = JsonWalk.Range(body, start);
                end = content.End;
                counter?.AddString(body, content);
                _text.AddRaw(Raw(body, content), "\\n\\n"u8);
            }
            else if (body[start] == '[')
            {
                end = JsonWalk.Open(body, start);
                while (JsonWalk.NextItem(body, ref end, out var item))
                {
                    if (body[item] != '{') throw new JsonWalkDeclined();
                    var block = Fields.Read(body, item, out end);
                    if (block.Kind(body) != BlockKind.Text) throw new JsonWalkDeclined();
                    counter?.AddString(body, block.Text);
                    if (IsString(body, block.Text)) _text.AddRaw(Raw(body, block.Text), "\\n\\n"u8);
                }
            }
            else if (topLevel) throw new JsonWalkDeclined();
            else return JsonWalk.End(body, start);
            if (!_text.HasText) return end;
            if (_unansweredCalls.Count > 0)
            {
                _deferredSystem.Add(_text.Decode()); // between a tool call and its result: after the results (rare)
                return end;
            }
            json.WriteStartObject();
            json.WriteString("role"u8, "system"u8);
            _text.WriteTo(json, "content"u8);
            json.WriteEndObject();
            return end;
        }

        private int WriteAssistantForward(ReadOnlySpan<byte> body, int start, TokenCounter? counter)
        {
            if (body[start] == '"')
            {
                var content = JsonWalk.Range(body, start);
                counter?.AddString(body, content);
                WriteRawTextMessage("assistant"u8, Raw(body, content));
                return content.End;
            }
            if (body[start] != '[') return JsonWalk.End(body, start);

            var text = _text;
            text.Start();
            _pending.Clear();
            var i = JsonWalk.Open(body, start);
            while (JsonWalk.NextItem(body, ref i, out var item))
            {
                if (body[item] != '{') throw new JsonWalkDeclined();
                var block = Fields.Read(body, item, out i);
                switch (block.Kind(body))
                {
                    case BlockKind.ToolUse:
                        counter?.AddString(body, block.Name);
                        counter?.AddRaw(body, block.Input);
                        _pending.Add(block);
                        break;
                    case BlockKind.Text:
                        if (block.Text.IsEmpty) throw new JsonWalkDeclined();
                        counter?.AddString(body, block.Text);
                        text.AddRaw(Raw(body, block.Text), "\\n\\n"u8);
                        break;
                    case BlockKind.Thinking:
                        counter?.AddString(body, block.Thinking);
                        break; // signed for Anthropic only, never forwarded as text
                    case BlockKind.ToolResult:
                        throw new JsonWalkDeclined(); // not in an assistant turn: the DOM path refuses it
                }
            }
            if (!text.HasText && _pending.Count == 0) return i;

            json.WriteStartObject();
            json.WriteString("role"u8, "assistant"u8);
            if (text.HasText) text.WriteTo(json, "content"u8);
            else json.WriteNull("content"u8);
            if (_pending.Count > 0)
            {
                json.WriteStartArray("tool_calls"u8);
                foreach (var call in _pending)
                {
                    string id = (call.Id.IsEmpty ? null : StringOrNull(body, call.Id)) ?? ToolCallIds.NewOpenAIId();
                    _unansweredCalls.Add(id);
                    json.WriteStartObject();
                    json.WriteString("id"u8, id);
                    json.WriteString("type"u8, "function"u8);
                    json.WriteStartObject("function"u8);
                    json.WriteString("name"u8, names.ToUpstream(RequiredString(body, call.Name)));
                    if (call.Input.IsEmpty) json.WriteString("arguments"u8, "{}"u8);
                    else WriteArgumentsForward(Raw(body, call.Input));
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
            return i;
        }

        /// <summary>
        /// A tool call's input as the arguments string: the client's JSON with the whitespace between tokens taken out,
        /// which is what the DOM path's writer makes of it whenever the text is ASCII without <c>\u</c> or <c>\/</c>
        /// escapes (the writer would spell those its own way: such input goes through it).
        /// </summary>
        private void WriteArgumentsForward(ReadOnlySpan<byte> input)
        {
            if (!WriterKeepsAsIs(input))
            {
                using var document = JsonDocument.Parse(input.ToArray(), RequestPeek.DocumentOptions);
                WriteArguments(document.RootElement);
                return;
            }
            _compactBuffer ??= new PooledBufferWriter(1024);
            _compactBuffer.Clear();
            CompactAsString(input, _compactBuffer);
            json.WritePropertyName("arguments"u8);
            json.WriteRawValue(_compactBuffer.WrittenSpan, skipInputValidation: true);
        }

        private int WriteUserForward(ReadOnlySpan<byte> body, int start, TokenCounter? counter)
        {
            if (body[start] == '"')
            {
                var content = JsonWalk.Range(body, start);
                counter?.AddString(body, content);
                CloseToolTurn();
                WriteRawTextMessage("user"u8, Raw(body, content));
                return content.End;
            }
            if (body[start] != '[') return JsonWalk.End(body, start);

            // Tool results go out as tool messages as they come (they come first anyway); the rest waits for after them.
            _pending.Clear();
            var i = JsonWalk.Open(body, start);
            while (JsonWalk.NextItem(body, ref i, out var item))
            {
                if (body[item] != '{') throw new JsonWalkDeclined();
                var block = Fields.Read(body, item, out i);
                switch (block.Kind(body))
                {
                    case BlockKind.ToolResult:
                        WriteToolResultForward(body, block, counter);
                        break;
                    case BlockKind.Text:
                        counter?.AddString(body, block.Text);
                        _pending.Add(block);
                        break;
                    case BlockKind.Thinking:
                        counter?.AddString(body, block.Thinking);
                        break;
                    case BlockKind.RedactedThinking:
                        break;
                    default:
                        throw new JsonWalkDeclined(); // a tool_use in a user turn: the DOM path refuses it
                }
            }
            CloseToolTurn();
            if (_pending.Count == 0) return i;

            // Only text is left (anything else declined): plain string content, the form every server accepts.
            _text.Start();
            foreach (var block in _pending)
            {
                if (IsString(body, block.Text)) _text.AddRaw(Raw(body, block.Text), "\\n\\n"u8);
            }
            json.WriteStartObject();
            json.WriteString("role"u8, "user"u8);
            _text.WriteTo(json, "content"u8);
            json.WriteEndObject();
            return i;
        }

        private void WriteToolResultForward(ReadOnlySpan<byte> body, in Fields block, TokenCounter? counter)
        {
            string id = block.ToolUseId.IsEmpty ? "" : StringOrNull(body, block.ToolUseId) ?? "";
            _unansweredCalls.Remove(id);
            bool isError = !block.IsError.IsEmpty && Raw(body, block.IsError).SequenceEqual("true"u8);
            if (!isError && IsString(body, block.Content) && Raw(body, block.Content).IndexOf("\\u"u8) < 0)
            {
                // The usual tool result, one string: straight from the client's bytes to the output.
                counter?.AddString(body, block.Content);
                json.WriteStartObject();
                json.WriteString("role"u8, "tool"u8);
                json.WriteString("tool_call_id"u8, id);
                json.WritePropertyName("content"u8);
                json.WriteRawValue(Raw(body, block.Content), skipInputValidation: true);
                json.WriteEndObject();
                return;
            }
            var text = _text;
            text.Start();
            if (!block.Content.IsEmpty)
            {
                var content = block.Content;
                if (body[content.Start] == '"')
                {
                    counter?.AddString(body, content);
                    text.AddRaw(Raw(body, content), "\\n"u8);
                }
                else if (body[content.Start] == '[')
                {
                    var i = JsonWalk.Open(body, content.Start);
                    while (JsonWalk.NextItem(body, ref i, out var item))
                    {
                        if (body[item] != '{') throw new JsonWalkDeclined();
                        var part = Fields.Read(body, item, out i);
                        if (part.Kind(body) != BlockKind.Text || part.Text.IsEmpty) throw new JsonWalkDeclined(); // images and documents: the DOM path
                        counter?.AddString(body, part.Text);
                        text.AddRaw(Raw(body, part.Text), "\\n"u8);
                    }
                }
            }
            // OpenAI tool messages have no error flag: say it in the text.
            if (isError) text.Prepend("Error: "u8);
            json.WriteStartObject();
            json.WriteString("role"u8, "tool"u8);
            json.WriteString("tool_call_id"u8, id);
            text.WriteTo(json, "content"u8);
            json.WriteEndObject();
        }

        /// <summary>A message whose content is one string, copied as the client escaped it.</summary>
        private void WriteRawTextMessage(ReadOnlySpan<byte> role, ReadOnlySpan<byte> token)
        {
            json.WriteStartObject();
            json.WriteString("role"u8, role);
            if (token.IndexOf("\\u"u8) < 0)
            {
                json.WritePropertyName("content"u8);
                json.WriteRawValue(token, skipInputValidation: true);
            }
            else
            {
                _text.Start();
                _text.AddRaw(token, default);
                _text.WriteTo(json, "content"u8);
            }
            json.WriteEndObject();
        }
    }

    /// <summary>
    /// Whether <see cref="Utf8JsonWriter"/> (with <see cref="SseWriter.JsonOptions"/>) would write the strings of this
    /// JSON exactly as they are spelled here: no <c>\u</c> or <c>\/</c> escape (it writes those its own way), no DEL,
    /// and no non-ASCII character its encoder escapes (it escapes, for one, characters outside the BMP).
    /// </summary>
    private static bool WriterKeepsAsIs(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf("\\u"u8) >= 0 || json.IndexOf("\\/"u8) >= 0 || json.IndexOf((byte)0x7F) >= 0) return false;
        var encoder = SseWriter.JsonOptions.Encoder!;
        var i = json.IndexOfAnyInRange((byte)0x80, (byte)0xFF);
        while (i >= 0)
        {
            var rest = json[i..];
            var run = rest.IndexOfAnyInRange((byte)0, (byte)0x7F);
            if (run < 0) run = rest.Length;
            if (encoder.FindFirstCharacterToEncodeUtf8(rest[..run]) >= 0) return false;
            var next = rest[run..].IndexOfAnyInRange((byte)0x80, (byte)0xFF);
            i = next < 0 ? -1 : i + run + next;
        }
        return true;
    }

    private static readonly System.Buffers.SearchValues<byte> TokenStops = System.Buffers.SearchValues.Create("\" \n\r\t"u8);

    /// <summary>
    /// Valid JSON without the whitespace between its tokens, as one JSON string (quoted, <c>"</c> and <c>\</c>
    /// escaped): what the writer makes of the compact text when <see cref="WriterKeepsAsIs"/> says it keeps its characters.
    /// </summary>
    internal static void CompactAsString(ReadOnlySpan<byte> json, PooledBufferWriter output)
    {
        output.Write("\""u8);
        while (!json.IsEmpty)
        {
            var stop = json.IndexOfAny(TokenStops);
            if (stop < 0)
            {
                output.Write(json);
                break;
            }
            output.Write(json[..stop]);
            if (json[stop] == '"')
            {
                var end = JsonWalk.StringEnd(json, stop);
                Escape(json[stop..end], output);
                json = json[end..];
            }
            else json = json[(stop + 1)..]; // whitespace between tokens
        }
        output.Write("\""u8);
    }

    /// <summary>Bytes with <c>"</c> and <c>\</c> escaped (all that JSON text needs to become a string's content).</summary>
    private static void Escape(ReadOnlySpan<byte> text, PooledBufferWriter output)
    {
        while (true)
        {
            var special = text.IndexOfAny((byte)'"', (byte)'\\');
            if (special < 0)
            {
                output.Write(text);
                return;
            }
            output.Write(text[..special]);
            output.Write(text[special] == '"' ? "\\\""u8 : "\\\\"u8);
            text = text[(special + 1)..];
        }
    }

    /// <summary>Whether JSON text holds a <c>\uD800</c>–<c>\uDFFF</c> escape (a false positive only declines).</summary>
    private static bool HasSurrogateEscape(ReadOnlySpan<byte> json)
    {
        for (var i = json.IndexOf("\\u"u8); i >= 0 && i + 3 < json.Length; )
        {
            if (json[i + 2] is (byte)'d' or (byte)'D' && json[i + 3] is (>= (byte)'8' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F'))
                return true;
            var next = json[(i + 2)..].IndexOf("\\u"u8);
            i = next < 0 ? -1 : i + 2 + next;
        }
        return false;
    }
}
