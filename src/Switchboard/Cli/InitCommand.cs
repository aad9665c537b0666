using System.CommandLine;

namespace Switchboard.Cli;

/// <summary>`switchboard init`: write a commented starter config.yaml in the current directory.</summary>
internal static class InitCommand
{
    public static Command Create(CliContext context)
    {
        var preset = new Option<string>("--preset") { Description = "What the config is for.", DefaultValueFactory = _ => "claude-code" };
        preset.AcceptOnlyFromAmong("claude-code");
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite an existing config.yaml." };
        var command = new Command("init", "Write a starter config.yaml here, from the provider keys in the environment.") { preset, force };
        command.WithExamples(
            "switchboard init && switchboard validate",
            "switchboard init --force     # replace an existing config.yaml");
        command.SetAction(parse => Run(context, parse.GetValue(force)));
        return command;
    }

    private static int Run(CliContext context, bool force)
    {
        var path = context.FullPath(ConfigSource.DefaultFileName);
        if (File.Exists(path) && !force)
        {
            context.Error.WriteLine($"{path} already exists; nothing was written. Pass --force to overwrite it.");
            return ExitCodes.Failure;
        }
        var starter = StarterConfig.Create(context.GetEnvironmentVariable);
        try
        {
            File.WriteAllText(path, starter.Yaml);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"Cannot write {path}: {ex.Message}");
            return ExitCodes.Failure;
        }

        var o = context.Out;
        o.WriteLine($"Wrote {path}");
        o.WriteLine($"  models:  {string.Join(", ", starter.Models)}");
        o.WriteLine($"  routes:  {string.Join(", ", StarterConfig.Routes.Select(r => r.Name))}");
        o.WriteLine($"  alias:   {ClaudeCommand.SmallFastAlias} → {starter.SmallFastTarget}");
        o.WriteLine(starter.KeysFound.Count > 0
            ? $"  keys:    {string.Join(", ", starter.KeysFound)} (read from the environment when the gateway starts)"
            : "  keys:    none set yet: export ANTHROPIC_API_KEY=... OPENAI_API_KEY=... (or put them in a .env file here)");
        o.WriteLine("Next: switchboard validate, then switchboard claude (or switchboard up).");
        return ExitCodes.Ok;
    }
}
