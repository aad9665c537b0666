using Switchboard.Protocols.Gemini;

namespace Switchboard.Protocols.Translation;

/// <summary>
/// Tool call ids cross protocols unchanged where possible, so the id a client sends back in its tool result matches
/// what the upstream generated. Anthropic requires ^[a-zA-Z0-9_-]+$: other characters become '_' (some OpenAI-
/// compatible servers use ids like "functions.get_weather:0"), the same way in requests and responses.
/// </summary>
internal static class ToolCallIds
{
    public static string ToAnthropic(string? id)
    {
        if (string.IsNullOrEmpty(id)) return NewAnthropicId();
        // A Gemini thought signature carried in an OpenAI client's tool call id is for Gemini only.
        id = GeminiWire.WithoutSignature(id);
        foreach (char c in id)
        {
            if (!IsAllowed(c)) return Sanitize(id);
        }
        return id;
    }

    public static string NewAnthropicId() => "toolu_" + RandomSuffix();

    public static string NewOpenAIId() => "call_" + RandomSuffix();

    private static string Sanitize(string id) => string.Create(id.Length, id, static (span, src) =>
    {
        for (int i = 0; i < src.Length; i++) span[i] = IsAllowed(src[i]) ? src[i] : '_';
    });

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>24 letters and digits, uniformly random: a byte picks one only below 248 (4 × 62), so none is likelier.</summary>
    internal static string RandomSuffix() => string.Create(24, 0, static (chars, _) =>
    {
        Span<byte> bytes = stackalloc byte[32];
        var filled = 0;
        while (filled < chars.Length)
        {
            RandomIdBytes.Fill(bytes);
            foreach (var b in bytes)
            {
                if (b >= 4 * Alphabet.Length) continue;
                chars[filled++] = Alphabet[b % Alphabet.Length];
                if (filled == chars.Length) break;
            }
        }
    });
}
