using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Switchboard.Protocols;

/// <summary>
/// The few top-level fields the gateway needs before it decides anything, read with one forward pass of
/// <see cref="Utf8JsonReader"/> (which also validates the whole body) instead of building a DOM.
/// </summary>
internal readonly struct RequestPeek
{
    public string? Model { get; init; }
    public bool Stream { get; init; }
    public bool HasMessages { get; init; }
    public int MessageCount { get; init; }
    /// <summary>max_tokens (or max_completion_tokens) when present and numeric.</summary>
    public long? MaxTokens { get; init; }
    /// <summary>Byte range of the top-level "model" value token, for splicing in the upstream id.</summary>
    public int ModelValueStart { get; init; }
    public int ModelValueLength { get; init; }
    /// <summary>Byte range of the top-level max_tokens value, for capping it in place.</summary>
    public int MaxTokensValueStart { get; init; }
    public int MaxTokensValueLength { get; init; }
    /// <summary>Anthropic thinking.budget_tokens and its byte range, which must stay below a capped max_tokens.</summary>
    public long? ThinkingBudget { get; init; }
    public int ThinkingBudgetStart { get; init; }
    public int ThinkingBudgetLength { get; init; }
    /// <summary>Who is asking: Anthropic metadata.user_id, or OpenAI's user (for per-session views such as the status line).</summary>
    public string? UserId { get; init; }
    /// <summary>Top-level "model" was present but not a string.</summary>
    public bool ModelNotString { get; init; }
    /// <summary>Responses API: top-level "input" is a string or an array (<see cref="InputCount"/> items; a string counts one).</summary>
    public bool HasInput { get; init; }
    public int InputCount { get; init; }
    /// <summary>Responses API: previous_response_id, when the client continues a stored response.</summary>
    public string? PreviousResponseId { get; init; }
    /// <summary>
    /// Byte ranges of the top-level messages, system and tools values (the bulk of a request): a forward-pass
    /// translation jumps over them instead of scanning them twice. Zero length: not present.
    /// </summary>
    public JsonRange MessagesValue { get; init; }
    public JsonRange SystemValue { get; init; }
    public JsonRange ToolsValue { get; init; }

    /// <summary>Deepest nesting a request may have; anything that parses the body as a DOM must allow as much.</summary>
    public const int MaxDepth = 128;

    private static readonly JsonReaderOptions Options = new() { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>For parsing a body that passed <see cref="Read"/> into a DOM (the default JsonDocument depth, 64, is lower).</summary>
    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth };

    /// <summary>Reads the body. Throws <see cref="JsonException"/> when it is not valid UTF-8 JSON or not an object.</summary>
    public static RequestPeek Read(ReadOnlySpan<byte> body)
    {
        // The reader checks structure, not the bytes inside strings: invalid UTF-8 would only fail later, when a
        // translator reads the string (a 500), or reach the provider as is.
        if (!System.Text.Unicode.Utf8.IsValid(body))
            throw new JsonException("the request body is not valid UTF-8.");
        return TryReadFast(body, out var peek) ? peek : ReadWithReader(body);
    }

    /// <summary>
    /// The same peek from <see cref="JsonScan"/>: the whole body checked with vectorized jumps between quotes and
    /// escapes, and only the few small values the gateway reads handed to a <see cref="Utf8JsonReader"/>. False
    /// for anything unusual (invalid JSON, an escaped top-level name, deep nesting): <see cref="ReadWithReader"/>
    /// then decides, and words the error.
    /// </summary>
    internal static bool TryReadFast(ReadOnlySpan<byte> body, out RequestPeek peek)
    {
        peek = default;
        var i = JsonScan.SkipWhitespace(body, 0);
        if (i >= body.Length || body[i] != '{') return false;
        i = JsonScan.SkipWhitespace(body, i + 1);

        string? model = null;
        bool stream = false, hasMessages = false, modelNotString = false;
        int messageCount = 0, modelStart = 0, modelLength = 0, maxStart = 0, maxLength = 0;
        long? maxTokens = null;
        string? userId = null;
        long? budget = null;
        int budgetStart = 0, budgetLength = 0;
        bool hasInput = false;
        int inputCount = 0;
        string? previousResponseId = null;
        JsonRange messagesValue = default, systemValue = default, toolsValue = default;
        if (i < body.Length && body[i] == '}') i++;
        else
        {
            while (true)
            {
                if (i >= body.Length || body[i] != '"') return false;
                var nameEnd = JsonScan.String(body, i);
                if (nameEnd < 0) return false;
                var name = body[(i + 1)..(nameEnd - 1)];
                if (name.Contains((byte)'\\')) return false;
                i = JsonScan.SkipWhitespace(body, nameEnd);
                if (i >= body.Length || body[i] != ':') return false;
                var start = JsonScan.SkipWhitespace(body, i + 1);
                var end = JsonScan.Value(body, start, out var elements);
                if (end < 0) return false;
                var value = body[start..end];
                // Each branch does what ReadWithReader does for the same name, in the same order of precedence.
                if (name.SequenceEqual("model"u8))
                {
                    modelStart = start;
                    modelLength = end - start;
                    if (value[0] == '"') model = ValueReader(value).GetString();
                    else modelNotString = !value.SequenceEqual("null"u8);
                }
                else if (name.SequenceEqual("stream"u8)) stream = value.SequenceEqual("true"u8);
                else if (name.SequenceEqual("messages"u8))
                {
                    messagesValue = new JsonRange(start, end - start);
                    if (value[0] == '[')
                    {
                        hasMessages = true;
                        messageCount += elements;
                    }
                }
                else if (name.SequenceEqual("system"u8)) systemValue = new JsonRange(start, end - start);
                else if (name.SequenceEqual("tools"u8)) toolsValue = new JsonRange(start, end - start);
                else if (name.SequenceEqual("input"u8))
                {
                    if (value[0] == '"')
                    {
                        hasInput = true;
                        inputCount = value.Length > 2 ? 1 : 0;
                    }
                    else if (value[0] == '[')
                    {
                        hasInput = true;
                        inputCount += elements;
                    }
                }
                else if (name.SequenceEqual("previous_response_id"u8))
                {
                    if (value[0] == '"') previousResponseId = ValueReader(value).GetString();
                }
                else if (name.SequenceEqual("user"u8))
                {
                    if (value[0] == '"') userId = ValueReader(value).GetString();
                }
                else if (name.SequenceEqual("thinking"u8))
                {
                    if (value[0] == '{')
                    {
                        var reader = ValueReader(value);
                        ReadThinking(ref reader, start, ref budget, ref budgetStart, ref budgetLength);
                    }
                }
                else if (name.SequenceEqual("metadata"u8))
                {
                    if (value[0] == '{')
                    {
                        var reader = ValueReader(value);
                        ReadMetadata(ref reader, ref userId);
                    }
                }
                else if (name.SequenceEqual("max_tokens"u8) || name.SequenceEqual("max_completion_tokens"u8))
                {
                    if (value[0] is (byte)'-' or >= (byte)'0' and <= (byte)'9')
                    {
                        var reader = ValueReader(value);
                        maxTokens = MaxTokensOf(ref reader);
                        maxStart = start;
                        maxLength = end - start;
                    }
                }

                i = JsonScan.SkipWhitespace(body, end);
                if (i >= body.Length) return false;
                if (body[i] == '}')
                {
                    i++;
                    break;
                }
                if (body[i] != ',') return false;
                i = JsonScan.SkipWhitespace(body, i + 1);
            }
        }
        if (JsonScan.SkipWhitespace(body, i) != body.Length) return false;
        peek = new RequestPeek
        {
            Model = model, Stream = stream, HasMessages = hasMessages, MessageCount = messageCount, MaxTokens = maxTokens,
            ModelValueStart = modelStart, ModelValueLength = modelLength, ModelNotString = modelNotString,
            MaxTokensValueStart = maxStart, MaxTokensValueLength = maxLength, UserId = userId,
            ThinkingBudget = budget, ThinkingBudgetStart = budgetStart, ThinkingBudgetLength = budgetLength,
            HasInput = hasInput, InputCount = inputCount, PreviousResponseId = previousResponseId,
            MessagesValue = messagesValue, SystemValue = systemValue, ToolsValue = toolsValue,
        };
        return true;
    }

    /// <summary>A reader over one value the scan found valid, on its first token.</summary>
    private static Utf8JsonReader ValueReader(ReadOnlySpan<byte> value)
    {
        var reader = new Utf8JsonReader(value, Options);
        reader.Read();
        return reader;
    }

    /// <summary>thinking.budget_tokens, the reader on the object's start; <paramref name="offset"/>: where the object starts in the body.</summary>
    private static void ReadThinking(ref Utf8JsonReader reader, int offset, ref long? budget, ref int budgetStart, ref int budgetLength)
    {
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != depth + 1) continue;
            var isBudget = reader.ValueTextEquals("budget_tokens"u8);
            reader.Read();
            if (isBudget && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var b))
            {
                budget = b;
                budgetStart = offset + (int)reader.TokenStartIndex;
                budgetLength = reader.ValueSpan.Length;
            }
            reader.Skip();
        }
    }

    /// <summary>metadata.user_id, the reader on the object's start.</summary>
    private static void ReadMetadata(ref Utf8JsonReader reader, ref string? userId)
    {
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != depth + 1) continue;
            var isUserId = reader.ValueTextEquals("user_id"u8);
            reader.Read();
            if (isUserId && reader.TokenType == JsonTokenType.String) userId = reader.GetString();
            reader.Skip();
        }
    }

    private static long MaxTokensOf(ref Utf8JsonReader reader) =>
        reader.TryGetInt64(out var v) ? v : (long)Math.Clamp(reader.GetDouble(), long.MinValue, long.MaxValue);

    /// <summary>The peek with one <see cref="Utf8JsonReader"/> pass over the whole body (which also validates it): the reference, and what words an error.</summary>
    internal static RequestPeek ReadWithReader(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, Options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("the request body must be a JSON object.");

        string? model = null;
        bool stream = false, hasMessages = false, modelNotString = false;
        int messageCount = 0, modelStart = 0, modelLength = 0, maxStart = 0, maxLength = 0;
        long? maxTokens = null;
        string? userId = null;
        long? budget = null;
        int budgetStart = 0, budgetLength = 0;
        bool hasInput = false;
        int inputCount = 0;
        string? previousResponseId = null;
        JsonRange messagesValue = default, systemValue = default, toolsValue = default;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0) break;
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1) continue;

            if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                modelStart = (int)reader.TokenStartIndex;
                if (reader.TokenType == JsonTokenType.String) model = reader.GetString();
                else modelNotString = reader.TokenType != JsonTokenType.Null;
                reader.Skip();
                modelLength = (int)reader.BytesConsumed - modelStart;
            }
            else if (reader.ValueTextEquals("stream"u8))
            {
                reader.Read();
                stream = reader.TokenType == JsonTokenType.True;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("messages"u8))
            {
                reader.Read();
                var messagesStart = (int)reader.TokenStartIndex;
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    hasMessages = true;
                    var depth = reader.CurrentDepth;
                    while (reader.Read() && !(reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == depth))
                    {
                        if (reader.CurrentDepth == depth + 1 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray or JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null)
                        {
                            messageCount++;
                            reader.Skip();
                        }
                    }
                }
                else reader.Skip();
                messagesValue = new JsonRange(messagesStart, (int)reader.BytesConsumed - messagesStart);
            }
            else if (reader.ValueTextEquals("system"u8) || reader.ValueTextEquals("tools"u8))
            {
                var isSystem = reader.ValueTextEquals("system"u8);
                reader.Read();
                var valueStart = (int)reader.TokenStartIndex;
                reader.Skip();
                var range = new JsonRange(valueStart, (int)reader.BytesConsumed - valueStart);
                if (isSystem) systemValue = range;
                else toolsValue = range;
            }
            else if (reader.ValueTextEquals("input"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    hasInput = true;
                    inputCount = reader.ValueSpan.Length > 0 ? 1 : 0;
                }
                else if (reader.TokenType == JsonTokenType.StartArray)
                {
                    hasInput = true;
                    var depth = reader.CurrentDepth;
                    while (reader.Read() && !(reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == depth))
                    {
                        inputCount++;
                        reader.Skip();
                    }
                }
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("previous_response_id"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) previousResponseId = reader.GetString();
                reader.Skip();
            }
            else if (reader.ValueTextEquals("user"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) userId = reader.GetString();
                reader.Skip();
            }
            else if (reader.ValueTextEquals("thinking"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject) ReadThinking(ref reader, 0, ref budget, ref budgetStart, ref budgetLength);
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("metadata"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject) ReadMetadata(ref reader, ref userId);
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("max_tokens"u8) || reader.ValueTextEquals("max_completion_tokens"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number)
                {
                    maxTokens = MaxTokensOf(ref reader);
                    maxStart = (int)reader.TokenStartIndex;
                    maxLength = reader.ValueSpan.Length;
                }
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        // Reject trailing garbage after the object.
        while (reader.Read()) { }
        return new RequestPeek
        {
            Model = model, Stream = stream, HasMessages = hasMessages, MessageCount = messageCount, MaxTokens = maxTokens,
            ModelValueStart = modelStart, ModelValueLength = modelLength, ModelNotString = modelNotString,
            MaxTokensValueStart = maxStart, MaxTokensValueLength = maxLength, UserId = userId,
            ThinkingBudget = budget, ThinkingBudgetStart = budgetStart, ThinkingBudgetLength = budgetLength,
            HasInput = hasInput, InputCount = inputCount, PreviousResponseId = previousResponseId,
            MessagesValue = messagesValue, SystemValue = systemValue, ToolsValue = toolsValue,
        };
    }

    /// <summary>
    /// The body with the top-level model value replaced (and max_tokens lowered to <paramref name="maxTokensCap"/>
    /// when it asks for more), everything else byte-for-byte, so unknown fields survive.
    /// </summary>
    public byte[] WithModel(ReadOnlySpan<byte> body, string modelId, int? maxTokensCap = null) =>
        Splice(modelId, maxTokensCap).Apply(body);

    /// <summary>
    /// The edits <see cref="WithModel"/> makes, without making them: the relay sends the client's bytes around them,
    /// so a large body is never copied whole.
    /// </summary>
    public BodySplice Splice(string modelId, int? maxTokensCap = null)
    {
        var edits = new (int Start, int Length, byte[] Value)[EditCount(maxTokensCap)];
        var count = 0;
        if (ModelValueLength > 0)
            edits[count++] = (ModelValueStart, ModelValueLength, JsonQuoted(modelId));
        if (maxTokensCap is { } cap && MaxTokens > cap && MaxTokensValueLength > 0)
        {
            edits[count++] = (MaxTokensValueStart, MaxTokensValueLength, Number(cap));
            // Anthropic requires thinking.budget_tokens < max_tokens (and at least 1024): keep it so under the cap.
            if (ThinkingBudget >= cap && ThinkingBudgetLength > 0 && cap > MinThinkingBudget)
                edits[count++] = (ThinkingBudgetStart, ThinkingBudgetLength, Number(Math.Max(MinThinkingBudget, cap / 2)));
        }
        return new BodySplice(edits);
    }

    private int EditCount(int? maxTokensCap)
    {
        var count = ModelValueLength > 0 ? 1 : 0;
        if (maxTokensCap is { } cap && MaxTokens > cap && MaxTokensValueLength > 0)
            count += ThinkingBudget >= cap && ThinkingBudgetLength > 0 && cap > MinThinkingBudget ? 2 : 1;
        return count;
    }

    private const int MinThinkingBudget = 1024;

    private static byte[] Number(long value) => Encoding.UTF8.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    internal static byte[] JsonQuoted(string value)
    {
        var encoded = JsonEncodedText.Encode(value, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        return [(byte)'"', .. encoded.EncodedUtf8Bytes, (byte)'"'];
    }
}

/// <summary>Where a JSON value lies in a body: its first byte and its length (zero: absent).</summary>
internal readonly record struct JsonRange(int Start, int Length)
{
    public int End => Start + Length;
    public bool IsEmpty => Length == 0;
}
