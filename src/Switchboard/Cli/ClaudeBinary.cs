namespace Switchboard.Cli;

/// <summary>Finds the Claude Code CLI: $SWITCHBOARD_CLAUDE_BIN, else `claude` on PATH, else the checkout's tests/e2e install.</summary>
internal static class ClaudeBinary
{
    public const string OverrideVariable = "SWITCHBOARD_CLAUDE_BIN";
    public const string InstallHint = "npm install -g @anthropic-ai/claude-code";

    private static readonly AgentBinary Agent = new("claude", "Claude Code", OverrideVariable, InstallHint);

    /// <summary>The path to run, or null with <paramref name="problem"/> saying what to do.</summary>
    public static string? Find(CliContext context, out string problem) => Agent.Find(context, InstallLayout.RepositoryRoot, out problem);

    internal static string? Find(CliContext context, string? repositoryRoot, out string problem) => Agent.Find(context, repositoryRoot, out problem);
}

/// <summary>Finds a coding agent's CLI: its override variable, else the command on PATH, else the checkout's tests/e2e install.</summary>
internal sealed record AgentBinary(string Command, string DisplayName, string OverrideVariable, string InstallHint)
{
    public string? Find(CliContext context, string? repositoryRoot, out string problem)
    {
        problem = "";
        if (context.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } configured)
        {
            var path = context.FullPath(configured);
            if (IsExecutable(path)) return path;
            problem = $"{OverrideVariable} is set to '{configured}', which is not an executable file. Point it at the {Command} binary, or unset it to use `{Command}` from PATH.";
            return null;
        }
        foreach (var dir in (context.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, Command);
            if (IsExecutable(candidate)) return candidate;
        }
        if (repositoryRoot is { } root && Path.Combine(root, "tests", "e2e", "node_modules", ".bin", Command) is var local && IsExecutable(local))
            return local;
        problem = $"{DisplayName} is not installed (no `{Command}` on PATH). Install it with `{InstallHint}`, or set {OverrideVariable} to its path.";
        return null;
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}
