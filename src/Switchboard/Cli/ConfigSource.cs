using Switchboard.Config;

namespace Switchboard.Cli;

/// <summary>Finds the config a command should use: --config, ./config.yaml, or the built-in one.</summary>
internal static class ConfigSource
{
    public sealed record Resolved(GatewayConfig? Config, ConfigLoadResult? Load, BuiltInConfig.Discovery? BuiltIn, string Description);

    public static Resolved Resolve(string? path)
    {
        if (path is null && File.Exists("config.yaml")) path = "config.yaml";
        if (path is not null)
        {
            if (!File.Exists(path)) return new Resolved(null, new ConfigLoadResult(null, [new(DiagnosticSeverity.Error, 0, $"config file '{path}' does not exist.", "check the path, or run `./switchboard init` to write one.")]), null, path);
            var load = ConfigLoader.LoadFile(path);
            return new Resolved(load.Config, load, null, Path.GetFullPath(path));
        }
        var builtIn = BuiltInConfig.FromEnvironment();
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
                error.WriteLine($"The config has {load.Errors.Count()} error(s); nothing was started.");
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
}
