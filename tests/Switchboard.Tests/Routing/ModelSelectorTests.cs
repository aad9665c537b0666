using Switchboard.Config;
using Switchboard.Routing;

namespace Switchboard.Tests.Routing;

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
        public string Name => "fixed";
        public ValueTask<RouteSelection> SelectAsync(RouterInput input, RoutePolicy policy, CancellationToken cancellationToken)
        {
            Calls++;
            return ValueTask.FromResult(new RouteSelection(route, reason));
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
}
