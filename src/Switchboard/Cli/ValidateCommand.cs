using System.CommandLine;

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
            var c = resolved.Config;
            var routes = c.Providers.Sum(p => p.RoutingPreferences.Count) + c.RoutingPreferences.Count;
            var router = c.Routing.Router == Config.RouterKind.Llm ? $"llm ({c.Routing.Model} at {c.Routing.BaseUrl})" : "embedded";
            context.Out.WriteLine($"{resolved.Description}: OK — {c.Providers.Count} models, {c.Aliases.Count} aliases, {routes} routes, router {router}, listening on {c.Listeners[0].Address}:{c.Listeners[0].Port}.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
