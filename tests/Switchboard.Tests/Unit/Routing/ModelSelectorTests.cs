using Switchboard.Config;
using Switchboard.Routing;

namespace Switchboard.Tests.Unit.Routing;

[Trait("Kind", "Unit")]
public sealed class ModelSelectorTests
{
    private static ModelSelector Selector(string yaml, IRouteSelector? router = null)
    {
        var load = ConfigLoader.LoadText(yaml, env: new EnvironmentSource(_ => null));
        Assert.True(load.Succeeded, string.Join("\n", load.Diagnostics));
        return new ModelSelector(load.Config!, router);
    }

    private const string Config = """
        model_providers:
          - model: openai/gpt-4.1
            default: true
          - model: anthropic/claude-sonnet-4-5
          - model: groq/gpt-4.1
          - model: deepseek/deepseek-chat
          - model: openrouter/*
        model_aliases:
          fast-model:
            target: deepseek/deepseek-chat
        """;

    [Theory]
    [InlineData("openai/gpt-4.1", "openai/gpt-4.1", SelectionKind.Literal)]
    [InlineData("ANTHROPIC/claude-sonnet-4-5", "anthropic/claude-sonnet-4-5", SelectionKind.Literal)]
    [InlineData("claude-sonnet-4-5", "anthropic/claude-sonnet-4-5", SelectionKind.BareId)]
    [InlineData("fast-model", "deepseek/deepseek-chat", SelectionKind.Alias)]
    [InlineData("openrouter/meta/llama-4", "openrouter/meta/llama-4", SelectionKind.Literal)]
    [InlineData("gpt-4.1", "openai/gpt-4.1", SelectionKind.Default)] // served by two providers: ambiguous
    [InlineData("claude-opus-4-1", "openai/gpt-4.1", SelectionKind.Default)]
    public async Task Chooses_by_literal_bare_id_alias_then_default(string requested, string expected, SelectionKind kind)
    {
        var selection = await Selector(Config).SelectAsync(requested, null, () => throw new InvalidOperationException("no router"), default);
        Assert.NotNull(selection);
        Assert.Equal(expected, selection.Model);
        Assert.Equal(kind, selection.Kind);
    }

    [Fact]
    public async Task Without_a_default_an_unknown_model_has_no_answer()
    {
        var selector = Selector("model_providers:\n  - model: openai/gpt-4.1\n");
        Assert.Null(await selector.SelectAsync("claude-opus-4-1", null, () => new RouterInput([]), default));
        Assert.Contains("openai/gpt-4.1", selector.AvailableModels);
    }

    private sealed class FixedRouter(string? route, RouteReason reason = RouteReason.Matched) : IRouteSelector
    {
        public int Calls;
        public string? Route = route;
        public RouteReason Reason = reason;
        public string Name => "fixed";
        public ValueTask<RouteSelection> SelectAsync(RouterInput input, RoutePolicy policy, CancellationToken cancellationToken)
        {
            Calls++;
            return ValueTask.FromResult(new RouteSelection(Route, Reason));
        }
    }

    private const string Routed = """
        model_providers:
          - model: openai/gpt-4.1
            default: true
            routing_preferences:
              - name: code generation
                description: writing new code
          - model: anthropic/claude-sonnet-4-5
            routing_preferences:
              - name: code understanding
                description: explaining code
        model_aliases:
          fast-model:
            target: openai/gpt-4.1
        """;

    private static RouterInput Input() => new([new RouterTurn(TurnRole.User, "explain this")]);

    [Fact]
    public async Task Routes_requests_that_name_no_configured_model()
    {
        var router = new FixedRouter("code understanding");
        var selection = await Selector(Routed, router).SelectAsync("claude-opus-4-1", null, Input, default);
        Assert.Equal(("anthropic/claude-sonnet-4-5", "code understanding", RouteReason.Matched), (selection!.Model, selection.Route, selection.Reason));
        Assert.Equal(1, router.Calls);
    }

    [Fact]
    public async Task Literals_and_aliases_bypass_the_router_and_the_header_forces_or_skips()
    {
        var router = new FixedRouter("code understanding");
        var selector = Selector(Routed, router);
        Assert.Equal(SelectionKind.Alias, (await selector.SelectAsync("fast-model", null, Input, default))!.Kind);
        Assert.Equal(SelectionKind.Literal, (await selector.SelectAsync("openai/gpt-4.1", null, Input, default))!.Kind);
        Assert.Equal(0, router.Calls);

        var forced = await selector.SelectAsync("claude-opus-4-1", "code generation", Input, default);
        Assert.Equal(("openai/gpt-4.1", RouteReason.Forced), (forced!.Model, forced.Reason));
        var skipped = await selector.SelectAsync("claude-opus-4-1", "none", Input, default);
        Assert.Equal((SelectionKind.Default, RouteReason.Skipped), (skipped!.Kind, skipped.Reason));
        Assert.Equal(0, router.Calls);
    }

    [Fact]
    public async Task Without_a_default_a_request_no_route_fits_has_no_answer_rather_than_a_crash()
    {
        var noDefault = Routed.Replace("    default: true\n", "");
        Assert.DoesNotContain("default: true", noDefault);
        var selector = Selector(noDefault, new FixedRouter(null, RouteReason.Other));
        Assert.Null(await selector.SelectAsync("claude-opus-4-1", null, Input, default));
        Assert.NotNull(await new ModelSelector(selector.Policy is null ? throw new InvalidOperationException() : ConfigLoader.LoadText(noDefault).Config!, new FixedRouter("code understanding"))
            .SelectAsync("claude-opus-4-1", null, Input, default));
    }

    [Fact]
    public async Task Other_and_router_failures_fall_back_to_the_default()
    {
        foreach (var reason in new[] { RouteReason.Other, RouteReason.Timeout, RouteReason.Error })
        {
            var selection = await Selector(Routed, new FixedRouter(null, reason)).SelectAsync("claude-opus-4-1", null, Input, default);
            Assert.Equal(("openai/gpt-4.1", SelectionKind.Default, reason, (string?)null), (selection!.Model, selection.Kind, selection.Reason, selection.Route));
        }
    }

    [Fact]
    public async Task Route_on_user_only_holds_even_a_timed_out_decision_through_the_turns_tool_round_trips()
    {
        var router = new FixedRouter(null, RouteReason.Timeout);
        var load = ConfigLoader.LoadText(Routed + "\nrouting:\n  route_on_user_only: true\n");
        Assert.True(load.Succeeded, string.Join("\n", load.Diagnostics));
        var selector = new ModelSelector(load.Config!, router, new RouteDecisionCache());
        var userTurn = new RouterInput([new RouterTurn(TurnRole.User, "explain this " + Guid.NewGuid())]);
        var toolTurn = userTurn with { EndsWithUserTurn = false };

        var first = await selector.SelectAsync("claude-opus-4-1", null, () => userTurn, default);
        Assert.Equal((SelectionKind.Default, RouteReason.Timeout), (first!.Kind, first.Reason));

        // The router would now answer, but the turn's decision (the default, after a timeout) holds.
        (router.Route, router.Reason) = ("code understanding", RouteReason.Matched);
        var held = await selector.SelectAsync("claude-opus-4-1", null, () => toolTurn, default);
        Assert.Equal(("openai/gpt-4.1", RouteReason.Timeout, 1), (held!.Model, held.Reason, router.Calls));
        Assert.StartsWith("held from the latest user turn", held.ReasonDetail);

        // A new user turn (the same text sent again counts) routes again: timeouts are never cached for it.
        var again = await selector.SelectAsync("claude-opus-4-1", null, () => userTurn, default);
        Assert.Equal(("anthropic/claude-sonnet-4-5", 2), (again!.Model, router.Calls));
    }

    [Fact]
    public async Task Alias_targets_and_top_level_routes_resolve_bare_ids()
    {
        var selector = Selector("""
            model_providers:
              - model: openai/gpt-4o-mini
                default: true
              - model: anthropic/claude-haiku-4-5
            model_aliases:
              arch.claude.code.small.fast:
                target: claude-haiku-4-5
            routing_preferences:
              - name: quick
                description: quick questions
                models: [claude-haiku-4-5, gpt-4o-mini]
            """, new FixedRouter("quick"));
        var alias = await selector.SelectAsync("arch.claude.code.small.fast", null, Input, default);
        Assert.Equal(("anthropic/claude-haiku-4-5", SelectionKind.Alias), (alias!.Model, alias.Kind));
        var routed = await selector.SelectAsync("gpt-9", null, Input, default);
        Assert.Equal(("anthropic/claude-haiku-4-5", "quick"), (routed!.Model, routed.Route));
        Assert.Equal(["openai/gpt-4o-mini"], selector.FallbacksFor(routed).Select(f => f.Model));
    }
}
