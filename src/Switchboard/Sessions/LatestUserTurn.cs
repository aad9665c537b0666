using System.Text.Json;
using Switchboard.Routing;

namespace Switchboard.Sessions;

/// <summary>
/// The conversation's latest user turn that carries text (typed by the user: not a tool result, not only what a client
/// adds around a request, such as Claude Code's &lt;system-reminder&gt; blocks or Codex's environment turn: <see cref="ClientEnvelope"/>): where it is, a hash of its text, and whether the conversation ends with it. System
/// and developer messages (Claude Code 2.1.330 sends its reminders as role "system") neither start nor end a turn.
/// Read from the request's DOM, both APIs (their message shapes agree on what is read here).
/// </summary>
internal readonly record struct LatestUserTurn(int Index, uint TextHash, bool EndsConversation)
{
    public static readonly LatestUserTurn None = new(-1, 0, false);

    public bool Exists => Index >= 0;

    /// <summary>"u7:1a2b3c4d": the turn's identity within its conversation, stable across processes.</summary>
    public string Key => $"u{Index}:{TextHash:x8}";

    public static LatestUserTurn Read(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            return None;
        var latest = None;
        var endsWithIt = false;
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var position = index++;
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String) { endsWithIt = false; continue; }
            if (role.ValueEquals("system") || role.ValueEquals("developer")) continue;
            if (role.ValueEquals("user") && message.TryGetProperty("content", out var content) && UserText(content) is { } hash)
            {
                latest = new LatestUserTurn(position, hash, false);
                endsWithIt = true;
                continue;
            }
            endsWithIt = false; // an assistant step, a tool result (Anthropic's user turn of tool_result blocks, OpenAI's "tool")
        }
        return latest with { EndsConversation = latest.Exists && endsWithIt };
    }

    /// <summary>The hash of the text the user typed in this content, or null when it has none (or holds a tool result).</summary>
    private static uint? UserText(JsonElement content)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return HashOfTyped(content.GetString());
            case JsonValueKind.Array:
                uint? hash = null;
                foreach (var block in content.EnumerateArray())
                {
                    if (block.ValueKind != JsonValueKind.Object || !block.TryGetProperty("type", out var type)) continue;
                    if (type.ValueEquals("tool_result")) return null;
                    if (type.ValueEquals("text") && block.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
                        && HashOfTyped(text.GetString()) is { } blockHash)
                        hash = hash is null ? blockHash : Fnv(blockHash, hash.Value);
                }
                return hash;
            default:
                return null;
        }
    }

    private static uint? HashOfTyped(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var typed = ClientEnvelope.UserRequest(text);
        if (string.IsNullOrWhiteSpace(typed)) return null;
        var hash = 2166136261u; // FNV-1a: stable across processes, unlike string.GetHashCode
        foreach (var c in typed) hash = (hash ^ c) * 16777619u;
        return hash;
    }

    private static uint Fnv(uint value, uint seed) => (seed ^ value) * 16777619u;
}
