using Switchboard.Pipeline;

namespace Switchboard.Limits;

/// <summary>
/// What the limits let a request take: the request slots it took, the token limits its usage will count toward, and
/// its budget reservation. Settled once, when the request is over (<see cref="LimitEngine.Settle"/>).
/// </summary>
internal sealed class Admission : IRequestFinish
{
    public RateLimiter? KeyRequests;
    public RateLimiter? ModelRequests;
    public RateLimiter? KeyTokens;
    public RateLimiter? ModelTokens;
    public BudgetAccount? Budget;
    /// <summary>In process: the budget period it reserved in.</summary>
    public BudgetWindow? Window;
    /// <summary>Redis: the budget period it reserved in.</summary>
    public long Period;
    public long ReservedMicros;
    public LimitEngine Engine = null!;
    public IPriceLookup Prices = ConfigPriceLookup.Instance;
    private int _settled;

    public bool HasTokenLimits => KeyTokens is not null || ModelTokens is not null;

    /// <summary>The request is over: its tokens count toward tokens per minute, its reservation becomes its real cost.</summary>
    public void Finish(GatewayRequest request)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0) return;
        var usage = request.Usage;
        var tokens = request.CacheHit ? 0 : (usage.InputTokens ?? 0) + (usage.OutputTokens ?? 0);
        Engine.Settle(this, tokens, Budget is null ? 0 : Cost(request));
    }

    /// <summary>
    /// The real cost: the answering model's price for the usage the provider reported. A cache hit and a request no
    /// provider answered cost nothing; an answer without usage (a stream cut short) or from an unpriced model is
    /// charged its reservation, so a budget never counts less than was spent.
    /// </summary>
    private long Cost(GatewayRequest request)
    {
        if (request.CacheHit || request.Upstream is null) return 0;
        var usage = request.Usage;
        if (usage.InputTokens is null && usage.OutputTokens is null) return request.Status is >= 200 and < 300 ? ReservedMicros : 0;
        var candidate = request.Candidate;
        return Prices.TryGet(candidate.Entry, candidate.Model, out var price) ? price.Micros(usage.InputTokens ?? 0, usage.OutputTokens ?? 0) : ReservedMicros;
    }
}

internal enum LimitOutcome { Admitted, RateLimited, BudgetExhausted, Unavailable }

/// <summary>A refusal: what to tell the client, and when to come back.</summary>
internal readonly record struct LimitVerdict(LimitOutcome Outcome, string? Message = null, long RetryAfterSeconds = 0)
{
    public static readonly LimitVerdict Admitted = new(LimitOutcome.Admitted);

    public static LimitVerdict RateLimited(RateLimiter limiter, double waitSeconds) =>
        new(LimitOutcome.RateLimited, $"Switchboard: {limiter.Description} reached; retry in {Math.Max(1, (long)Math.Ceiling(waitSeconds))} s.", Math.Max(1, (long)Math.Ceiling(waitSeconds)));

    public static LimitVerdict Budget(BudgetAccount account, long committedMicros, DateTimeOffset now)
    {
        var end = BudgetAccount.PeriodEnd(account.Config.Period, now);
        return new(LimitOutcome.BudgetExhausted,
            $"Switchboard: budget of {account.KeyName} exhausted: ${committedMicros / 1e6:0.00####} of ${account.Config.Usd:0.00####} {BudgetAccount.PeriodWords(account.Config.Period)} (spent and reserved for requests in flight).",
            end is { } e ? Math.Max(1, (long)Math.Ceiling((e - now).TotalSeconds)) : 0);
    }
}
