using System.Text.Json;
using Switchboard.Protocols.Translation;
using static Switchboard.Protocols.JsonFields;

namespace Switchboard.Protocols.Gemini;

/// <summary>
/// What the native Gemini translators share: finish reasons, usage, model capabilities, tool-call ids and the way
/// Gemini's <c>thoughtSignature</c> travels through clients that have no field for it.
/// <para>
/// Thought signatures (opaque, Gemini-only, required on function calls by Gemini 3) must come back to Gemini on the
/// next turn and go nowhere else:
/// <list type="bullet">
/// <item>Anthropic clients get them as the <c>signature</c> of a <c>thinking</c> block, prefixed
///   <see cref="SignaturePrefix"/>, placed just before the block made from the signed part. Toward Gemini such a
///   block's signature goes back on the next part of that turn (the last one when nothing follows); toward OpenAI
///   thinking is dropped; toward Anthropic <see cref="UnsignedThinking"/> strips the block.</item>
/// <item>OpenAI clients get a function call's signature inside its tool call id (<see cref="OpenAIToolId"/>), the one
///   field they send back unchanged. Signatures on text parts are not carried (Gemini does not require them).</item>
/// </list>
/// </para>
/// </summary>
internal static class GeminiWire
{
    /// <summary>Marks a thinking-block signature as Gemini's (so it is replayed to Gemini and stripped elsewhere).</summary>
    public const string SignaturePrefix = "gemini:";
    /// <summary>Gemini's documented stand-in for function calls it did not produce (histories from other models).</summary>
    public const string SkipSignatureValidator = "skip_thought_signature_validator";
    /// <summary>Separates an OpenAI tool call id from the signature it carries: "call_x_0" + "__ts1_" + base64url.</summary>
    private const string IdSignatureMarker = "__ts";
    internal static ReadOnlySpan<byte> IdSignatureMarkerUtf8 => "__ts"u8;

    public enum Finish : byte { None, Stop, MaxTokens, Filtered, Other }

    public static bool IsGeminiSignature(string? signature) =>
        signature is not null && signature.StartsWith(SignaturePrefix, StringComparison.Ordinal);

    /// <summary>A thinking-block signature from an Anthropic client → Gemini's signature, or null if it is not one of ours.</summary>
    public static string? FromThinkingSignature(string? signature) =>
        IsGeminiSignature(signature) && signature!.Length > SignaturePrefix.Length ? signature[SignaturePrefix.Length..] : null;

    /// <summary>An OpenAI tool call id carrying a signature: only [A-Za-z0-9_-], so it survives every translator.</summary>
    public static string OpenAIToolId(string baseId, string? signature)
    {
        if (string.IsNullOrEmpty(signature)) return baseId;
        string trimmed = signature.TrimEnd('=');
        int padding = signature.Length - trimmed.Length;
        return string.Concat(baseId, IdSignatureMarker, padding.ToString(System.Globalization.CultureInfo.InvariantCulture), "_",
            trimmed.Replace('+', '-').Replace('/', '_'));
    }

    /// <summary>The signature inside a tool call id made by <see cref="OpenAIToolId"/>, or null.</summary>
    public static string? SignatureFromOpenAIId(string? id)
    {
        if (id is null) return null;
        int marker = id.IndexOf(IdSignatureMarker, StringComparison.Ordinal);
        if (marker < 0 || id.Length < marker + IdSignatureMarker.Length + 3) return null;
        char pad = id[marker + IdSignatureMarker.Length];
        if (pad is < '0' or > '2' || id[marker + IdSignatureMarker.Length + 1] != '_') return null;
        string body = id[(marker + IdSignatureMarker.Length + 2)..].Replace('-', '+').Replace('_', '/');
        return body + new string('=', pad - '0');
    }

    /// <summary>The id without the signature <see cref="OpenAIToolId"/> put in it.</summary>
    public static string WithoutSignature(string id)
    {
        int marker = id.IndexOf(IdSignatureMarker, StringComparison.Ordinal);
        return marker > 0 && SignatureFromOpenAIId(id) is not null ? id[..marker] : id;
    }

    /// <summary>"toolu_{response}_{n}" / "call_{response}_{n}": unique per response, stable within it.</summary>
    public static string ToolIdBase(string prefix, string responseId, int n) =>
        string.Concat(prefix, responseId, "_", n.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A response id usable inside tool ids ([A-Za-z0-9_-], at most 24 characters), random when missing.</summary>
    public static string SafeResponseId(string? responseId)
    {
        if (string.IsNullOrEmpty(responseId)) return ToolCallIds.RandomSuffix();
        string safe = ToolCallIds.ToAnthropic(responseId);
        return safe.Length > 24 ? safe[..24] : safe;
    }

    public static Finish ParseFinish(ReadOnlySpan<byte> reason) => reason switch
    {
        _ when reason.SequenceEqual("STOP"u8) => Finish.Stop,
        _ when reason.SequenceEqual("MAX_TOKENS"u8) => Finish.MaxTokens,
        _ when reason.SequenceEqual("SAFETY"u8) || reason.SequenceEqual("RECITATION"u8) || reason.SequenceEqual("BLOCKLIST"u8)
            || reason.SequenceEqual("PROHIBITED_CONTENT"u8) || reason.SequenceEqual("SPII"u8) || reason.SequenceEqual("IMAGE_SAFETY"u8)
            || reason.SequenceEqual("IMAGE_PROHIBITED_CONTENT"u8) || reason.SequenceEqual("IMAGE_RECITATION"u8) => Finish.Filtered,
        _ => Finish.Other, // OTHER, LANGUAGE, MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL, FINISH_REASON_UNSPECIFIED, …
    };

    public static Finish ParseFinish(string? reason) =>
        reason is null ? Finish.None : ParseFinish(System.Text.Encoding.UTF8.GetBytes(reason));

    /// <summary>Tool calls decide first (a client must run them), then the reason.</summary>
    public static string AnthropicStopReason(Finish finish, bool sawToolCalls) => finish switch
    {
        Finish.MaxTokens => "max_tokens",
        Finish.Filtered => "refusal",
        _ => sawToolCalls ? "tool_use" : "end_turn",
    };

    public static string OpenAIFinishReason(Finish finish, bool sawToolCalls) => finish switch
    {
        Finish.MaxTokens => "length",
        Finish.Filtered => "content_filter",
        _ => sawToolCalls ? "tool_calls" : "stop",
    };

    /// <summary>
    /// usageMetadata → usage: promptTokenCount includes cachedContentTokenCount; output is candidates plus thoughts
    /// (thinking is output, as in Anthropic's output_tokens and OpenAI's completion_tokens).
    /// </summary>
    public static TokenUsage ReadUsage(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object) return default;
        long? prompt = Long(usage, "promptTokenCount"u8);
        long? candidates = Long(usage, "candidatesTokenCount"u8);
        long? thoughts = Long(usage, "thoughtsTokenCount"u8);
        long? cached = Long(usage, "cachedContentTokenCount"u8);
        long? output = candidates is null && thoughts is null ? null : (candidates ?? 0) + (thoughts ?? 0);
        return new TokenUsage(prompt, output, cached, null, thoughts);
    }

    /// <summary>The same from a reader positioned on the usageMetadata object's start.</summary>
    public static TokenUsage ReadUsage(ref Utf8JsonReader reader, TokenUsage previous)
    {
        long? prompt = null, candidates = null, thoughts = null, cached = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("promptTokenCount"u8)) prompt = ReadLong(ref reader);
            else if (reader.ValueTextEquals("candidatesTokenCount"u8)) candidates = ReadLong(ref reader);
            else if (reader.ValueTextEquals("thoughtsTokenCount"u8)) thoughts = ReadLong(ref reader);
            else if (reader.ValueTextEquals("cachedContentTokenCount"u8)) cached = ReadLong(ref reader);
            else reader.Skip();
        }
        long? output = candidates is null && thoughts is null ? null : (candidates ?? 0) + (thoughts ?? 0);
        // Gemini's usageMetadata is cumulative: the latest chunk's numbers win.
        return new TokenUsage(prompt ?? previous.InputTokens, output ?? previous.OutputTokens, cached ?? previous.CachedInputTokens, null, thoughts ?? previous.ReasoningTokens);
    }

    /// <summary>Gemini 2.5 and later take thinkingConfig (budget on 2.5, level on 3+); older models reject it.</summary>
    public static bool TakesThinkingConfig(string modelId)
    {
        ReadOnlySpan<char> m = Bare(modelId);
        return m.StartsWith("gemini-", StringComparison.OrdinalIgnoreCase)
            && !m.StartsWith("gemini-1", StringComparison.OrdinalIgnoreCase)
            && !m.StartsWith("gemini-2.0", StringComparison.OrdinalIgnoreCase)
            && !m.StartsWith("gemini-exp", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Gemini 3 and later: thinkingLevel instead of a budget, and signatures validated on function calls.</summary>
    public static bool IsGemini3OrLater(string modelId)
    {
        ReadOnlySpan<char> m = Bare(modelId);
        return TakesThinkingConfig(modelId) && !m.StartsWith("gemini-2", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Flash models may turn thinking off (budget 0); Pro models cannot.</summary>
    public static bool CanDisableThinking(string modelId) =>
        Bare(modelId).Contains("flash", StringComparison.OrdinalIgnoreCase) && !IsGemini3OrLater(modelId);

    private static ReadOnlySpan<char> Bare(string modelId)
    {
        int slash = modelId.LastIndexOf('/');
        return slash >= 0 ? modelId.AsSpan(slash + 1) : modelId.AsSpan();
    }

    private static long? ReadLong(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long v) ? v : null;
    }
}
