namespace Switchboard.Config;

/// <summary>
/// A rate limit (<c>rate_limit</c> on a gateway key or a model entry): requests and tokens per minute. Tokens count
/// what the provider reported after the response (input + output).
/// </summary>
internal sealed record RateLimitConfig(int? RequestsPerMinute, long? TokensPerMinute, int Line);

internal enum BudgetPeriod { Day, Week, Month, Total }

/// <summary>A gateway key's spend cap (<c>budget</c>) in US dollars per calendar period (UTC).</summary>
internal sealed record BudgetConfig(decimal Usd, BudgetPeriod Period, int Line);

/// <summary>Opt-in response cache (<c>cache</c> on a model entry, alias or route).</summary>
internal sealed record CacheConfig(int TtlSeconds, int Line);

/// <summary>What a request does when the shared state store cannot be reached.</summary>
internal enum StateUnavailable { Closed, Open }

/// <summary>
/// Where limits, budget reservations and the response cache live (<c>state</c>): in process without
/// <see cref="Redis"/>, in Redis with it, so several gateways share them.
/// </summary>
internal sealed record StateConfig
{
    /// <summary>redis://host:port (with an optional password: redis://:PASSWORD@host:port).</summary>
    public Uri? Redis { get; init; }
    public StateUnavailable OnUnavailable { get; init; } = StateUnavailable.Closed;
    /// <summary>How long a request waits for Redis before it counts as unreachable.</summary>
    public int TimeoutMs { get; init; } = 250;
    /// <summary>The in-process response cache's size cap.</summary>
    public long CacheMaxBytes { get; init; } = 64L * 1024 * 1024;
    /// <summary>Largest single response the cache keeps.</summary>
    public int CacheMaxEntryBytes { get; init; } = 1024 * 1024;
    public int Line { get; init; }
}

