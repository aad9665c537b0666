using Switchboard.Config;
using Switchboard.Routing;
using Switchboard.Routing.Semantic;

namespace Switchboard.Tests.Unit.Routing;

/// <summary>
/// Routes read as actions on shared objects (router14 round, issue #17): a route is for an action when an item of its
/// description or its name opens with one of the action's verbs, and a request asks for it by an everyday wording.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class RouteActionsTests
{
    private static readonly RoutePolicy Claims = new(
    [
        new RouteDefinition("making a claim", "filing a claim after an accident, theft or fire, what evidence to send", "m1"),
        new RouteDefinition("claim status", "following up on an existing claim, when a payout arrives and disputing a decision", "m2"),
        new RouteDefinition("policy changes", "renewing, cancelling or changing a policy, adding a driver", "m3"),
        new RouteDefinition("airline complaints", "something went wrong on a past flight - delay or cancellation compensation", "m4"),
    ]);

    [Fact]
    public void A_route_is_for_the_actions_that_open_its_items_not_for_nouns_inside_them()
    {
        var actions = RouteActions.Read(Claims);

        Assert.True(actions.IsFor(0, "file"));
        Assert.True(actions.IsFor(1, "follow up"));
        Assert.True(actions.IsFor(1, "dispute"));
        Assert.True(actions.IsFor(2, "cancel"));
        Assert.True(actions.IsFor(2, "change"));
        // "delay or cancellation compensation": a cancellation that happened, not one asked for.
        Assert.False(actions.IsFor(3, "cancel"));
        Assert.False(actions.IsFor(0, "dispute"));
    }

    [Theory]
    [InlineData("the offer is way below what it's worth, can I challenge it", 1)]
    [InlineData("I sold my car, how do I stop paying for the insurance", 2)]
    [InlineData("what's the latest on the claim I made for the burst pipe", 1)]
    [InlineData("Any update?", 1)]
    public void A_request_s_action_weighs_for_the_routes_that_are_for_it(string request, int expected)
    {
        var actions = RouteActions.Read(Claims);
        Span<float> scores = stackalloc float[Claims.Routes.Count];

        actions.Weigh(request, scores, 0.5f);

        Assert.Equal(0.5f, scores[expected]);
        for (var r = 0; r < scores.Length; r++)
            if (r != expected) Assert.Equal(0f, scores[r]);
    }

    [Theory]
    [InlineData("how do I transfer money between my savings and current account")]
    [InlineData("what does my policy cover for water damage")]
    // Whole words only: "tone" is no part of "stone", "book" no part of "booklet".
    [InlineData("a stone hit my windscreen, is the booklet right")]
    public void A_request_asking_no_listed_action_weighs_nothing(string request)
    {
        var actions = RouteActions.Read(Claims);
        Span<float> scores = stackalloc float[Claims.Routes.Count];

        actions.Weigh(request, scores, 0.5f);

        foreach (var s in scores) Assert.Equal(0f, s);
    }

    [Fact]
    public void An_action_every_route_is_for_says_nothing_about_which()
    {
        var policy = new RoutePolicy(
        [
            new RouteDefinition("flights", "booking flights and seats", "m1"),
            new RouteDefinition("hotels", "booking hotels and rooms", "m2"),
        ]);
        Span<float> scores = stackalloc float[2];

        RouteActions.Read(policy).Weigh("book me a room in Rome", scores, 0.5f);

        Assert.Equal(0f, scores[0]);
        Assert.Equal(0f, scores[1]);
    }
}
