using Switchboard.Config;

namespace Switchboard.Limits;

/// <summary>
/// A gateway key's budget in process: per period (UTC day, ISO week from Monday, calendar month, or all time) what is
/// committed (spent plus reserved for requests in flight) and what is spent, in micro-dollars, moved with
/// compare-and-swap. A reservation that does not fit under the cap is refused, so concurrent requests cannot overrun it.
/// </summary>
internal sealed class BudgetAccount
{
    private BudgetWindow _window = new(long.MinValue);

    public BudgetAccount(string keyName, BudgetConfig config)
    {
        KeyName = keyName;
        Config = config;
        CapMicros = (long)(config.Usd * 1_000_000m);
    }

    public string KeyName { get; }
    public BudgetConfig Config { get; }
    public long CapMicros { get; }

    /// <summary>The current period's window (a new one when the period turned).</summary>
    public BudgetWindow Current(DateTimeOffset now)
    {
        var period = PeriodOf(Config.Period, now);
        var window = Volatile.Read(ref _window);
        if (window.Period == period) return window;
        var fresh = new BudgetWindow(period);
        var seen = Interlocked.CompareExchange(ref _window, fresh, window);
        return seen == window ? fresh : seen;
    }

    /// <summary>Reserves <paramref name="micros"/> when it fits under the cap; else what is committed already.</summary>
    public bool TryReserve(BudgetWindow window, long micros, out long committed)
    {
        while (true)
        {
            committed = Volatile.Read(ref window.Committed);
            if (committed + micros > CapMicros) return false;
            if (Interlocked.CompareExchange(ref window.Committed, committed + micros, committed) == committed) return true;
        }
    }

    /// <summary>The request is over: the reservation becomes what it really cost.</summary>
    public static void Settle(BudgetWindow window, long reservedMicros, long costMicros)
    {
        Interlocked.Add(ref window.Committed, costMicros - reservedMicros);
        Interlocked.Add(ref window.Spent, costMicros);
    }

    /// <summary>A number per period: requests in the same one share a window (and a Redis key).</summary>
    public static long PeriodOf(BudgetPeriod period, DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        var days = (long)(utc - DateTime.UnixEpoch).TotalDays;
        return period switch
        {
            BudgetPeriod.Day => days,
            BudgetPeriod.Week => (days + 3) / 7, // 1970-01-01 was a Thursday: weeks start on Monday
            BudgetPeriod.Month => utc.Year * 12L + utc.Month - 1,
            _ => 0,
        };
    }

    /// <summary>"this day", as the refusal says it.</summary>
    public static string PeriodWords(BudgetPeriod period) => period switch
    {
        BudgetPeriod.Day => "this day",
        BudgetPeriod.Week => "this week",
        BudgetPeriod.Month => "this month",
        _ => "in total",
    };

    /// <summary>When the period ends (null for total): how long a refused client should wait at most.</summary>
    public static DateTimeOffset? PeriodEnd(BudgetPeriod period, DateTimeOffset now)
    {
        var day = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        return period switch
        {
            BudgetPeriod.Day => day.AddDays(1),
            BudgetPeriod.Week => day.AddDays(7 - ((int)day.DayOfWeek + 6) % 7),
            BudgetPeriod.Month => new DateTimeOffset(day.Year, day.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1),
            _ => null,
        };
    }
}

/// <summary>One period of a budget: fields, so they can be moved with Interlocked.</summary>
internal sealed class BudgetWindow(long period)
{
    public readonly long Period = period;
    public long Committed;
    public long Spent;
}
