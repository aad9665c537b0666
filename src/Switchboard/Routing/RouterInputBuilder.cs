using System.Text;
using System.Text.Json;
using Switchboard.Protocols;

namespace Switchboard.Routing;

/// <summary>
/// Builds what a router reads from a client request body: user and assistant text only (no system prompt,
/// tool calls, tool results, thinking, images or documents), user turns reduced to the request their writer typed
/// (<see cref="ClientEnvelope"/>: coding clients' reminders, instructions, attachments and commands), newest turns first
/// within a token budget, the latest user turn always whole.
/// </summary>
internal static class RouterInputBuilder
{
    public const int DefaultTokenBudget = 2048;

    private const string ReminderOpen = "<system-reminder>";
    private const string ReminderClose = "</system-reminder>";

    /// <summary>Builds the router input from a request body in the client's API.</summary>
    /// <param name="upToLatestUserTurn">
    /// routing.route_on_user_only: when the conversation does not end with a user turn that carries text, the input
    /// ends at its latest user turn instead (the state the decision to keep was made on).
    /// </param>
    public static RouterInput FromRequest(ApiFormat api, JsonElement body, int tokenBudget = DefaultTokenBudget, bool upToLatestUserTurn = false)
    {
        // Both APIs share the shape read here: content as a string or blocks/parts, only "text" ones count; Anthropic tool results and OpenAI
        // "tool" messages contribute nothing (and so a conversation ending with one does not end with a user turn).
        var turns = new List<RouterTurn>();
        var endsWithUserTurn = false;
        foreach (var message in EnumerateMessages(body))
        {
            endsWithUserTurn = false;
            if (!TryGetRole(message, out var role)) continue; // system, developer, tool, function, unknown roles
            if (!message.TryGetProperty("content", out var content)) continue;
            endsWithUserTurn = AddTurn(turns, role, ExtractText(content, textBlockType: "text")) && role == TurnRole.User;
        }
        if (upToLatestUserTurn && !endsWithUserTurn)
        {
            var latestUser = turns.FindLastIndex(t => t.Role == TurnRole.User);
            turns.RemoveRange(latestUser + 1, turns.Count - latestUser - 1);
        }
        return Trim(turns, tokenBudget, endsWithUserTurn);
    }

    /// <summary>Anthropic Messages: <c>messages[].content</c> as a string or blocks; only text blocks count.</summary>
    public static RouterInput FromAnthropicMessages(JsonElement body, int tokenBudget = DefaultTokenBudget) => FromRequest(ApiFormat.Anthropic, body, tokenBudget);

    /// <summary>OpenAI Chat Completions: user/assistant content as a string or parts; tool calls ignored.</summary>
    public static RouterInput FromOpenAIChat(JsonElement body, int tokenBudget = DefaultTokenBudget) => FromRequest(ApiFormat.OpenAI, body, tokenBudget);

    /// <summary>
    /// Applies the budget to turns already reduced to text (oldest first): the latest user turn is kept whole,
    /// then the newest other turns while they fit. Empty turns are dropped. The result is oldest first.
    /// </summary>
    public static RouterInput FromTurns(IReadOnlyList<RouterTurn> turns, int tokenBudget = DefaultTokenBudget) =>
        Trim(turns, tokenBudget, endsWithUserTurn: turns.Count > 0 && turns[^1].Role == TurnRole.User);

    private static RouterInput Trim(IReadOnlyList<RouterTurn> turns, int tokenBudget, bool endsWithUserTurn)
    {
        if (tokenBudget <= 0) tokenBudget = DefaultTokenBudget;

        var latestUser = -1;
        for (var i = turns.Count - 1; i >= 0; i--)
        {
            if (turns[i].Role == TurnRole.User && !string.IsNullOrWhiteSpace(turns[i].Text)) { latestUser = i; break; }
        }

        var used = latestUser >= 0 ? TokenEstimator.Estimate(turns[latestUser].Text) : 0;
        var keep = new bool[turns.Count];
        if (latestUser >= 0) keep[latestUser] = true;

        for (var i = turns.Count - 1; i >= 0; i--)
        {
            if (i == latestUser || string.IsNullOrWhiteSpace(turns[i].Text)) continue;
            var cost = TokenEstimator.Estimate(turns[i].Text);
            if (used + cost <= tokenBudget)
            {
                keep[i] = true;
                used += cost;
            }
            else if (i < latestUser || latestUser < 0)
            {
                break; // the kept window is contiguous: older turns than one that did not fit are dropped
            }
            // a turn newer than the latest user turn that does not fit is skipped; older ones still may fit
        }

        var kept = new List<RouterTurn>();
        for (var i = 0; i < turns.Count; i++)
            if (keep[i]) kept.Add(turns[i]);
        return new RouterInput(kept) { EndsWithUserTurn = endsWithUserTurn };
    }

    /// <summary>Removes every &lt;system-reminder&gt;…&lt;/system-reminder&gt; block (an unclosed one runs to the end).</summary>
    public static string StripSystemReminders(string text)
    {
        var start = text.IndexOf(ReminderOpen, StringComparison.Ordinal);
        if (start < 0) return text;

        var builder = new StringBuilder(text.Length);
        var position = 0;
        while (start >= 0)
        {
            builder.Append(text, position, start - position);
            var end = text.IndexOf(ReminderClose, start + ReminderOpen.Length, StringComparison.Ordinal);
            if (end < 0) { position = text.Length; break; }
            position = end + ReminderClose.Length;
            start = text.IndexOf(ReminderOpen, position, StringComparison.Ordinal);
        }
        if (position < text.Length) builder.Append(text, position, text.Length - position);
        return builder.ToString();
    }

    private static IEnumerable<JsonElement> EnumerateMessages(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object
            || !body.TryGetProperty("messages", out var messages)
            || messages.ValueKind != JsonValueKind.Array)
        {
            return [];
        }
        return messages.EnumerateArray();
    }

    private static bool TryGetRole(JsonElement message, out TurnRole role)
    {
        role = default;
        if (message.ValueKind != JsonValueKind.Object
            || !message.TryGetProperty("role", out var value)
            || value.ValueKind != JsonValueKind.String)
        {
            return false;
        }
        if (value.ValueEquals("user")) { role = TurnRole.User; return true; }
        if (value.ValueEquals("assistant")) { role = TurnRole.Assistant; return true; }
        return false;
    }

    /// <summary>
    /// Text of a content value: a string, or the "text" of blocks/parts of the given type. Tool use, tool
    /// results, thinking, images, documents and anything unknown contribute nothing.
    /// </summary>
    private static string ExtractText(JsonElement content, string textBlockType)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString() ?? "";
            case JsonValueKind.Array:
                string? single = null;
                StringBuilder? joined = null;
                foreach (var block in content.EnumerateArray())
                {
                    if (block.ValueKind == JsonValueKind.String) { Append(block.GetString()); continue; }
                    if (block.ValueKind != JsonValueKind.Object
                        || !block.TryGetProperty("type", out var type)
                        || !type.ValueEquals(textBlockType)
                        || !block.TryGetProperty("text", out var text)
                        || text.ValueKind != JsonValueKind.String)
                    {
                        continue;
                    }
                    Append(text.GetString());
                }
                return joined?.ToString() ?? single ?? "";

                void Append(string? piece)
                {
                    if (string.IsNullOrEmpty(piece)) return;
                    if (single is null) { single = piece; return; }
                    joined ??= new StringBuilder(single);
                    joined.Append('\n').Append(piece);
                }
            default:
                return "";
        }
    }

    /// <summary>
    /// Adds the turn when it has text; false for tool_result-only user turns, tool-call-only assistant turns, and user turns
    /// that hold only what a client adds (reminders, Codex's instruction and environment turns: <see cref="ClientEnvelope"/>).
    /// </summary>
    private static bool AddTurn(List<RouterTurn> turns, TurnRole role, string text)
    {
        text = (role == TurnRole.User ? ClientEnvelope.UserRequest(text) : StripSystemReminders(text)).Trim();
        if (text.Length == 0) return false;
        turns.Add(new RouterTurn(role, text));
        return true;
    }
}
