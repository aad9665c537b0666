using Switchboard.Routing;

namespace Switchboard.Tests.Unit.Routing;

/// <summary>Latest intent wins (issue #17): a turn with its own request decides; earlier turns only help elliptical follow-ups.</summary>
[Trait("Kind", "Unit")]
public sealed class LatestIntentTests
{
    private static readonly RoutePolicy Coding = RoutingDataLoader.LoadPolicyYaml(RoutingTestPaths.CodingPolicy);

    private static string? Route(params string[] turns)
    {
        var list = turns.Select((t, i) => new RouterTurn(i % 2 == 0 ? TurnRole.User : TurnRole.Assistant, t)).ToList();
        return new EmbeddedRouteSelector().Select(RouterInputBuilder.FromTurns(list), Coding).Route;
    }

    [Theory]
    [InlineData("what is the capital of France?")]
    [InlineData("how do I fix a flat bike tyre?")]
    [InlineData("how tall is the Eiffel Tower?")]
    public void An_everyday_question_after_a_coding_turn_is_other_as_it_is_alone(string question)
    {
        Assert.Null(Route(question));
        Assert.Null(Route("Why does this code throw a KeyError on line 3?", "The dict has no 'id' key when the row is empty.", question));
    }

    [Theory]
    [InlineData("and now the tests", "code generation")]
    [InlineData("same for the other file", "debugging")]
    public void An_elliptical_follow_up_stays_with_the_earlier_request(string followUp, string expected)
    {
        var first = expected == "debugging" ? "Fix the off-by-one error in paginate()" : "Write a function that parses ISO dates in Rust";
        Assert.Equal(expected, Route(first, "Here it is.", followUp));
    }

    [Fact]
    public void A_new_coding_request_after_another_is_routed_on_its_own()
    {
        Assert.Equal("documentation", Route("Write a function that parses dates", "Here's one.", "Write a README section that documents the date parser's options"));
    }
}
