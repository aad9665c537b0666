using Switchboard.Config;
using Switchboard.Providers;

namespace Switchboard.Cli;

/// <summary>Finds the config a command should use: --config, ./config.yaml, or the built-in one.</summary>
internal static class ConfigSource
{
    public sealed record Resolved(GatewayConfig? Config, ConfigLoadResult? Load, BuiltInConfig.Discovery? BuiltIn, string Description);

    public const string DefaultFileName = "config.yaml";

    public static Resolved Resolve(string? path, CliContext context)
    {
        if (path is null && File.Exists(context.FullPath(DefaultFileName))) path = DefaultFileName;
        if (path is not null)
        {
            var fullPath = context.FullPath(path);
            if (!File.Exists(fullPath)) return new Resolved(null, new ConfigLoadResult(null, [new(DiagnosticSeverity.Error, 0, $"config file '{path}' does not exist.", "check the path, or run `./switchboard init` to write one.")]), null, path);
            var load = ConfigLoader.LoadFile(fullPath, context.GetEnvironmentVariable);
            return new Resolved(load.Config, load, null, fullPath);
        }
        var builtIn = BuiltInConfig.FromEnvironment(context.GetEnvironmentVariable);
        return new Resolved(builtIn.Config, null, builtIn, "built-in (providers from environment keys)");
    }

    /// <summary>Prints diagnostics to stderr; returns false when there were errors.</summary>
    public static bool Report(Resolved resolved, TextWriter error, bool quiet = false)
    {
        if (resolved.Load is { } load)
        {
            foreach (var d in load.Diagnostics.Where(d => !quiet || d.Severity == DiagnosticSeverity.Error)) error.WriteLine($"{Path.GetFileName(resolved.Description)}: {d}");
            if (!load.Succeeded)
            {
                error.WriteLine($"The config has {Plural.Count(load.Errors.Count(), "error")}; nothing was started.");
                return false;
            }
        }
        if (resolved.BuiltIn is { } builtIn && !quiet)
        {
            error.WriteLine("No --config given and no ./config.yaml here: using the built-in config.");
            if (builtIn.Found.Count > 0) error.WriteLine($"  Keys found:     {string.Join(", ", builtIn.Found)}");
            error.WriteLine($"  Keys not set:   {string.Join(", ", builtIn.Missing)}");
            if (builtIn.Found.Count == 0)
                error.WriteLine("  No provider key is set, so every request will fail until one is: e.g. `export ANTHROPIC_API_KEY=...` or `export OPENAI_API_KEY=...`, then restart. `./switchboard init` writes a config.yaml to edit.");
        }
        return true;
    }

    /// <summary>
    /// Warns about each configured model whose key variable is not set, with its line, as config warnings are printed
    /// (the built-in config already listed them). Not an error: the gateway starts, and such a request says what to set.
    /// </summary>
    public static void WarnAboutMissingKeys(Resolved resolved, TextWriter output)
    {
        if (resolved.BuiltIn is not null || resolved.Config is null) return;
        using var providers = new ProviderRegistry(resolved.Config);
        foreach (var endpoint in providers.All)
            if (endpoint.MissingKeyVariable is { } missing)
                output.WriteLine($"{Path.GetFileName(resolved.Description)}: " + new ConfigDiagnostic(DiagnosticSeverity.Warning, endpoint.Config.Line,
                    $"{endpoint.Config.Model}: {missing} is not set; requests routed to it will fail until it is.",
                    $"export {missing}=... (or put it in a .env file beside the config) and restart."));
    }
}
