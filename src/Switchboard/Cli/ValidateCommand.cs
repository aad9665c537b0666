using System.CommandLine;
using Switchboard.Config;

namespace Switchboard.Cli;

/// <summary>`switchboard validate`: load a config, print every error and warning, exit non-zero on errors.</summary>
internal static class ValidateCommand
{
    public static Command Create(CliContext context)
    {
        var config = CliApp.ConfigOption();
        var command = new Command("validate", "Check a config file and print every problem with its line and fix.") { config };
        command.WithExamples("switchboard validate --config config.yaml");
        command.SetAction(parse =>
        {
            var resolved = ConfigSource.Resolve(parse.GetValue(config), context);
            if (!ConfigSource.Report(resolved, context.Out) || resolved.Config is null) return ExitCodes.Failure;
            // A key variable that is not set is not an error (the gateway starts, and says so per request), but worth knowing now.
            ConfigSource.WarnAboutMissingKeys(resolved, context.Out);
            var c = resolved.Config;
            context.Out.WriteLine($"{resolved.Description}: OK — {ConfigSummary.Describe(c)}, listening on {c.Listeners[0].Address}:{c.Listeners[0].Port}.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
