using System.Text.Json;

namespace Switchboard.Protocols;

/// <summary>
/// An estimate for /v1/messages/count_tokens when the target is not Anthropic (which would count exactly).
/// It is an estimate, not a tokenizer: <see cref="TokenEstimator"/> on the system prompt, message text, tool calls and
/// results, and tool definitions, plus fixed costs for images and documents and a small per-message overhead.
/// </summary>
internal static class CountTokensEstimator
{
    /// <summary>Anthropic's cost of a maximum-size image (about 1.15 megapixels / 750).</summary>
    public const int TokensPerImage = 1600;
    /// <summary>A rough per-document cost: a few PDF pages (text plus page images).</summary>
    public const int TokensPerDocument = 3000;
    /// <summary>Role markers and separators around each message.</summary>
    public const int TokensPerMessage = 4;
    /// <summary>Name, description framing and schema keywords around each tool definition.</summary>
    public const int TokensPerTool = 8;

    /// <summary>Estimated input tokens of an Anthropic Messages request body.</summary>
    public static int EstimateAnthropicRequest(JsonElement request)
    {
        long chars = 0, fixedTokens = 0;
        if (request.TryGetProperty("system"u8, out JsonElement system)) Content(system, ref chars, ref fixedTokens);
        if (request.TryGetProperty("messages"u8, out JsonElement messages) && messages.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement message in messages.EnumerateArray())
            {
                fixedTokens += TokensPerMessage;
                if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("content"u8, out JsonElement content)) Content(content, ref chars, ref fixedTokens);
            }
        }
        if (request.TryGetProperty("tools"u8, out JsonElement tools) && tools.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement tool in tools.EnumerateArray())
            {
                fixedTokens += TokensPerTool;
                if (tool.ValueKind != JsonValueKind.Object) continue;
                chars += StringLength(tool, "name"u8) + StringLength(tool, "description"u8);
                if (tool.TryGetProperty("input_schema"u8, out JsonElement schema)) chars += RawLength(schema);
            }
        }
        long total = (chars + TokenEstimator.CharsPerToken - 1) / TokenEstimator.CharsPerToken + fixedTokens;
        return (int)Math.Min(total, int.MaxValue);
    }

    internal static void Content(JsonElement content, ref long chars, ref long fixedTokens)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            chars += TextLength(content);
            return;
        }
        if (content.ValueKind != JsonValueKind.Array) return;
        foreach (JsonElement block in content.EnumerateArray())
        {
            if (block.ValueKind != JsonValueKind.Object || !block.TryGetProperty("type"u8, out JsonElement type)) continue;
            switch (type.ValueKind == JsonValueKind.String ? type.GetRawText()[1..^1] : null) // raw: block types have no escapes, and GetString throws on a lone surrogate
            {
                case "text":
                    chars += StringLength(block, "text"u8);
                    break;
                case "thinking":
                    chars += StringLength(block, "thinking"u8);
                    break;
                case "image":
                    fixedTokens += TokensPerImage;
                    break;
                case "document":
                    fixedTokens += TokensPerDocument;
                    break;
                case "tool_use":
                    chars += StringLength(block, "name"u8);
                    if (block.TryGetProperty("input"u8, out JsonElement input)) chars += RawLength(input);
                    break;
                case "tool_result":
                    if (block.TryGetProperty("content"u8, out JsonElement result)) Content(result, ref chars, ref fixedTokens);
                    break;
            }
        }
    }

    private static long StringLength(JsonElement obj, ReadOnlySpan<byte> name) =>
        obj.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? TextLength(v) : 0;

    /// <summary>A string's length; its source length when it holds an escaped lone surrogate (which GetString rejects).</summary>
    private static long TextLength(JsonElement s)
    {
        try
        {
            return TokenEstimator.Utf16Length(s);
        }
        catch (InvalidOperationException)
        {
            return s.GetRawText().Length - 2;
        }
    }

    /// <summary>Length of a JSON value's source text: close enough to its tokens for an estimate.</summary>
    private static long RawLength(JsonElement value) => TokenEstimator.RawUtf16Length(value);
}
