using System.Globalization;

namespace Switchboard.Ledger.Queries;

/// <summary>The time range a usage query covers: <c>since</c> and <c>until</c> as a span back from now ("7d", "24h", "30m", "2w") or an ISO date or time (UTC unless it says).</summary>
internal readonly record struct UsageWindow(DateTimeOffset Since, DateTimeOffset Until)
{
    public static readonly TimeSpan DefaultSpan = TimeSpan.FromDays(7);

    /// <summary>Null and an error sentence when <paramref name="since"/> or <paramref name="until"/> is not a time.</summary>
    public static UsageWindow? Parse(string? since, string? until, DateTimeOffset now, out string? error)
    {
        error = null;
        var end = now;
        if (!string.IsNullOrWhiteSpace(until) && !TryParseTime(until, now, out end))
        {
            error = $"until '{until}' is not a time: use a span back from now (30m, 24h, 7d, 2w) or an ISO date or time (2026-11-01, 2026-11-01T09:00:00Z).";
            return null;
        }
        var start = end - DefaultSpan;
        if (!string.IsNullOrWhiteSpace(since) && !TryParseTime(since, now, out start))
        {
            error = $"since '{since}' is not a time: use a span back from now (30m, 24h, 7d, 2w) or an ISO date or time (2026-11-01, 2026-11-01T09:00:00Z).";
            return null;
        }
        if (start >= end)
        {
            error = $"since ({start:O}) must be before until ({end:O}).";
            return null;
        }
        return new UsageWindow(start, end);
    }

    public static bool TryParseTime(string text, DateTimeOffset now, out DateTimeOffset time)
    {
        text = text.Trim();
        if (text.Length >= 2 && long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) && amount <= 36_500 * 24)
        {
            TimeSpan? span = char.ToLowerInvariant(text[^1]) switch
            {
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                'w' => TimeSpan.FromDays(7 * amount),
                _ => null,
            };
            if (span is { } back)
            {
                time = now - back;
                return true;
            }
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }
}
