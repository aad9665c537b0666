using System.Diagnostics;

namespace Switchboard.Limits;

/// <summary>The limits of each config entry, and where they are kept for a config (State/TeamState).</summary>
internal interface ILimitState
{
    KeyPolicy PolicyOf(Config.GatewayKey key);
    LimitSet LimitsOf(Config.ModelEntry entry);
    LimitEngine EngineFor(Runtime.GatewaySnapshot snapshot);
    IPriceLookup Prices { get; }
}

/// <summary>Where limits and budgets are kept: in this process (<see cref="InProcessLimits"/>) or in Redis, shared (State/RedisLimits).</summary>
internal abstract class LimitEngine
{
    /// <summary>Takes the request slots, checks the token limits, reserves the budget: all, or none.</summary>
    public abstract ValueTask<LimitVerdict> AdmitAsync(Admission admission, CancellationToken cancellationToken);

    /// <summary>The request is over: its tokens count toward tokens per minute, its reservation becomes its cost. Never throws, never waits.</summary>
    public abstract void Settle(Admission admission, long tokens, long costMicros);

    /// <summary>A key's spend this period, in micro-dollars (committed includes reservations in flight).</summary>
    public abstract ValueTask<(long Spent, long Committed)> BudgetAsync(BudgetAccount account, CancellationToken cancellationToken);
}

/// <summary>Limits in this process: compare-and-swap on a few longs per request, no lock, no allocation.</summary>
internal sealed class InProcessLimits : LimitEngine
{
    public static readonly InProcessLimits Instance = new();

    public override ValueTask<LimitVerdict> AdmitAsync(Admission admission, CancellationToken cancellationToken) => new(Admit(admission));

    private static LimitVerdict Admit(Admission admission)
    {
        var now = Stopwatch.GetTimestamp();
        var keyRequests = admission.KeyRequests;
        var modelRequests = admission.ModelRequests;
        if (keyRequests is not null && !keyRequests.Cell.TryTake(now, keyRequests.Cost, keyRequests.Tolerance, out var wait))
            return LimitVerdict.RateLimited(keyRequests, Seconds(wait));
        if (modelRequests is not null && !modelRequests.Cell.TryTake(now, modelRequests.Cost, modelRequests.Tolerance, out wait))
        {
            keyRequests?.Cell.Refund(keyRequests.Cost);
            return LimitVerdict.RateLimited(modelRequests, Seconds(wait));
        }
        var verdict = CheckTokens(admission.KeyTokens, now);
        if (verdict.Outcome == LimitOutcome.Admitted) verdict = CheckTokens(admission.ModelTokens, now);
        if (verdict.Outcome == LimitOutcome.Admitted && admission.Budget is { } budget)
        {
            var utc = DateTimeOffset.UtcNow;
            var window = budget.Current(utc);
            if (budget.TryReserve(window, admission.ReservedMicros, out var committed)) admission.Window = window;
            else verdict = LimitVerdict.Budget(budget, committed, utc);
        }
        if (verdict.Outcome != LimitOutcome.Admitted)
        {
            keyRequests?.Cell.Refund(keyRequests.Cost);
            modelRequests?.Cell.Refund(modelRequests.Cost);
        }
        return verdict;
    }

    private static LimitVerdict CheckTokens(RateLimiter? limiter, long now) =>
        limiter is null || limiter.Cell.HasRoom(now, limiter.Tolerance, out var wait) ? LimitVerdict.Admitted : LimitVerdict.RateLimited(limiter, Seconds(wait));

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    public override void Settle(Admission admission, long tokens, long costMicros)
    {
        if (tokens > 0 && admission.HasTokenLimits)
        {
            var now = Stopwatch.GetTimestamp();
            if (admission.KeyTokens is { } key) key.Cell.Add(now, tokens * key.Cost);
            if (admission.ModelTokens is { } model) model.Cell.Add(now, tokens * model.Cost);
        }
        if (admission.Window is { } window) BudgetAccount.Settle(window, admission.ReservedMicros, costMicros);
    }

    public override ValueTask<(long Spent, long Committed)> BudgetAsync(BudgetAccount account, CancellationToken cancellationToken)
    {
        var window = account.Current(DateTimeOffset.UtcNow);
        return new((Volatile.Read(ref window.Spent), Volatile.Read(ref window.Committed)));
    }
}
