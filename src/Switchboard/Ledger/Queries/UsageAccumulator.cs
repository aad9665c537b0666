namespace Switchboard.Ledger.Queries;

/// <summary>
/// Sums one group's requests, from per-request rows and from rollups alike. Percentiles: exact (nearest rank) over the
/// rows; each rollup brings its own day's percentiles, merged in by request-weighted mean (approximate).
/// </summary>
internal sealed class UsageAccumulator
{
    private List<double>? _latencies;
    private List<double>? _ttfbs;
    private double _weightedP50, _weightedP95, _weightedTtfb;
    private long _weightedRequests;

    public long Requests, Errors, InputTokens, CacheReadTokens, CacheWriteTokens, OutputTokens, ReasoningTokens, CostNanoUsd, UnpricedRequests, GenerationTokens;
    public double GenerationMs;
    public long FirstMs = long.MaxValue, LastMs = long.MinValue;
    /// <summary>The models seen, when asked for (the sessions view).</summary>
    public SortedSet<string>? Models;

    public void Add(LedgerRow row)
    {
        Requests++;
        if (row.IsError) Errors++;
        InputTokens += row.InputTokens;
        CacheReadTokens += row.CacheReadTokens;
        CacheWriteTokens += row.CacheWriteTokens;
        OutputTokens += row.OutputTokens;
        ReasoningTokens += row.ReasoningTokens;
        if (row.CostNanoUsd is { } cost) CostNanoUsd += cost;
        else UnpricedRequests++;
        if (row.OutputTokens > 0)
        {
            GenerationTokens += row.OutputTokens;
            GenerationMs += GenerationMsOf(row);
        }
        (_latencies ??= []).Add(row.LatencyMs);
        (_ttfbs ??= []).Add(row.TtfbMs);
        FirstMs = Math.Min(FirstMs, row.TimeMs);
        LastMs = Math.Max(LastMs, row.TimeMs);
        if (Models is not null && row.Model != "-") Models.Add(row.Model);
    }

    public void Add(RollupRow rollup)
    {
        Requests += rollup.Requests;
        Errors += rollup.Errors;
        InputTokens += rollup.InputTokens;
        CacheReadTokens += rollup.CacheReadTokens;
        CacheWriteTokens += rollup.CacheWriteTokens;
        OutputTokens += rollup.OutputTokens;
        ReasoningTokens += rollup.ReasoningTokens;
        CostNanoUsd += rollup.CostNanoUsd;
        UnpricedRequests += rollup.UnpricedRequests;
        GenerationTokens += rollup.GenerationTokens;
        GenerationMs += rollup.GenerationMs;
        _weightedP50 += rollup.LatencyP50Ms * rollup.Requests;
        _weightedP95 += rollup.LatencyP95Ms * rollup.Requests;
        _weightedTtfb += rollup.TtfbP50Ms * rollup.Requests;
        _weightedRequests += rollup.Requests;
        FirstMs = Math.Min(FirstMs, rollup.FirstMs);
        LastMs = Math.Max(LastMs, rollup.LastMs);
        if (Models is not null && rollup.Model != "-") Models.Add(rollup.Model);
    }

    /// <summary>Time spent producing the output: after the response headers for a stream, the whole request otherwise.</summary>
    private static double GenerationMsOf(LedgerRow row) => row.Stream ? Math.Max(0, row.LatencyMs - row.TtfbMs) : row.LatencyMs;

    public double LatencyP50Ms => Merge(_latencies, 0.50, _weightedP50);
    public double LatencyP95Ms => Merge(_latencies, 0.95, _weightedP95);
    public double TtfbP50Ms => Merge(_ttfbs, 0.50, _weightedTtfb);

    public double? OutputTokensPerSecond => GenerationMs > 0 ? GenerationTokens / (GenerationMs / 1000) : null;

    /// <summary>The exact percentile of the rows, and the rollups' weighted mean, weighted by their request counts.</summary>
    private double Merge(List<double>? values, double quantile, double weightedSum)
    {
        var rows = values?.Count ?? 0;
        var total = rows + _weightedRequests;
        if (total == 0) return 0;
        var exact = rows == 0 ? 0 : Percentile(values!, quantile);
        return (exact * rows + weightedSum) / total;
    }

    /// <summary>Nearest rank: the smallest value with at least <paramref name="quantile"/> of the values at or below it.</summary>
    internal static double Percentile(List<double> values, double quantile)
    {
        values.Sort();
        var rank = (int)Math.Ceiling(quantile * values.Count);
        return values[Math.Clamp(rank - 1, 0, values.Count - 1)];
    }

    public decimal? CostUsd => Requests > UnpricedRequests ? LedgerRow.FromNano(CostNanoUsd) : null;

    public RollupRow ToRollup(DateOnly day, string model, string provider, string route, string? caller, string? agent, string? session) => new()
    {
        Day = day, Model = model, Provider = provider, Route = route, Caller = caller, Agent = agent, Session = session,
        Requests = Requests, Errors = Errors, InputTokens = InputTokens, CacheReadTokens = CacheReadTokens, CacheWriteTokens = CacheWriteTokens,
        OutputTokens = OutputTokens, ReasoningTokens = ReasoningTokens, CostNanoUsd = CostNanoUsd, UnpricedRequests = UnpricedRequests,
        LatencyP50Ms = LatencyP50Ms, LatencyP95Ms = LatencyP95Ms, TtfbP50Ms = TtfbP50Ms,
        GenerationTokens = GenerationTokens, GenerationMs = GenerationMs, FirstMs = FirstMs, LastMs = LastMs,
    };
}
