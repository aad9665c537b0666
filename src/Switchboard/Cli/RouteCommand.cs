using System.CommandLine;
using System.Text.Json;
using Switchboard.Routing;
using Switchboard.Server;

namespace Switchboard.Cli;

/// <summary>`switchboard route "prompt"`: which route and model would answer, without calling any provider.</summary>
internal static class RouteCommand
{
    public static Command Create()
    {
        var config = CliApp.ConfigOption();
        var prompt = new Argument<string>("prompt") { Description = "The user message to route." };
        var model = new Option<string?>("--model") { Description = "The model the client asks for (default: one no provider serves, as Claude Code does)." };
        var force = new Option<string?>("--force-route") { Description = "Act as if x-switchboard-route carried this route name (or none)." };
        var json = new Option<bool>("--json") { Description = "Print the decision as JSON (the shape of POST /v1/route)." };
        var command = new Command("route", "Show which route and model would answer a prompt (a dry run: no provider is called).\n\nExamples:\n  switchboard route --config config.yaml \"why does this test fail with a NullReferenceException?\"\n  switchboard route \"write a bash script that renames files\" --json")
        {
            config, prompt, model, force, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var resolved = ConfigSource.Resolve(parse.GetValue(config));
            if (!ConfigSource.Report(resolved, Console.Error, quiet: true) || resolved.Config is null) return ExitCodes.Failure;
            using var snapshot = GatewayHost.CreateSnapshot(resolved.Config);
            var text = parse.GetValue(prompt)!;
            var requested = parse.GetValue(model) ?? ""; // none: the router decides, as for a model no provider serves
            var selection = await snapshot.Selector.SelectAsync(requested, parse.GetValue(force),
                () => RouterInputBuilder.FromTurns([new RouterTurn(TurnRole.User, text)], resolved.Config.Routing.TokenBudget), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                using (var writer = new Utf8JsonWriter(stdout)) RouteDecisionJson.Write(writer, selection, requested);
                Console.WriteLine();
            }
            else if (selection is null)
            {
                Console.WriteLine($"no route fits and no default model is configured: '{requested}' would be rejected.");
            }
            else
            {
                var route = selection.Route is null ? "no route" : $"route '{selection.Route}'";
                Console.WriteLine($"{route} → {selection.Model}  (router {selection.Router}, reason {RouteDecisionJson.Reason(selection)}, {selection.RoutingMs:0.###} ms)");
            }
            return selection is null ? ExitCodes.Failure : ExitCodes.Ok;
        });
        return command;
    }
}
