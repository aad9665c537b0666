using Switchboard.Ledger.Storage;

namespace Switchboard.Ledger.Queries;

/// <summary>
/// Answers usage questions from the store: per-request rows where they are kept and needed (days not rolled up yet,
/// and a partial first or last day), daily rollups for the whole days before, so a year reads a year of rollups and
/// today's rows. A rolled-up day cut by since/until counts whole when its rows are gone (past the retention).
/// </summary>
internal sealed class UsageQuery(ILedgerStore store)
{
    public static readonly string[] Groupings = ["model", "route", "key", "session", "day", "provider", "agent"];

    public const int MaxRequests = 1000;

    public async Task<UsageReport> UsageAsync(UsageWindow window, string by, CancellationToken cancellationToken)
    {
        var total = new UsageAccumulator();
        var groups = new Dictionary<string, UsageAccumulator>(StringComparer.Ordinal);
        UsageAccumulator Group(string? key)
        {
            key ??= "-"; // none: no session, no gateway key, no agent
            if (!groups.TryGetValue(key, out var group)) groups[key] = group = new UsageAccumulator();
            return group;
        }
        await ForEachAsync(window,
            row => { total.Add(row); Group(KeyOf(row, by)).Add(row); },
            rollup => { total.Add(rollup); Group(KeyOf(rollup, by)).Add(rollup); },
            cancellationToken).ConfigureAwait(false);
        var rows = groups
            .OrderBy(g => by == "day" ? g.Key : null, StringComparer.Ordinal)
            .ThenByDescending(g => by == "day" ? 0 : g.Value.CostNanoUsd)
            .ThenByDescending(g => g.Value.Requests)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => UsageFigures.Of(g.Value, g.Key))
            .ToList();
        var totals = UsageFigures.Of(total, null);
        if (by == "model")
        {
            // The team's ratings of each model's answers in the same window: the dashboard's quality view.
            var ratings = await store.ReadRatingsAsync(window.Since.ToUnixTimeMilliseconds(), window.Until.ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < rows.Count; i++)
                if (ratings.TryGetValue(rows[i].Key!, out var rated)) rows[i] = rows[i] with { RatedGood = rated.Good, RatedBad = rated.Bad };
            totals = totals with { RatedGood = rows.Sum(r => r.RatedGood), RatedBad = rows.Sum(r => r.RatedBad) }; // the rows shown add up to it
        }
        return new UsageReport(Iso(window.Since), Iso(window.Until), by, totals, rows);
    }

    public async Task<SessionsReport> SessionsAsync(UsageWindow window, CancellationToken cancellationToken)
    {
        var sessions = new Dictionary<string, UsageAccumulator>(StringComparer.Ordinal);
        UsageAccumulator Session(string id)
        {
            if (!sessions.TryGetValue(id, out var session)) sessions[id] = session = new UsageAccumulator { Models = new(StringComparer.Ordinal) };
            return session;
        }
        await ForEachAsync(window,
            row => { if (row.Session is { } id) Session(id).Add(row); },
            rollup => { if (rollup.Session is { } id) Session(id).Add(rollup); },
            cancellationToken).ConfigureAwait(false);
        var list = sessions
            .OrderByDescending(s => s.Value.LastMs)
            .Select(s => new SessionUsage
            {
                Session = s.Key, Requests = s.Value.Requests, Errors = s.Value.Errors, InputTokens = s.Value.InputTokens, OutputTokens = s.Value.OutputTokens,
                CacheReadTokens = s.Value.CacheReadTokens, CacheWriteTokens = s.Value.CacheWriteTokens, CostUsd = s.Value.CostUsd, UnpricedRequests = s.Value.UnpricedRequests,
                Models = [.. s.Value.Models!], FirstSeen = Iso(DateTimeOffset.FromUnixTimeMilliseconds(s.Value.FirstMs)), LastSeen = Iso(DateTimeOffset.FromUnixTimeMilliseconds(s.Value.LastMs)),
            })
            .ToList();
        return new SessionsReport(Iso(window.Since), Iso(window.Until), list);
    }

    public async Task<RequestsReport> RequestsAsync(int limit, string? session, CancellationToken cancellationToken)
    {
        var rows = new List<RequestUsage>();
        await foreach (var row in store.ReadRowsAsync(long.MinValue, long.MaxValue, session, Math.Clamp(limit, 1, MaxRequests), cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new RequestUsage
            {
                Time = Iso(row.Time), RequestId = row.RequestId, Session = row.Session, Caller = row.Caller, ClientApi = row.ClientApi, Operation = row.Operation,
                Agent = row.Agent, RequestedModel = row.RequestedModel, Route = row.Route, Selection = row.Selection, Model = row.Model, Provider = row.Provider,
                Fallbacks = row.Fallbacks, Status = row.Status, ErrorKind = row.ErrorKind, LatencyMs = Math.Round(row.LatencyMs, 1), TtfbMs = Math.Round(row.TtfbMs, 1),
                Stream = row.Stream, InputTokens = row.InputTokens, OutputTokens = row.OutputTokens, CacheReadTokens = row.CacheReadTokens,
                CacheWriteTokens = row.CacheWriteTokens, ReasoningTokens = row.ReasoningTokens, CostUsd = row.CostNanoUsd is { } nano ? LedgerRow.FromNano(nano) : null,
                Router = row.Router, RoutingReason = row.RoutingReason, RoutingConfidence = row.RoutingConfidence,
            });
        }
        return new RequestsReport(rows);
    }

    /// <summary>
    /// Every row and rollup of the window, once: rollups for whole days before the first day not rolled up, rows for the
    /// rest, and rows for a partial first or last day while they are kept.
    /// </summary>
    private async Task ForEachAsync(UsageWindow window, Action<LedgerRow> onRow, Action<RollupRow> onRollup, CancellationToken cancellationToken)
    {
        long since = window.Since.ToUnixTimeMilliseconds(), until = window.Until.ToUnixTimeMilliseconds();
        var rolledUntil = await store.RolledUpUntilAsync(cancellationToken).ConfigureAwait(false) ?? DateOnly.MinValue;
        var rowsFrom = await store.OldestRowDayAsync(cancellationToken).ConfigureAwait(false) ?? DateOnly.MaxValue;
        var firstDay = LedgerSchema.DayOfMs(since);
        var lastDay = LedgerSchema.DayOfMs(until - 1);
        // Whole days to read from rollups: [rollFrom, rollUntil).
        var rollFrom = LedgerSchema.StartMs(firstDay) == since || firstDay < rowsFrom ? firstDay : firstDay.AddDays(1);
        var lastWhole = LedgerSchema.StartMs(lastDay.AddDays(1)) == until || lastDay < rowsFrom ? lastDay.AddDays(1) : lastDay;
        var rollUntil = Min(lastWhole, rolledUntil);
        if (rollFrom < rollUntil)
        {
            await foreach (var rollup in store.ReadRollupsAsync(rollFrom, rollUntil, cancellationToken).ConfigureAwait(false)) onRollup(rollup);
            // Rows before the rolled-up days (a partial first day) and after them.
            if (since < LedgerSchema.StartMs(rollFrom))
                await foreach (var row in store.ReadRowsAsync(since, LedgerSchema.StartMs(rollFrom), null, null, cancellationToken).ConfigureAwait(false)) onRow(row);
            var after = LedgerSchema.StartMs(rollUntil);
            if (after < until)
                await foreach (var row in store.ReadRowsAsync(after, until, null, null, cancellationToken).ConfigureAwait(false)) onRow(row);
        }
        else
        {
            await foreach (var row in store.ReadRowsAsync(since, until, null, null, cancellationToken).ConfigureAwait(false)) onRow(row);
        }
    }

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    private static string? KeyOf(LedgerRow row, string by) => by switch
    {
        "model" => row.Model,
        "route" => row.Route,
        "key" => row.Caller,
        "session" => row.Session,
        "day" => LedgerSchema.DayOfMs(row.TimeMs).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        "provider" => row.Provider,
        _ => row.Agent,
    };

    private static string? KeyOf(RollupRow rollup, string by) => by switch
    {
        "model" => rollup.Model,
        "route" => rollup.Route,
        "key" => rollup.Caller,
        "session" => rollup.Session,
        "day" => rollup.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        "provider" => rollup.Provider,
        _ => rollup.Agent,
    };

    internal static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
