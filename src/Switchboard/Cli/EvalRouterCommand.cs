using System.CommandLine;
using Switchboard.Config;
using Switchboard.Routing;

namespace Switchboard.Cli;

/// <summary>`switchboard eval-router`: accuracy, per-route precision/recall, confusion and latency on labelled data.</summary>
internal static class EvalRouterCommand
{
    public static Command Create(CliContext context)
    {
        var config = CliApp.ConfigOption();
        config.Description = "A Switchboard config (routes from its routing_preferences) or a policy file with a top-level 'routes:' list.";
        var data = new Option<string>("--data", "-d") { Description = "JSON Lines of {\"messages\": [...], \"expected\": route name or \"other\"}.", Required = true };
        var trace = new Option<bool>("--trace") { Description = "For each misclassified row, print the embedded router's features and per-route contributions." };
        var learn = new Option<bool>("--learn") { Description = "Replay every other row as a stream, correcting each miss as a user would; print accuracy before and after on the held-out rows and on --also sets." };
        var also = new Option<string[]>("--also") { Description = "With --learn: more labelled sets of the same policy, measured before and after (must not drop).", AllowMultipleArgumentsPerToken = true };
        var command = new Command("eval-router", "Measure the router on labelled conversations: accuracy, per-route precision/recall, confusion, latency.")
        {
            config, data, trace, learn, also,
        };
        command.WithExamples(
            "switchboard eval-router --config ../shared/routing-dev/policy.yaml --data ../shared/routing-dev/dev.jsonl",
            "switchboard eval-router --config config.yaml --data my-labelled-conversations.jsonl --trace",
            "switchboard eval-router --config policy.yaml --data tuning.jsonl --learn --also blind.jsonl");
        command.SetAction(async (parse, ct) =>
        {
            var configPath = parse.GetValue(config) ?? (File.Exists(Path.Combine(context.WorkingDirectory, "config.yaml")) ? "config.yaml" : null);
            if (configPath is not null && !Path.IsPathRooted(configPath)) configPath = Path.Combine(context.WorkingDirectory, configPath);
            if (configPath is null || !File.Exists(configPath))
            {
                context.Error.WriteLine("eval-router needs --config: a Switchboard config with routing_preferences, or a policy file with 'routes:'.");
                return ExitCodes.Usage;
            }
            var dataPath = parse.GetValue(data)!;
            if (!Path.IsPathRooted(dataPath)) dataPath = Path.Combine(context.WorkingDirectory, dataPath);
            if (!File.Exists(dataPath))
            {
                context.Error.WriteLine($"data file '{dataPath}' does not exist.");
                return ExitCodes.Failure;
            }

            RoutePolicy? policy;
            RoutingConfig routing;
            if (File.ReadAllText(configPath).Contains("\nroutes:", StringComparison.Ordinal) || File.ReadAllText(configPath).StartsWith("routes:", StringComparison.Ordinal))
            {
                policy = RoutingDataLoader.LoadPolicyYaml(configPath);
                routing = new RoutingConfig();
            }
            else
            {
                var load = ConfigLoader.LoadFile(configPath);
                if (!load.Succeeded)
                {
                    foreach (var d in load.Errors) context.Error.WriteLine($"{Path.GetFileName(configPath)}: {d}");
                    return ExitCodes.Failure;
                }
                using var snapshot = Runtime.SnapshotFactory.Create(load.Config!);
                policy = snapshot.Selector.Policy;
                routing = load.Config!.Routing;
            }
            if (policy is null || policy.Routes.Count == 0)
            {
                context.Error.WriteLine($"{configPath} defines no routes (routing_preferences) to evaluate.");
                return ExitCodes.Failure;
            }

            IReadOnlyList<LabelledConversation> rows;
            try
            {
                rows = RoutingDataLoader.LoadJsonl(dataPath);
            }
            catch (FormatException ex)
            {
                context.Error.WriteLine(ex.Message);
                return ExitCodes.Failure;
            }

            using var httpClient = routing.Router == RouterKind.Llm ? new HttpClient { Timeout = Timeout.InfiniteTimeSpan } : null;
            IRouteSelector selector = routing.Router == RouterKind.Llm ? new LlmRouteSelector(httpClient!, routing) : new EmbeddedRouteSelector(routing);
            // Measure the router as it runs once warm: wait for the semantic stage when this policy uses it.
            if (selector is EmbeddedRouteSelector warm && warm.SemanticFor(policy) is { } stage)
            {
                var ready = stage.WaitUntilReady(policy, TimeSpan.FromMinutes(2));
                context.Out.WriteLine(ready ? "semantic stage: on (all-MiniLM-L6-v2, used when the lexical stage is unsure)"
                    : $"semantic stage: not available ({stage.Encoder.Failure ?? "timed out loading"}); lexical stage only");
            }
            var result = await RouterEvaluator.EvaluateAsync(policy, selector, rows, routing.TokenBudget, ct).ConfigureAwait(false);
            context.Out.WriteLine(RouterEvaluator.RenderReport(result));
            if (parse.GetValue(trace) && selector is EmbeddedRouteSelector embedded)
            {
                var byId = rows.ToDictionary(r => r.Id);
                foreach (var m in result.Misclassified)
                {
                    context.Out.WriteLine($"trace {m.Id} (expected {m.Expected}, got {m.Actual}):");
                    foreach (var line in embedded.Explain(RouterInputBuilder.FromTurns(byId[m.Id].Turns, routing.TokenBudget), policy)) context.Out.WriteLine("  " + line);
                }
            }
            if (parse.GetValue(learn))
            {
                var others = new List<(string, IReadOnlyList<LabelledConversation>)>();
                foreach (var extra in parse.GetValue(also) ?? [])
                {
                    var extraPath = Path.IsPathRooted(extra) ? extra : Path.Combine(context.WorkingDirectory, extra);
                    try
                    {
                        others.Add((Path.GetFileName(extraPath), RoutingDataLoader.LoadJsonl(extraPath)));
                    }
                    catch (Exception ex) when (ex is FormatException or IOException)
                    {
                        context.Error.WriteLine($"--also {extra}: {ex.Message}");
                        return ExitCodes.Failure;
                    }
                }
                var learning = await LearningEvaluator.RunAsync(policy, selector, rows, others, routing.TokenBudget, ct).ConfigureAwait(false);
                context.Out.WriteLine(LearningEvaluator.RenderReport(learning));
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
