namespace Switchboard.Limits;

/// <summary>
/// What the limits let a request take: the request slots it took, the token limits its usage will count toward, and
/// its budget reservation. Settled once, when the request is over (<see cref="LimitEngine.Settle"/>).
/// </summary>
internal sealed class Admission
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

    /// <summary>True once: the first caller settles.</summary>
    public bool BeginSettle() => Interlocked.Exchange(ref _settled, 1) == 0;
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
