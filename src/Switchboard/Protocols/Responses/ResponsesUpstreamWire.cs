using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Switchboard.Protocols.Responses;

/// <summary>
/// The OpenAI Responses API as an upstream: names, finish reasons, and the carriers that take a <c>reasoning</c>
/// item's encrypted content to the client and back.
/// <para>
/// With <c>store: false</c> a reasoning model's reasoning survives between turns only as its reasoning item's
/// <c>encrypted_content</c>, which is sent back (with the item's id) on the next turn. The gateway never fabricates it and
/// sends it to no other upstream protocol. The client keeps it in what it already sends back unchanged:
/// <list type="bullet">
/// <item>Chat clients (and the gateway's own Chat pivot): an entry of the assistant message's <c>reasoning_details</c>,
///   <c>{"type":"reasoning.encrypted","id":"rs_…","data":"…","format":"openai-responses-v1"}</c> (the form OpenRouter
///   gives and OpenRouter-aware clients return).</item>
/// <item>Anthropic clients: a thinking block's <c>signature</c>, <c>"openai-responses:" + id + ":" + encrypted_content</c>;
///   <c>UnsignedThinking</c> strips such blocks before an Anthropic upstream, as it does Gemini's.</item>
/// </list>
/// </para>
/// </summary>
internal static class ResponsesUpstreamWire
{
    /// <summary><c>reasoning_details[].format</c> of an encrypted Responses reasoning item.</summary>
    public const string EncryptedFormat = "openai-responses-v1";
    public static ReadOnlySpan<byte> EncryptedFormatUtf8 => "openai-responses-v1"u8;

    /// <summary><c>reasoning_details[].type</c> of an encrypted reasoning entry.</summary>
    public const string EncryptedType = "reasoning.encrypted";

    /// <summary>What starts an Anthropic thinking signature that carries a Responses reasoning item.</summary>
    public const string SignaturePrefix = "openai-responses:";
    public static ReadOnlySpan<byte> SignaturePrefixUtf8 => "openai-responses:"u8;

    /// <summary>The Anthropic thinking signature for a reasoning item.</summary>
    public static string ToSignature(string itemId, string encryptedContent) => SignaturePrefix + itemId + ":" + encryptedContent;

    public static bool IsSignature([NotNullWhen(true)] string? signature) => signature?.StartsWith(SignaturePrefix, StringComparison.Ordinal) == true;

    /// <summary>A reasoning item back from an Anthropic thinking signature; false for any other signature.</summary>
    public static bool TryParseSignature(string? signature, [NotNullWhen(true)] out string? itemId, [NotNullWhen(true)] out string? encryptedContent)
    {
        itemId = encryptedContent = null;
        if (!IsSignature(signature)) return false;
        int colon = signature.IndexOf(':', SignaturePrefix.Length);
        if (colon <= SignaturePrefix.Length || colon == signature.Length - 1) return false;
        itemId = signature[SignaturePrefix.Length..colon];
        encryptedContent = signature[(colon + 1)..];
        return true;
    }

    /// <summary>A Chat assistant message's <c>reasoning_details</c> for reasoning items taken from thinking signatures.</summary>
    public static void WriteReasoningDetails(Utf8JsonWriter json, List<(string Id, string Encrypted)> items)
    {
        json.WriteStartArray("reasoning_details"u8);
        for (int i = 0; i < items.Count; i++) ResponsesUpstreamResponse.WriteReasoningDetail(json, items[i].Id, items[i].Encrypted, i);
        json.WriteEndArray();
    }

    /// <summary>The thinking signatures for a Chat message's Responses reasoning (<c>reasoning_details</c>), in order.</summary>
    public static IEnumerable<string> SignaturesOf(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("reasoning_details"u8, out JsonElement details)
            || details.ValueKind != JsonValueKind.Array)
            yield break;
        foreach (JsonElement detail in details.EnumerateArray())
        {
            if (IsEncryptedDetail(detail, out string? id, out string? data)) yield return ToSignature(id, data);
        }
    }

    /// <summary>A <c>reasoning_details</c> entry this gateway made from a Responses reasoning item.</summary>
    public static bool IsEncryptedDetail(JsonElement detail, [NotNullWhen(true)] out string? id, [NotNullWhen(true)] out string? data)
    {
        id = data = null;
        if (detail.ValueKind != JsonValueKind.Object
            || !detail.TryGetProperty("type"u8, out JsonElement type) || type.ValueKind != JsonValueKind.String || !type.ValueEquals(EncryptedType)
            || !detail.TryGetProperty("format"u8, out JsonElement format) || format.ValueKind != JsonValueKind.String || !format.ValueEquals(EncryptedFormat)
            || !detail.TryGetProperty("data"u8, out JsonElement d) || d.ValueKind != JsonValueKind.String)
            return false;
        data = d.GetString()!;
        id = detail.TryGetProperty("id"u8, out JsonElement i) && i.ValueKind == JsonValueKind.String ? i.GetString()! : "";
        return data.Length > 0;
    }

    /// <summary>
    /// Chat finish_reason for a response: <c>incomplete</c> for max_output_tokens → length, for content_filter →
    /// content_filter; function calls → tool_calls; otherwise stop.
    /// </summary>
    public static string FinishReason(string? status, string? incompleteReason, bool sawToolCalls) => status switch
    {
        "incomplete" when incompleteReason == "content_filter" => "content_filter",
        "incomplete" => "length",
        _ when sawToolCalls => "tool_calls",
        _ => "stop",
    };

    /// <summary>The HTTP status for a Responses error <c>code</c> reported inside a 200 (response.failed, an error event).</summary>
    public static int StatusForCode(string? code) => code switch
    {
        "rate_limit_exceeded" => 429,
        "invalid_prompt" or "invalid_request_error" or "context_length_exceeded" or "invalid_image" or "invalid_image_format"
            or "invalid_base64_image" or "invalid_image_url" or "image_too_large" or "image_too_small" or "image_parse_error"
            or "image_content_policy_violation" or "invalid_image_mode" or "image_file_too_large" or "unsupported_image_media_type"
            or "empty_image_file" or "failed_to_download_image" or "image_file_not_found" => 400,
        "vector_store_timeout" => 504,
        _ => 500,
    };
}
