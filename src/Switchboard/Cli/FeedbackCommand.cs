using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.Routing.Feedback;

namespace Switchboard.Cli;

/// <summary>`switchboard feedback [REQUEST_ID|last] --route NAME | --good | --bad`: correct a routing decision, or rate an answer.</summary>
internal static class FeedbackCommand
{
    public static Command Create(CliContext context)
    {
        var url = CliApp.UrlOption();
        var requestId = new Argument<string>("request-id") { Description = "The request's x-switchboard-request-id (shown by `switchboard watch`), or \"last\".", DefaultValueFactory = _ => "last" };
        var route = new Option<string?>("--route") { Description = "The route the request should have gone to, or \"other\" for none." };
        var good = new Option<bool>("--good") { Description = "The answer was good." };
        var bad = new Option<bool>("--bad") { Description = "The answer was bad." };
        var command = new Command("feedback", "Correct a routing decision (the router follows it), or rate an answer.")
        {
            requestId, route, good, bad, url,
        };
        command.WithExamples(
            "switchboard feedback last --route debugging",
            "switchboard feedback 0HN8K2QX1 --route other",
            "switchboard feedback last --bad");
        command.SetAction(async (parse, ct) =>
        {
            var routeName = parse.GetValue(route);
            var isGood = parse.GetValue(good);
            var isBad = parse.GetValue(bad);
            if ((routeName is not null ? 1 : 0) + (isGood ? 1 : 0) + (isBad ? 1 : 0) != 1)
            {
                context.Error.WriteLine("feedback needs exactly one of --route NAME, --good or --bad.");
                return ExitCodes.Usage;
            }
            var gateway = GatewayLocator.Find(context, parse.GetValue(url));
            if (gateway is null)
            {
                context.Error.WriteLine("Switchboard is not running. Start it with `switchboard up --detach`, or pass --url.");
                return ExitCodes.Failure;
            }
            var key = context.GetEnvironmentVariable("SWITCHBOARD_GATEWAY_KEY");
            using var client = new GatewayClient(gateway.BaseUrl, TimeSpan.FromSeconds(10), string.IsNullOrEmpty(key) ? null : key);
            var request = new FeedbackRequest(parse.GetValue(requestId), routeName, isGood ? "good" : isBad ? "bad" : null);
            var (ok, message) = await client.SendFeedbackAsync(request, ct).ConfigureAwait(false);
            (ok ? context.Out : context.Error).WriteLine(message);
            return ok ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }
}
