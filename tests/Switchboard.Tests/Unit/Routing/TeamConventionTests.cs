using Switchboard.Routing;
using Switchboard.Routing.Feedback;
using Xunit.Abstractions;

namespace Switchboard.Tests.Unit.Routing;

/// <summary>
/// A team whose preferences differ from its route descriptions (issue #17): corrections that state a convention reach
/// other wordings of it through the lexical router's reading, and nothing else moves.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class TeamConventionTests(ITestOutputHelper output)
{
    private static readonly RoutePolicy Coding = RoutingDataLoader.LoadPolicyYaml(RoutingTestPaths.CodingPolicy);

    private static void Correct(JsonlFeedbackStore store, string prompt, string route) => store.Append(new FeedbackRecord
    {
        Kind = FeedbackRecord.CorrectionKind, Time = DateTimeOffset.UnixEpoch, RequestId = prompt, Policy = PolicyKey.Of(Coding),
        PolicyRoutes = Coding.Routes.Select(r => r.Name).ToArray(), Prompt = prompt, Route = route,
    });

    private static async Task<string?> Route(IRouteSelector router, string prompt) =>
        (await router.SelectAsync(new RouterInput([new RouterTurn(TurnRole.User, prompt)]), Coding, CancellationToken.None)).Route;

    [Fact]
    public async Task A_convention_said_twice_reaches_other_wordings_and_nothing_else()
    {
        var router = new EmbeddedRouteSelector();
        const string integration = "write an integration test that hits the /orders endpoint";
        Assert.Equal("code generation", await Route(router, integration));

        var store = new JsonlFeedbackStore(path: null);
        var learning = new LearningRouteSelector(router, store);
        // Tests are written by the team's debugging model.
        Correct(store, "write unit tests for the date parser", "debugging");
        Assert.Equal("code generation", await Route(learning, integration)); // once may be a one-off: no generalisation
        Correct(store, "add pytest cases for the login handler covering bad passwords", "debugging");

        var moved = await learning.SelectAsync(new RouterInput([new RouterTurn(TurnRole.User, integration)]), Coding, CancellationToken.None);
        output.WriteLine($"{moved.Route} ({moved.Detail})");
        Assert.Equal("debugging", moved.Route);
        Assert.Contains("read alike", moved.Detail);
        // Code that is not a test still goes where the descriptions say.
        Assert.Equal("code generation", await Route(learning, "write a function that merges two sorted lists"));
        Assert.Equal("code generation", await Route(learning, "create a bash script that backs up the database"));
        Assert.Equal("code understanding", await Route(learning, "explain what this decorator does"));
    }

    /// <summary>
    /// team-coding.jsonl: four conventions that differ from the descriptions, eight wordings each, and rows that follow the
    /// descriptions. Corrections from the stream half raise the held-out half (28.6 % → 61.9 % when written); sets without
    /// those kinds of request do not move. Since the router4 round reads "PR description" as documentation, two held-out
    /// rows of that convention route right before any correction (38.1 % → 71.4 %).
    /// </summary>
    [Fact]
    public async Task Corrections_from_one_half_raise_the_held_out_half()
    {
        var rows = RoutingDataLoader.LoadJsonl(RoutingTestPaths.Data("team-coding.jsonl"));
        var others = new[] { "tuning2-coding.jsonl", "topic-change-coding.jsonl" }
            .Select(f => (f, (IReadOnlyList<LabelledConversation>)RoutingDataLoader.LoadJsonl(RoutingTestPaths.Data(f)))).ToList();

        var result = await LearningEvaluator.RunAsync(Coding, new EmbeddedRouteSelector(), rows, others);
        output.WriteLine(LearningEvaluator.RenderReport(result));

        var heldOut = result.Sets[0];
        Assert.True(heldOut.Before <= 0.40, $"held-out before {heldOut.Before:P1}: the set no longer differs from the descriptions");
        Assert.True(heldOut.After >= 0.55, $"held-out after {heldOut.After:P1}");
        foreach (var set in result.Sets.Skip(1)) Assert.True(set.After >= set.Before, $"{set.Name}: {set.Before:P1} → {set.After:P1}");
    }
}
