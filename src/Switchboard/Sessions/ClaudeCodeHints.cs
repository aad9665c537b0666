namespace Switchboard.Sessions;

/// <summary>What a request is to its session, from Claude Code's gateway hint headers.</summary>
internal enum SessionRequestKind
{
    /// <summary>No hint headers (an older Claude Code, another client): chosen as before, pinned by its latest user turn.</summary>
    Unhinted,
    /// <summary>A main (or subagent) request: its user turn is routed once, and every request of the turn keeps that model.</summary>
    Turn,
    /// <summary>A background call (titles, suggestions, side replies): never preference-routed; the small/fast model, else the session's.</summary>
    Auxiliary,
    /// <summary>Compaction or a summary of the conversation: stays on the session's current model.</summary>
    Compaction,
}

/// <summary>
/// The hint headers Claude Code sends with <c>CLAUDE_CODE_GATEWAY_HINT_HEADERS=1</c> (2.1.330): the request class
/// (main, subagent, workflow, compaction, auxiliary, side_reply), Anthropic's own class (main, blocking-subagent,
/// background-task, summary-extraction, followup-generation), the prompt id of the user turn (main requests), and the
/// subagent's id.
/// </summary>
internal readonly record struct ClaudeCodeHints(SessionRequestKind Kind, string? PromptId, string? AgentId)
{
    public const string RequestClassHeader = "x-claude-code-request-class";
    public const string FirstPartyClassHeader = "x-claude-1p-request-class";
    public const string PromptIdHeader = "x-claude-code-prompt-id";
    public const string AgentIdHeader = "x-claude-code-agent-id";

    /// <summary>Reads the header values (empty when absent); no allocation beyond the strings already read.</summary>
    public static ClaudeCodeHints From(string requestClass, string firstPartyClass, string promptId, string agentId) =>
        new(KindOf(requestClass, firstPartyClass), promptId.Length > 0 ? promptId : null, agentId.Length > 0 ? agentId : null);

    /// <summary>The kind alone, from the request's headers.</summary>
    public static SessionRequestKind KindOf(Microsoft.AspNetCore.Http.IHeaderDictionary headers) =>
        KindOf(headers[RequestClassHeader].ToString(), headers[FirstPartyClassHeader].ToString());

    private static SessionRequestKind KindOf(string requestClass, string firstPartyClass)
    {
        switch (requestClass)
        {
            case "compaction":
                return SessionRequestKind.Compaction;
            case "auxiliary" or "side_reply":
                return SessionRequestKind.Auxiliary;
            case "main" or "subagent" or "workflow":
                // Anthropic's finer class, when it says this is no user turn: a summary stays, a suggestion goes small.
                return firstPartyClass switch
                {
                    "summary-extraction" => SessionRequestKind.Compaction,
                    "followup-generation" => SessionRequestKind.Auxiliary,
                    _ => SessionRequestKind.Turn,
                };
            default:
                return SessionRequestKind.Unhinted; // absent, or a class this version does not know: as before
        }
    }
}
