using System.Text.Json.Nodes;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.Gemini;

namespace Switchboard.Protocols.Translation;

/// <summary>
/// OpenAI clients answered by Gemini get each function call's thought signature inside its tool call id
/// (<see cref="GeminiWire.OpenAIToolId"/>), which makes the id long. If that conversation later goes to an OpenAI-protocol
/// provider as is (same-protocol passthrough), OpenAI rejects ids over 40 characters, and the signature means nothing
/// there anyway: the ids go back to their base, consistently in the assistant's tool_calls and the tool messages.
/// </summary>
internal static class SignedToolCallIds
{
    /// <summary>The request without signatures in tool call ids, or null when it has none (send the original bytes).</summary>
    /// <remarks>
    /// Also the other foreign carrier a Chat conversation can hold: a Responses upstream's encrypted reasoning in
    /// <c>reasoning_details</c> (<see cref="Responses.ResponsesUpstreamWire"/>) goes to a Responses upstream only.
    /// </remarks>
    public static byte[]? StripFromOpenAIRequest(ReadOnlySpan<byte> openAIRequestBody) =>
        MayNeedStripping(openAIRequestBody) ? UnsignedThinking.RewriteMessages(openAIRequestBody, StripIds) : null;

    /// <summary>
    /// A cheap scan for either foreign carrier: the marker <see cref="GeminiWire.OpenAIToolId"/> puts in ids, or a
    /// Responses upstream's encrypted reasoning format. Only a body that has one is rewritten.
    /// </summary>
    public static bool MayNeedStripping(ReadOnlySpan<byte> body) =>
        MayContainSignedIds(body) || body.IndexOf(Responses.ResponsesUpstreamWire.EncryptedFormatUtf8) >= 0;

    private static bool StripIds(JsonObject request, JsonArray messages)
    {
        var changed = false;
        foreach (var message in messages.OfType<JsonObject>())
        {
            if (message["tool_calls"] is JsonArray calls)
                foreach (var call in calls.OfType<JsonObject>())
                    changed |= Strip(call, "id");
            changed |= Strip(message, "tool_call_id");
            changed |= StripResponsesReasoning(message);
        }
        return changed;
    }

    /// <summary>A cheap scan for the marker <see cref="GeminiWire.OpenAIToolId"/> puts in ids.</summary>
    public static bool MayContainSignedIds(ReadOnlySpan<byte> body) => body.IndexOf(GeminiWire.IdSignatureMarkerUtf8) >= 0;

    private static bool StripResponsesReasoning(JsonObject message)
    {
        if (message["reasoning_details"] is not JsonArray details) return false;
        int removed = details.RemoveAll(d => d is JsonObject o && (string?)o["type"] == Responses.ResponsesUpstreamWire.EncryptedType
            && (string?)o["format"] == Responses.ResponsesUpstreamWire.EncryptedFormat);
        if (details.Count == 0) message.Remove("reasoning_details");
        return removed > 0;
    }

    private static bool Strip(JsonObject owner, string property)
    {
        if (owner[property] is not JsonValue value || !value.TryGetValue<string>(out var id)) return false;
        var stripped = GeminiWire.WithoutSignature(id);
        if (ReferenceEquals(stripped, id)) return false;
        owner[property] = stripped;
        return true;
    }
}
