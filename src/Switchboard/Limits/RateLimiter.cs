using System.Diagnostics;
using Switchboard.Config;

namespace Switchboard.Limits;

/// <summary>
/// One configured limit: requests or tokens per minute of a gateway key or a model entry. Its in-process state
/// (<see cref="Cell"/>) outlives config reloads; its Redis key is shared by every gateway with the same config.
/// </summary>
internal sealed class RateLimiter
{
    public static readonly long Window = Stopwatch.Frequency * 60;

    public RateLimiter(string owner, bool tokens, long perMinute, GcraCell cell)
    {
        Owner = owner;
        CountsTokens = tokens;
        PerMinute = perMinute;
        Cell = cell;
        Cost = Window / perMinute;
        Tolerance = Window - Cost;
        RedisKey = $"sb:rl:{(tokens ? "tpm" : "rpm")}:{owner}";
        Description = $"rate limit of {owner}: {perMinute} {(tokens ? "tokens" : "requests")} per minute";
        CostMicros = 60_000_000 / perMinute;
    }

    /// <summary>Who it limits: "key team-a" or "model openai/gpt-4.1".</summary>
    public string Owner { get; }
    public bool CountsTokens { get; }
    public long PerMinute { get; }
    public GcraCell Cell { get; }
    /// <summary>Stopwatch ticks one unit takes of the minute.</summary>
    public long Cost { get; }
    public long Tolerance { get; }
    public string RedisKey { get; }
    /// <summary>Microseconds one unit takes of the minute (Redis keeps time in microseconds).</summary>
    public long CostMicros { get; }
    /// <summary>For the 429's message.</summary>
    public string Description { get; }
}

/// <summary>The limits that apply to one gateway key or one model entry, built once per config entry.</summary>
internal sealed class LimitSet(RateLimiter? requests, RateLimiter? tokens)
{
    public RateLimiter? Requests { get; } = requests;
    public RateLimiter? Tokens { get; } = tokens;

    public static LimitSet? For(string owner, RateLimitConfig? config, Func<string, GcraCell> cells)
    {
        if (config is null) return null;
        return new LimitSet(
            config.RequestsPerMinute is { } rpm ? new RateLimiter(owner, tokens: false, rpm, cells($"rpm:{owner}:{rpm}")) : null,
            config.TokensPerMinute is { } tpm ? new RateLimiter(owner, tokens: true, tpm, cells($"tpm:{owner}:{tpm}")) : null);
    }
}

/// <summary>A gateway key's limits and budget, built once per config entry.</summary>
internal sealed class KeyPolicy(LimitSet? limits, BudgetAccount? budget)
{
    public LimitSet? Limits { get; } = limits;
    public BudgetAccount? Budget { get; } = budget;
}
