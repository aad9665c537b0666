using System.Text;

namespace Switchboard.Routing;

/// <summary>
/// Reduces a user turn to the request its writer typed, taking off what coding clients wrap around it: Claude Code's
/// reminders, IDE notes and slash-command tags; Codex CLI's AGENTS.md / user instructions and environment context
/// (sent as user turns of their own, which are then left empty and dropped); Cursor's attached files, linter errors,
/// selections and <c>&lt;user_query&gt;</c>; Copilot chat's attachments, <c>&lt;userRequest&gt;</c>, <c>#file:</c>
/// references, <c>@workspace</c> and slash commands. Attached code and output are read like pasted code (an empty fence:
/// the router knows code came with the request, not its words). The formats and why: Routing/README.md.
/// </summary>
internal static class ClientEnvelope
{
    private enum TagKind
    {
        /// <summary>Instructions or state the client adds: dropped.</summary>
        Context,
        /// <summary>Files, selections, diagnostics attached beside the request: dropped, read as pasted code.</summary>
        Attached,
        /// <summary>The request itself: when present, the turn is what these hold, everything else is scaffolding.</summary>
        Request,
        /// <summary>Kept inline without its tags (Claude Code's slash command name and arguments).</summary>
        Inline,
        /// <summary>The request when the tag opens the turn (Cline's <c>&lt;task&gt;</c>); elsewhere text like any other.</summary>
        OpeningRequest,
    }

    // Tag names as the clients write them; matched case-sensitively, followed by '>' or attributes.
    private static readonly (string Name, TagKind Kind)[] Tags =
    [
        ("system-reminder", TagKind.Context),
        ("environment_context", TagKind.Context),
        ("user_instructions", TagKind.Context),
        ("INSTRUCTIONS", TagKind.Context),
        ("permissions instructions", TagKind.Context),
        ("ide_opened_file", TagKind.Context),
        ("local-command-stdout", TagKind.Context),
        ("local-command-stderr", TagKind.Context),
        ("local-command-caveat", TagKind.Context),
        ("command-message", TagKind.Context),
        ("reminder", TagKind.Context),
        ("user_rules", TagKind.Context),
        ("cursor_rules", TagKind.Context),
        ("user_info", TagKind.Context),
        ("project_layout", TagKind.Context),
        ("environment_details", TagKind.Context),
        ("bash-input", TagKind.Context),
        ("ide_selection", TagKind.Attached),
        ("additional_data", TagKind.Attached),
        ("attached_files", TagKind.Attached),
        ("file_contents", TagKind.Attached),
        ("manually_added_selection", TagKind.Attached),
        ("linter_errors", TagKind.Attached),
        ("attachments", TagKind.Attached),
        ("attachment", TagKind.Attached),
        ("bash-stdout", TagKind.Attached),
        ("bash-stderr", TagKind.Attached),
        ("user_query", TagKind.Request),
        ("userRequest", TagKind.Request),
        ("task", TagKind.OpeningRequest),
        ("command-name", TagKind.Inline),
        ("command-args", TagKind.Inline),
    ];

    // Codex CLI heads the AGENTS.md turn with this line, then the file inside <INSTRUCTIONS>.
    private const string AgentsMdHeading = "# AGENTS.md instructions for ";

    private const string AttachedCode = "```\n```";

    // Claude Code's note in the user turn after the user stopped a reply or a tool call ("… for tool use]").
    private const string InterruptionMarker = "[Request interrupted by user";

    // Cline and Roo Code send a tool's result as user text under "[tool_name for 'target'] Result:"; what the user typed
    // in reply to a completion or a question comes inside it, in <feedback> or <answer>.
    private const string ToolResultSuffix = "] Result:";
    private const string QuotedToolResultSuffix = "'] Result:";
    private static readonly string[] ToolResultReplies = ["feedback", "answer"];

    // Slash commands of Copilot chat and Claude Code, as the words that ask for the same activity.
    private static readonly (string Command, string Words)[] SlashCommands =
    [
        ("explain", "explain this code"),
        ("fix", "fix"),
        ("tests", "write unit tests for this code"),
        ("test", "write unit tests for this code"),
        ("doc", "write documentation comments for this code"),
        ("docs", "write documentation comments for this code"),
        ("review", "review this code"),
        ("new", "create a new project"),
        ("optimize", "fix the performance of this code"),
        ("init", "write the project documentation file"),
    ];

    // Copilot chat variables naming what is attached rather than saying anything.
    private static readonly string[] AttachedVariables = ["selection", "editor", "codebase", "terminalSelection", "terminalLastCommand", "changes"];

    // Copilot chat participants addressed at the start of a prompt.
    private static readonly string[] Participants = ["workspace", "vscode", "terminal", "github"];

    /// <summary>
    /// The request in a user turn's text, or the text itself when it carries no envelope (no allocation then).
    /// Empty when the turn holds only context (Codex's instruction and environment turns, a reminder alone).
    /// </summary>
    public static string UserRequest(string text)
    {
        if (text.Contains('['))
        {
            if (ToolResultHeaderEnd(text) is var header and > 0) text = ToolResultReply(text, header);
            if (text.Contains(InterruptionMarker, StringComparison.Ordinal)) text = WithoutInterruptions(text);
        }
        if (text.Contains('<') || text.Contains(AgentsMdHeading, StringComparison.Ordinal)) text = WithoutTags(text);
        return WithClientCommands(text);
    }

    /// <summary>Whether the text carries anything the user typed once the envelopes are taken off.</summary>
    public static bool HasRequest(string? text) => !string.IsNullOrWhiteSpace(text) && !string.IsNullOrWhiteSpace(UserRequest(text));

    private static string WithoutTags(string text)
    {
        StringBuilder? outside = null, requested = null;
        var attached = false;
        var position = 0;
        var i = 0;
        var heading = text.IndexOf(AgentsMdHeading, StringComparison.Ordinal);
        var lastInstructions = heading < 0 ? -1 : text.LastIndexOf(AgentsMdInstructions, StringComparison.Ordinal);
        // Each scan below is done once per text, not once per '<': the turn is the client's, of any length and content
        // ("<task<task<task…" after spaces, thousands of unclosed tags), and this runs on the request path.
        var scan = new TagScan(text.Length - text.AsSpan().TrimStart().Length);
        Span<int> noClosingFrom = stackalloc int[Tags.Length];
        noClosingFrom.Fill(int.MaxValue);
        while (i < text.Length)
        {
            var open = text.IndexOf('<', i);
            if (heading >= 0 && heading < i) heading = text.IndexOf(AgentsMdHeading, i, StringComparison.Ordinal); // found again only once passed
            if (heading >= 0 && heading < lastInstructions && (open < 0 || heading < open) && AgentsMdEnd(text, heading) is var agentsEnd and > 0)
            {
                (outside ??= new StringBuilder(text.Length)).Append(text, position, heading - position);
                position = i = agentsEnd;
                continue;
            }
            if (open < 0) break;
            if (!TryMatchTag(text, open, ref scan, out var tag, out var kind, out var contentStart))
            {
                i = open + 1;
                continue;
            }
            var name = Tags[tag].Name;
            // Once a tag has no closing after some point, it has none after any later one.
            var close = contentStart >= noClosingFrom[tag] ? -1 : IndexOfClosing(text, name, contentStart);
            if (close < 0)
            {
                // No closing tag: prose that mentions one ("why does my parser choke on <reminder> elements?"), not an envelope.
                noClosingFrom[tag] = Math.Min(noClosingFrom[tag], contentStart);
                i = open + 1;
                continue;
            }
            outside ??= new StringBuilder(text.Length);
            outside.Append(text, position, open - position);
            var contentEnd = close;
            position = i = close + name.Length + 3;
            switch (kind)
            {
                case TagKind.Attached:
                    attached = true;
                    break;
                case TagKind.Request:
                    (requested ??= new StringBuilder()).Append(text.AsSpan(contentStart, contentEnd - contentStart).Trim()).Append('\n');
                    break;
                case TagKind.Inline:
                    outside.Append(text, contentStart, contentEnd - contentStart).Append(' ');
                    break;
            }
        }
        if (outside is null && requested is null) return text;
        var request = requested ?? outside!.Append(text, position, text.Length - position);
        while (request.Length > 0 && char.IsWhiteSpace(request[^1])) request.Length--;
        var first = 0;
        while (first < request.Length && char.IsWhiteSpace(request[first])) first++;
        if (first == request.Length) return ""; // attachments alone are not a request
        if (attached) request.Append('\n').Append(AttachedCode);
        return request.ToString(first, request.Length - first);
    }

    /// <summary>The end of a Cline / Roo Code tool result header opening the text ("[read_file for 'a.ts'] Result:"), or -1.</summary>
    private static int ToolResultHeaderEnd(string text)
    {
        var start = 0;
        while (start < text.Length && char.IsWhiteSpace(text[start])) start++;
        if (start == text.Length || text[start] != '[') return -1;
        var name = start + 1;
        while (name < text.Length && (char.IsAsciiLetterOrDigit(text[name]) || text[name] == '_')) name++;
        if (name == start + 1) return -1;
        var lineEnd = text.IndexOf('\n', name);
        var header = text.AsSpan(name, (lineEnd < 0 ? text.Length : lineEnd) - name);
        // "] Result:" right after the tool's name, or after " for '…'" naming its target.
        int suffix;
        if (header.StartsWith(ToolResultSuffix, StringComparison.Ordinal)) suffix = 0;
        else if (header.StartsWith(" for '", StringComparison.Ordinal) && header.LastIndexOf(QuotedToolResultSuffix, StringComparison.Ordinal) is var quote and > 0) suffix = quote + 1;
        else return -1;
        return name + suffix + ToolResultSuffix.Length;
    }

    /// <summary>What the user wrote inside a tool result (their feedback or answer), or empty: the rest is the tool's output.</summary>
    private static string ToolResultReply(string text, int from)
    {
        foreach (var tag in ToolResultReplies)
        {
            var open = text.IndexOf("<" + tag + ">", from, StringComparison.Ordinal);
            if (open < 0) continue;
            var contentStart = open + tag.Length + 2;
            var close = IndexOfClosing(text, tag, contentStart);
            return (close < 0 ? text.AsSpan(contentStart) : text.AsSpan(contentStart, close - contentStart)).Trim().ToString();
        }
        return "";
    }

    /// <summary>The text without Claude Code's interruption notes ("[Request interrupted by user for tool use]").</summary>
    private static string WithoutInterruptions(string text)
    {
        var builder = new StringBuilder(text.Length);
        var position = 0;
        for (var at = text.IndexOf(InterruptionMarker, StringComparison.Ordinal); at >= 0; at = text.IndexOf(InterruptionMarker, position, StringComparison.Ordinal))
        {
            var end = text.IndexOf(']', at + InterruptionMarker.Length);
            if (end < 0) break;
            builder.Append(text, position, at - position);
            position = end + 1;
        }
        return builder.Append(text, position, text.Length - position).ToString().Trim();
    }

    /// <summary>Where <c>&lt;/name&gt;</c> starts after <paramref name="from"/>, or -1 (without building the closing tag).</summary>
    private static int IndexOfClosing(string text, string name, int from)
    {
        for (var at = text.IndexOf("</", from, StringComparison.Ordinal); at >= 0; at = text.IndexOf("</", at + 2, StringComparison.Ordinal))
        {
            var after = at + 2 + name.Length;
            if (after < text.Length && text[after] == '>' && string.CompareOrdinal(text, at + 2, name, 0, name.Length) == 0) return at;
        }
        return -1;
    }

    private const string AgentsMdInstructions = "<INSTRUCTIONS>";

    /// <summary>
    /// The end of Codex's AGENTS.md block starting at <paramref name="heading"/>, or -1 when it is not one. The caller
    /// checks that an <c>&lt;INSTRUCTIONS&gt;</c> follows at all first: many headings without one were a scan to the end each.
    /// </summary>
    private static int AgentsMdEnd(string text, int heading)
    {
        if (heading > 0 && text[heading - 1] != '\n') return -1;
        var open = text.IndexOf(AgentsMdInstructions, heading, StringComparison.Ordinal);
        if (open < 0) return -1;
        var close = text.IndexOf("</INSTRUCTIONS>", open, StringComparison.Ordinal);
        return close < 0 ? text.Length : close + "</INSTRUCTIONS>".Length;
    }

    /// <summary>What one text's tag matching has already learnt about it, so no part of it is scanned once per '&lt;'.</summary>
    private struct TagScan(int leadingWhitespace)
    {
        /// <summary>Where the text's first non-space character is: a tag that must open the turn starts there.</summary>
        public readonly int LeadingWhitespace = leadingWhitespace;

        // The first '>' or '\n' at or after _stopFrom is at _stopAt (-1: none to the end).
        private int _stopFrom = int.MaxValue, _stopAt = -1;

        public int NextStop(string text, int from)
        {
            if (from >= _stopFrom && (_stopAt < 0 || from <= _stopAt)) return _stopAt;
            var relative = text.AsSpan(from).IndexOfAny('>', '\n');
            (_stopFrom, _stopAt) = (from, relative < 0 ? -1 : from + relative);
            return _stopAt;
        }
    }

    private static bool TryMatchTag(string text, int open, ref TagScan scan, out int tag, out TagKind kind, out int contentStart)
    {
        for (tag = 0; tag < Tags.Length; tag++)
        {
            var (tagName, tagKind) = Tags[tag];
            var after = open + 1 + tagName.Length;
            if (after >= text.Length || string.CompareOrdinal(text, open + 1, tagName, 0, tagName.Length) != 0) continue;
            if (tagKind == TagKind.OpeningRequest && open != scan.LeadingWhitespace) continue;
            int end;
            if (text[after] == '>') end = after;
            else if (text[after] == ' ' && (end = scan.NextStop(text, after)) >= 0 && text[end] == '>') { } // attributes end within the tag's line
            else continue;
            (kind, contentStart) = (tagKind == TagKind.OpeningRequest ? TagKind.Request : tagKind, end + 1);
            return true;
        }
        (kind, contentStart) = (default, 0);
        return false;
    }

    /// <summary>
    /// A leading chat participant is dropped, a leading slash command becomes the words for its activity, <c>#file:path</c>
    /// becomes <c>`path`</c> (read as a name, like code) and attachment variables become "this code".
    /// </summary>
    private static string WithClientCommands(string text)
    {
        var start = 0;
        while (start < text.Length && char.IsWhiteSpace(text[start])) start++;
        if (start == text.Length) return "";
        if (text[start] is not ('/' or '@') && !text.Contains('#')) return text;

        StringBuilder? builder = null;
        if (text[start] == '@' && Word(text, start + 1) is var participant and > 0 && IsOneOf(text, start + 1, participant, Participants))
        {
            builder = new StringBuilder(text.Length + 32);
            start += 1 + participant;
            while (start < text.Length && char.IsWhiteSpace(text[start])) start++;
        }
        if (start < text.Length && text[start] == '/' && Word(text, start + 1) is var command and > 0
            && (start + 1 + command == text.Length || char.IsWhiteSpace(text[start + 1 + command])))
        {
            var words = text.Substring(start + 1, command).Replace('-', ' ').Replace('_', ' ');
            foreach (var (name, replacement) in SlashCommands)
                if (string.Equals(name, words, StringComparison.OrdinalIgnoreCase)) { words = replacement; break; }
            (builder ??= new StringBuilder(text.Length + 32)).Append(words).Append(':');
            start += 1 + command;
        }

        var copied = start; // text before this index is already in the builder (or was skipped)
        for (var i = start; i < text.Length; i++)
        {
            if (text[i] != '#' || (i > 0 && !char.IsWhiteSpace(text[i - 1])) || Word(text, i + 1) is not (var variable and > 0)) continue;
            var end = i + 1 + variable;
            string? replacement = null;
            var replacedEnd = end;
            if (end < text.Length && text[end] == ':' && (IsWord(text, i + 1, variable, "file") || IsWord(text, i + 1, variable, "sym")))
            {
                while (replacedEnd < text.Length && !char.IsWhiteSpace(text[replacedEnd])) replacedEnd++;
                replacement = "`" + text.Substring(end + 1, replacedEnd - end - 1) + "`";
            }
            else if ((end == text.Length || !char.IsLetterOrDigit(text[end])) && IsOneOf(text, i + 1, variable, AttachedVariables))
            {
                replacement = "this code";
            }
            if (replacement is null) continue;
            (builder ??= new StringBuilder(text.Length + 32)).Append(text, copied, i - copied).Append(replacement);
            copied = replacedEnd;
            i = replacedEnd - 1;
        }
        if (builder is null) return text;
        return builder.Append(text, copied, text.Length - copied).ToString().Trim();
    }

    /// <summary>Length of the word (letters, digits, '-', '_') at <paramref name="start"/>.</summary>
    private static int Word(string text, int start)
    {
        var end = start;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '-' or '_')) end++;
        return end > start && char.IsAsciiLetter(text[start]) ? end - start : 0;
    }

    private static bool IsWord(string text, int start, int length, string word) =>
        length == word.Length && string.CompareOrdinal(text, start, word, 0, length) == 0;

    private static bool IsOneOf(string text, int start, int length, string[] words)
    {
        foreach (var word in words)
            if (IsWord(text, start, length, word)) return true;
        return false;
    }
}
