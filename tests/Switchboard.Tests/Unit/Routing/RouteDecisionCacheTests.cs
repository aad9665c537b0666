using Switchboard.Routing;

namespace Switchboard.Tests.Unit.Routing;

[Trait("Kind", "Unit")]
public sealed class RouteDecisionCacheTests
{
    private static readonly RoutePolicy Policy = new([new RouteDefinition("debugging", "fixing bugs", "m")]);

    private static RouterInput Input(string text) => new([new RouterTurn(TurnRole.User, text)]);

    [Fact]
    public void Caches_matched_and_other_but_never_timeout_or_error()
    {
        var cache = new RouteDecisionCache();

        Assert.True(cache.Set(Policy, "llm", Input("a"), new RouteSelection("debugging", RouteReason.Matched)));
        Assert.True(cache.Set(Policy, "llm", Input("b"), new RouteSelection(null, RouteReason.Other)));
        Assert.False(cache.Set(Policy, "llm", Input("c"), new RouteSelection(null, RouteReason.Timeout, "slow")));
        Assert.False(cache.Set(Policy, "llm", Input("d"), new RouteSelection(null, RouteReason.Error, "500")));

        Assert.True(cache.TryGet(Policy, "llm", Input("a"), out var a));
        Assert.Equal("debugging", a.Route);
        Assert.True(cache.TryGet(Policy, "llm", Input("b"), out _));
        Assert.False(cache.TryGet(Policy, "llm", Input("c"), out _));
        Assert.False(cache.TryGet(Policy, "llm", Input("d"), out _));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Key_includes_policy_router_and_conversation()
    {
        var cache = new RouteDecisionCache();
        cache.Set(Policy, "llm", Input("a"), new RouteSelection("debugging", RouteReason.Matched));
        var otherPolicy = new RoutePolicy([new RouteDefinition("debugging", "fixing bugs and crashes", "m")]);

        Assert.False(cache.TryGet(otherPolicy, "llm", Input("a"), out _));
        Assert.False(cache.TryGet(Policy, "embedded", Input("a"), out _));
        Assert.False(cache.TryGet(Policy, "llm", Input("a "), out _));
        Assert.True(cache.TryGet(Policy, "llm", Input("a"), out _));
    }

    [Fact]
    public void Evicts_the_least_recently_used_entry_when_full()
    {
        var cache = new RouteDecisionCache(capacity: 2);
        cache.Set(Policy, "e", Input("1"), new RouteSelection(null, RouteReason.Other));
        cache.Set(Policy, "e", Input("2"), new RouteSelection(null, RouteReason.Other));
        Assert.True(cache.TryGet(Policy, "e", Input("1"), out _)); // 1 is now the most recent

        cache.Set(Policy, "e", Input("3"), new RouteSelection(null, RouteReason.Other));

        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryGet(Policy, "e", Input("1"), out _));
        Assert.False(cache.TryGet(Policy, "e", Input("2"), out _));
        Assert.True(cache.TryGet(Policy, "e", Input("3"), out _));
    }

    [Fact]
    public async Task GetOrSelect_calls_the_selector_once_per_conversation_state()
    {
        var cache = new RouteDecisionCache();
        var selector = new CountingSelector(new RouteSelection("debugging", RouteReason.Matched));

        var first = await cache.GetOrSelectAsync(selector, Input("x"), Policy, default);
        var second = await cache.GetOrSelectAsync(selector, Input("x"), Policy, default);

        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Equal(1, selector.Calls);
        Assert.Equal(1, cache.Hits);
    }

    [Fact]
    public async Task GetOrSelect_retries_after_a_failure()
    {
        var cache = new RouteDecisionCache();
        var selector = new CountingSelector(new RouteSelection(null, RouteReason.Timeout));

        await cache.GetOrSelectAsync(selector, Input("x"), Policy, default);
        await cache.GetOrSelectAsync(selector, Input("x"), Policy, default);

        Assert.Equal(2, selector.Calls);
    }

    [Fact]
    public void Is_safe_under_concurrent_use()
    {
        var cache = new RouteDecisionCache(capacity: 100);

        Parallel.For(0, 10_000, i =>
        {
            var input = Input((i % 300).ToString());
            if (!cache.TryGet(Policy, "e", input, out _)) cache.Set(Policy, "e", input, new RouteSelection(null, RouteReason.Other));
        });

        Assert.Equal(100, cache.Count);
    }

    private sealed class CountingSelector(RouteSelection answer) : IRouteSelector
    {
        public int Calls;
        public string Name => "counting";

        public ValueTask<RouteSelection> SelectAsync(RouterInput input, RoutePolicy policy, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return ValueTask.FromResult(answer);
        }
    }
}
