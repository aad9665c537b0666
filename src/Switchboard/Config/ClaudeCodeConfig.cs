namespace Switchboard.Config;

/// <summary>
/// The <c>claude_code</c> section: which configured model or alias answers each of Claude Code's model classes
/// (<c>switchboard claude</c> passes them as ANTHROPIC_DEFAULT_*_MODEL and CLAUDE_CODE_SUBAGENT_MODEL), and how long
/// and how many sessions the gateway keeps a turn's model for.
/// </summary>
internal sealed record ClaudeCodeConfig
{
    public const int DefaultSessionTtlMinutes = 120;
    public const int DefaultMaxSessions = 10_000;

    public ClaudeCodeModel? Opus { get; init; }
    public ClaudeCodeModel? Sonnet { get; init; }
    /// <summary>Also the small/fast model Claude Code's auxiliary requests (titles, summaries) go to.</summary>
    public ClaudeCodeModel? Haiku { get; init; }
    public ClaudeCodeModel? Subagent { get; init; }
    /// <summary>A session idle this long forgets its turn's model (read when the gateway starts).</summary>
    public int SessionTtlMinutes { get; init; } = DefaultSessionTtlMinutes;
    /// <summary>At most this many sessions are remembered; the least recently active goes first (read when the gateway starts).</summary>
    public int MaxSessions { get; init; } = DefaultMaxSessions;

    /// <summary>The four model settings with their config key, in order, for validation and the CLI.</summary>
    public IEnumerable<(string Key, ClaudeCodeModel Model)> Models()
    {
        if (Opus is not null) yield return ("opus", Opus);
        if (Sonnet is not null) yield return ("sonnet", Sonnet);
        if (Haiku is not null) yield return ("haiku", Haiku);
        if (Subagent is not null) yield return ("subagent", Subagent);
    }
}

/// <summary>A model literal or alias named in <c>claude_code</c>, with its line.</summary>
internal sealed record ClaudeCodeModel(string Name, int Line);
