namespace Switchboard.Cli;

/// <summary>Where this program lives: the source checkout it was built from, and the command that runs it again.</summary>
internal static class InstallLayout
{
    /// <summary>The checkout root (the folder with Switchboard.slnx) above this program, or null for an installed copy.</summary>
    public static string? RepositoryRoot { get; } = FindRepositoryRoot(AppContext.BaseDirectory);

    internal static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx"))) return dir.FullName;
        return null;
    }

    /// <summary>
    /// A shell command that runs this CLI: the checkout's ./switchboard launcher when there is one (it rebuilds
    /// after source changes), else this executable (or `dotnet switchboard.dll`).
    /// </summary>
    public static string SelfShellCommand()
    {
        if (RepositoryRoot is { } root && File.Exists(Path.Combine(root, "switchboard"))) return ShellQuote(Path.Combine(root, "switchboard"));
        var processPath = Environment.ProcessPath ?? "switchboard";
        return Path.GetFileNameWithoutExtension(processPath) == "dotnet"
            ? $"{ShellQuote(processPath)} {ShellQuote(typeof(CliApp).Assembly.Location)}"
            : ShellQuote(processPath);
    }

    /// <summary>Quotes for a POSIX shell only when needed, so the common case stays readable in settings.</summary>
    internal static string ShellQuote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ':' or '@' or '%' or ',')
            ? value
            : "'" + value.Replace("'", "'\\''") + "'";
}
