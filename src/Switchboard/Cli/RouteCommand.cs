using System.CommandLine;
using System.Text.Json;
using Switchboard.Routing;
using Switchboard.Endpoints;
using Switchboard.Runtime;

namespace Switchboard.Cli;

/// <summary>`switchboard route "prompt"`: which route and model would answer, without calling any provider.</summary>
internal static class RouteCommand
{
    public static Command Create(CliContext context)
    {
        var config = CliApp.ConfigOption();
        var prompt = new Argument<string>("prompt") { Description = "The user message to route." };
        var model = new Option<string?>("--model") { Description = "The model the client asks for (default: one no provider serves, as Claude Code does)." };
        var force = new Option<string?>("--force-route") { Description = "Act as if x-switchboard-route carried this route name (or none)." };
        var json = new Option<bool>("--json") { Description = "Print the decision as JSON (the shape of POST /v1/route)." };
        var command = new Command("route", "Show which route and model would answer a prompt (a dry run: no provider is called).")
        {
            config, prompt, model, force, json,
        };
        command.WithExamples(
            "switchboard route --config config.yaml \"why does this test fail with a NullReferenceException?\"",
            "switchboard route \"write a bash script that renames files\" --json",
            "switchboard route --force-route debugging \"hello\"");
        command.SetAction(async (parse, ct) =>
        {
            var resolved = ConfigSource.Resolve(parse.GetValue(config), context);
            if (!ConfigSource.Report(resolved, context.Error, quiet: true) || resolved.Config is null) return ExitCodes.Failure;
            using var snapshot = SnapshotFactory.Create(resolved.Config);
            // Show the decision a warm gateway makes: wait for the semantic stage when this policy uses it.
            if (((snapshot.Selector.Router as Routing.Feedback.LearningRouteSelector)?.Inner ?? snapshot.Selector.Router) is EmbeddedRouteSelector embedded
                && snapshot.Selector.Policy is { } policy && embedded.SemanticFor(policy) is { } stage)
                stage.WaitUntilReady(policy, TimeSpan.FromMinutes(2));
            var text = parse.GetValue(prompt)!;
            var requested = parse.GetValue(model) ?? ""; // none: the router decides, as for a model no provider serves
            var selection = await snapshot.Selector.SelectAsync(requested, parse.GetValue(force),
                () => RouterInputBuilder.FromTurns([new RouterTurn(TurnRole.User, text)], resolved.Config.Routing.TokenBudget), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
                using (var writer = new Utf8JsonWriter(buffer)) RouteDecisionJson.Write(writer, selection, requested);
                context.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
            }
            else if (selection is null)
            {
                context.Out.WriteLine($"no route fits and no default model is configured: '{requested}' would be rejected.");
            }
            else
            {
                var route = selection.Route is null ? "no route" : $"route '{selection.Route}'";
                context.Out.WriteLine($"{route} → {selection.Model}  (router {selection.Router}, reason {RouteDecisionJson.Reason(selection)}, {selection.RoutingMs:0.###} ms)");
            }
            return selection is null ? ExitCodes.Failure : ExitCodes.Ok;
        });
        return command;
    }
}
