using System.Text.Json.Nodes;
using Switchboard.Routing;
using Switchboard.Protocols.Anthropic;

namespace Switchboard.Sessions;

/// <summary>
/// When a session's model changed between turns to another signature domain (<see cref="SessionRouting.SignatureDomain"/>),
/// the thinking blocks of the earlier turns carry signatures the new model's provider cannot verify, and it rejects the
/// request ("Invalid signature in thinking block"). They are removed from every assistant message before the latest
/// user turn; the current turn's own thinking (its tool loop) stays, as the provider requires. Tool use and tool result
/// blocks, and their ids, are kept as they are.
/// </summary>
internal static class PriorThinking
{
    /// <summary>The Anthropic request body without earlier turns' thinking, or null when it has none (send it as it is).</summary>
    public static byte[]? StripFromAnthropicRequest(ReadOnlySpan<byte> body) =>
        body.IndexOf("thinking\""u8) < 0 ? null : UnsignedThinking.RewriteMessages(body, StripBeforeLatestUserTurn);

    private static bool StripBeforeLatestUserTurn(JsonObject request, JsonArray messages)
    {
        var turnStart = -1;
        for (var i = messages.Count - 1; i >= 0 && turnStart < 0; i--)
            if (messages[i] is JsonObject m && (string?)m["role"] == "user" && CarriesUserText(m["content"])) turnStart = i;
        var changed = false;
        for (var i = turnStart - 1; i >= 0; i--)
        {
            if (messages[i] is not JsonObject message || (string?)message["role"] != "assistant" || message["content"] is not JsonArray content) continue;
            var before = content.Count;
            for (var j = content.Count - 1; j >= 0; j--)
                if (content[j] is JsonObject block && (string?)block["type"] is "thinking" or "redacted_thinking") content.RemoveAt(j);
            if (content.Count == before) continue;
            changed = true;
            if (content.Count == 0) messages.RemoveAt(i); // an empty turn is invalid; its neighbours merge at the provider
        }
        return changed;
    }

    private static bool CarriesUserText(JsonNode? content)
    {
        if (content is JsonValue value) return value.TryGetValue<string>(out var text) && IsTyped(text);
        if (content is not JsonArray blocks) return false;
        var typed = false;
        foreach (var block in blocks)
        {
            if (block is not JsonObject b) continue;
            var type = (string?)b["type"];
            if (type == "tool_result") return false;
            if (type == "text" && IsTyped((string?)b["text"])) typed = true;
        }
        return typed;
    }

    private static bool IsTyped(string? text) => ClientEnvelope.HasRequest(text);
}
