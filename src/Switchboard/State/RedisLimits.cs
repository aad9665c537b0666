using System.Globalization;
using StackExchange.Redis;
using Switchboard.Limits;

namespace Switchboard.State;

/// <summary>
/// Limits and budgets in Redis, shared by every gateway on it: one Lua script per request takes the request slots,
/// checks the token limits and reserves the budget atomically (one round trip); one more, after the response and
/// without waiting for it, settles. Time is Redis's own clock (TIME), so gateways need not agree on theirs.
/// </summary>
internal sealed class RedisLimits(SharedState shared) : LimitEngine
{
    // GCRA as in GcraCell, in microseconds. Returns {0, 0} admitted, or {index of the refusing key (1-based), wait µs or committed}.
    private const string AdmitScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local nTake, nCheck, hasBudget = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        local a = 4
        local newTat = {}
        for i = 1, nTake do
          local cost, tol = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
          a = a + 2
          local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
          local start = math.max(tat, now)
          if start - now > tol then return {i, math.floor(start - now - tol)} end
          newTat[i] = start + cost
        end
        for j = 1, nCheck do
          local tol = tonumber(ARGV[a])
          a = a + 1
          local tat = tonumber(redis.call('GET', KEYS[nTake + j]) or '0')
          if tat - now > tol then return {nTake + j, math.floor(tat - now - tol)} end
        end
        if hasBudget == 1 then
          local k = KEYS[nTake + nCheck + 1]
          local cap, reserve, ttl = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
          local committed = tonumber(redis.call('GET', k) or '0')
          if committed + reserve > cap then return {nTake + nCheck + 1, committed} end
          redis.call('INCRBY', k, reserve)
          if ttl > 0 then redis.call('EXPIRE', k, ttl) end
        end
        for i = 1, nTake do
          redis.call('SET', KEYS[i], string.format('%.0f', newTat[i]), 'PX', math.floor((newTat[i] - now) / 1000) + 1000)
        end
        return {0, 0}
        """;

    private const string SettleScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local nTokens, tokens = tonumber(ARGV[1]), tonumber(ARGV[2])
        local a = 3
        for i = 1, nTokens do
          local cost = tonumber(ARGV[a]) * tokens
          a = a + 1
          local tat = math.max(tonumber(redis.call('GET', KEYS[i]) or '0'), now) + cost
          redis.call('SET', KEYS[i], string.format('%.0f', tat), 'PX', math.floor((tat - now) / 1000) + 1000)
        end
        if ARGV[a] == '1' then
          local ttl = tonumber(ARGV[a + 3])
          redis.call('INCRBY', KEYS[nTokens + 1], ARGV[a + 1])
          redis.call('INCRBY', KEYS[nTokens + 2], ARGV[a + 2])
          if ttl > 0 then redis.call('EXPIRE', KEYS[nTokens + 2], ttl) end
        end
        return 0
        """;

    private const double WindowMicros = 60_000_000;

    public override async ValueTask<LimitVerdict> AdmitAsync(Admission admission, CancellationToken cancellationToken)
    {
        var keys = new List<RedisKey>(5);
        var args = new List<RedisValue> { 0, 0, 0 };
        var order = new List<RateLimiter>(4);
        int takes = 0, checks = 0;
        foreach (var limiter in new[] { admission.KeyRequests, admission.ModelRequests })
        {
            if (limiter is null) continue;
            keys.Add(limiter.RedisKey);
            args.Add(Micros(limiter));
            args.Add(WindowMicros - Micros(limiter));
            order.Add(limiter);
            takes++;
        }
        foreach (var limiter in new[] { admission.KeyTokens, admission.ModelTokens })
        {
            if (limiter is null) continue;
            keys.Add(limiter.RedisKey);
            args.Add(WindowMicros - Micros(limiter));
            order.Add(limiter);
            checks++;
        }
        var now = DateTimeOffset.UtcNow;
        if (admission.Budget is { } budget)
        {
            admission.Period = BudgetAccount.PeriodOf(budget.Config.Period, now);
            keys.Add(CommittedKey(budget, admission.Period));
            args.Add(budget.CapMicros);
            args.Add(admission.ReservedMicros);
            args.Add(TtlSeconds(budget, now));
        }
        args[0] = takes;
        args[1] = checks;
        args[2] = admission.Budget is null ? 0 : 1;
        RedisResult result;
        try
        {
            var db = await shared.DatabaseAsync().ConfigureAwait(false);
            result = await db.ScriptEvaluateAsync(AdmitScript, [.. keys], [.. args]).WaitAsync(shared.Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            return new LimitVerdict(LimitOutcome.Unavailable, SharedState.UnavailableMessage);
        }
        var values = (RedisResult[])result!;
        var index = (int)values[0];
        if (index == 0) return LimitVerdict.Admitted;
        if (index <= order.Count) return LimitVerdict.RateLimited(order[index - 1], (long)values[1] / 1e6);
        return LimitVerdict.Budget(admission.Budget!, (long)values[1], now);
    }

    public override void Settle(Admission admission, long tokens, long costMicros)
    {
        var tokenLimiters = new List<RateLimiter>(2);
        if (tokens > 0)
        {
            if (admission.KeyTokens is { } key) tokenLimiters.Add(key);
            if (admission.ModelTokens is { } model) tokenLimiters.Add(model);
        }
        if (tokenLimiters.Count == 0 && admission.Budget is null) return;
        var keys = new List<RedisKey>(4);
        var args = new List<RedisValue> { tokenLimiters.Count, tokens };
        foreach (var limiter in tokenLimiters)
        {
            keys.Add(limiter.RedisKey);
            args.Add(Micros(limiter));
        }
        if (admission.Budget is { } budget)
        {
            keys.Add(CommittedKey(budget, admission.Period));
            keys.Add(SpentKey(budget, admission.Period));
            args.Add("1");
            args.Add(costMicros - admission.ReservedMicros);
            args.Add(costMicros);
            args.Add(TtlSeconds(budget, DateTimeOffset.UtcNow));
        }
        else args.Add("0");
        _ = SettleAsync([.. keys], [.. args]);
    }

    private async Task SettleAsync(RedisKey[] keys, RedisValue[] args)
    {
        try
        {
            var db = await shared.DatabaseAsync().ConfigureAwait(false);
            await db.ScriptEvaluateAsync(SettleScript, keys, args).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Redis went away mid-request: its reservation stays counted until the period ends (never under-counted).
        }
    }

    public override async ValueTask<(long Spent, long Committed)> BudgetAsync(BudgetAccount account, CancellationToken cancellationToken)
    {
        var period = BudgetAccount.PeriodOf(account.Config.Period, DateTimeOffset.UtcNow);
        var db = await shared.DatabaseAsync().ConfigureAwait(false);
        var values = await db.StringGetAsync([SpentKey(account, period), CommittedKey(account, period)]).WaitAsync(shared.Timeout, cancellationToken).ConfigureAwait(false);
        return ((long)(values[0].IsNull ? 0 : (long)values[0]), (long)(values[1].IsNull ? 0 : (long)values[1]));
    }

    private static double Micros(RateLimiter limiter) => WindowMicros / limiter.PerMinute;

    private static string CommittedKey(BudgetAccount budget, long period) => $"sb:budget:{budget.KeyName}:{budget.Config.Period}:{period}:committed";

    private static string SpentKey(BudgetAccount budget, long period) => $"sb:budget:{budget.KeyName}:{budget.Config.Period}:{period}:spent";

    /// <summary>A period's keys outlive it by a day; a total budget's never expire.</summary>
    private static long TtlSeconds(BudgetAccount budget, DateTimeOffset now) =>
        BudgetAccount.PeriodEnd(budget.Config.Period, now) is { } end ? (long)(end - now).TotalSeconds + 86_400 : 0;
}
