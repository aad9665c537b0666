using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Protocols.Gemini;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.Anthropic;

/// <summary>
/// Thinking blocks this gateway produced from another provider's reasoning carry an empty signature, or a Gemini thought
/// signature prefixed "gemini:" (<see cref="GeminiWire"/>). If the conversation later goes to Anthropic (same-protocol
/// passthrough), Anthropic rejects them ("Invalid signature"), so they must be removed first. Only requests that contain an empty signature are touched; everything else in the body
/// (unknown fields included) is kept.
/// </summary>
internal static class UnsignedThinking
{
    /// <summary>
    /// Returns the request body without unsigned thinking blocks, or null when there are none (send the original bytes).
    /// If the last assistant turn lost its thinking while the request enables thinking, thinking is switched off for
    /// this request: Anthropic requires that turn to start with a (signed) thinking block.
    /// </summary>
    public static byte[]? StripFromAnthropicRequest(ReadOnlySpan<byte> anthropicRequestBody) =>
        MayContainForeignThinking(anthropicRequestBody) ? RewriteMessages(anthropicRequestBody, StripUnsignedThinking) : null;

    private static bool StripUnsignedThinking(JsonObject request, JsonArray messages)
    {
        bool changed = false, lastAssistantLostThinking = false;
        JsonObject? lastAssistant = messages.OfType<JsonObject>().LastOrDefault(m => (string?)m["role"] == "assistant");
        for (int i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i] is not JsonObject message || (string?)message["role"] != "assistant" || message["content"] is not JsonArray content)
            {
                continue;
            }
            int before = content.Count;
            for (int j = content.Count - 1; j >= 0; j--)
            {
                if (content[j] is JsonObject block && (string?)block["type"] == "thinking" && !IsAnthropicSignature((string?)block["signature"]))
                {
                    content.RemoveAt(j);
                }
            }
            if (content.Count == before) continue;
            changed = true;
            if (ReferenceEquals(message, lastAssistant)) lastAssistantLostThinking = true;
            if (content.Count == 0) messages.RemoveAt(i); // an empty turn is invalid; the neighbours merge at Anthropic
        }
        if (changed && lastAssistantLostThinking && request["thinking"] is JsonObject thinking && (string?)thinking["type"] != "disabled")
        {
            request.Remove("thinking");
        }
        return changed;
    }

    /// <summary>
    /// A cheap scan: whether the body may hold thinking blocks Anthropic did not sign (empty signatures, or Gemini
    /// thought signatures this gateway carried in them, or a Responses upstream's reasoning). False means the body can go
    /// as is. One search for the <c>signature</c> members (one per thinking block) and a look at each value's start,
    /// not a pass over the whole body per marker: on a 165 KB Claude Code request that was five passes per request.
    /// </summary>
    public static bool MayContainForeignThinking(ReadOnlySpan<byte> anthropicRequestBody)
    {
        var body = anthropicRequestBody;
        var i = 0;
        while (true)
        {
            var found = body[i..].IndexOf("\"signature\""u8);
            if (found < 0) return false;
            i += found + "\"signature\""u8.Length;
            var colon = JsonScan.SkipWhitespace(body, i);
            if (colon >= body.Length || body[colon] != ':') continue;
            var value = JsonScan.SkipWhitespace(body, colon + 1);
            if (value >= body.Length || body[value] != '"') continue;
            var text = body[(value + 1)..];
            if (text.StartsWith("\""u8) || text.StartsWith("gemini:"u8) || text.StartsWith(Responses.ResponsesUpstreamWire.SignaturePrefixUtf8)) return true;
        }
    }

    private static bool IsAnthropicSignature(string? signature) => !string.IsNullOrEmpty(signature) && !GeminiWire.IsGeminiSignature(signature)
        && !Responses.ResponsesUpstreamWire.IsSignature(signature);

    /// <summary>
    /// Parses a request, lets <paramref name="edit"/> change it (it returns whether it did), and returns the new bytes,
    /// or null when nothing changed or the body is not ours to fix (not JSON, no messages array, duplicate keys): then
    /// the original bytes go and the upstream reports what is wrong with them.
    /// </summary>
    internal static byte[]? RewriteMessages(ReadOnlySpan<byte> body, Func<JsonObject, JsonArray, bool> edit)
    {
        try
        {
            if (JsonNode.Parse(body) is not JsonObject request || request["messages"] is not JsonArray messages) return null;
            return edit(request, messages) ? ToUtf8(request) : null;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private static byte[] ToUtf8(JsonNode node)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, SseWriter.JsonOptions)) node.WriteTo(writer);
        return buffer.WrittenSpan.ToArray();
    }
}
