namespace Switchboard.Protocols;

/// <summary>
/// A tokenizer-free token estimate (no tokenizer package installs here): about four characters a token for
/// prose and code, counted as UTF-16 chars, rounded up. Used for router budgets and count_tokens toward
/// non-Anthropic targets, always documented as an estimate.
/// </summary>
internal static class TokenEstimator
{
    public const int CharsPerToken = 4;

    public static int Estimate(ReadOnlySpan<char> text) => (text.Length + CharsPerToken - 1) / CharsPerToken;

    public static int Estimate(string? text) => text is null ? 0 : Estimate(text.AsSpan());

    /// <summary>
    /// A JSON string's length in UTF-16 chars, as <c>GetString()!.Length</c> would say, counted on its UTF-8 bytes
    /// without making the string (a Claude Code request holds ~150 KB of text); escaped strings are decoded as before.
    /// </summary>
    public static long Utf16Length(System.Text.Json.JsonElement text)
    {
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(text);
        if (raw.Length >= 2 && raw[0] == (byte)'"' && raw[1..^1].IndexOf("\\u"u8) < 0) return EscapedUtf16Length(raw[1..^1]);
        return text.GetString()!.Length;
    }

    /// <summary>
    /// The UTF-16 length of a JSON string's escaped UTF-8 content (between its quotes), counted without decoding it:
    /// each two-byte escape (<c>\n</c>, <c>\"</c>) is one char, each <c>\uXXXX</c> one (a surrogate pair's halves two),
    /// the rest as UTF-8 decodes. Equals <c>GetString()!.Length</c> for any string GetString accepts.
    /// </summary>
    public static long EscapedUtf16Length(ReadOnlySpan<byte> escaped)
    {
        long length = System.Text.Encoding.UTF8.GetCharCount(escaped);
        var backslashes = System.MemoryExtensions.Count(escaped, (byte)'\\');
        if (backslashes == 0) return length;
        if (escaped.IndexOf("\\\\"u8) < 0)
        {
            // No escaped backslash: every backslash starts an escape, and every \u is one (vectorized counts).
            return length - backslashes - 4L * System.MemoryExtensions.Count(escaped, "\\u"u8);
        }
        var i = escaped.IndexOf((byte)'\\');
        while (i >= 0)
        {
            var escapeLength = escaped[i + 1] == (byte)'u' ? 6 : 2;
            length -= escapeLength - 1;
            escaped = escaped[(i + escapeLength)..];
            i = escaped.IndexOf((byte)'\\');
        }
        return length;
    }

    /// <summary>The length of a JSON value's source text in UTF-16 chars (<c>GetRawText().Length</c>, without the string).</summary>
    public static long RawUtf16Length(System.Text.Json.JsonElement value) =>
        System.Text.Encoding.UTF8.GetCharCount(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value));
}
