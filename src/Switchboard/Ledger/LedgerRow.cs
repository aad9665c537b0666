using System.Globalization;
using Switchboard.Pipeline;

namespace Switchboard.Ledger;

/// <summary>
/// One request as the ledger keeps it: who asked (session, caller, agent), for what, what answered and how (route,
/// selection, routing decision, fallbacks), how it went (status, error kind, latency, time to first byte), its tokens
/// of every kind and its cost. Made on the ledger writer's thread (<see cref="LedgerWriter"/>) from the finished request
/// <see cref="LedgerSink"/> queued, and read back from the store by the queries.
/// </summary>
internal readonly struct LedgerRow
{
    public long TimeMs { get; init; }
    public required string RequestId { get; init; }
    public string? Session { get; init; }
    public string? Caller { get; init; }
    public required string ClientApi { get; init; }
    public required string Operation { get; init; }
    public string? Agent { get; init; }
    public required string RequestedModel { get; init; }
    public required string Route { get; init; }
    public required string Selection { get; init; }
    public required string Model { get; init; }
    public required string Provider { get; init; }
    /// <summary>The models tried before the one that answered, comma-separated; null when the first answered.</summary>
    public string? Fallbacks { get; init; }
    public int Attempts { get; init; }
    public int Status { get; init; }
    /// <summary>snake_case (<see cref="ErrorKinds"/>); null when nothing went wrong.</summary>
    public string? ErrorKind { get; init; }
    public double LatencyMs { get; init; }
    public double TtfbMs { get; init; }
    public bool Stream { get; init; }
    public long InputTokens { get; init; }
    public long CacheReadTokens { get; init; }
    public long CacheWriteTokens { get; init; }
    public long OutputTokens { get; init; }
    public long ReasoningTokens { get; init; }
    /// <summary>Cost in nano-dollars (USD × 10⁹, exact for prices with up to three decimals); null: unpriced.</summary>
    public long? CostNanoUsd { get; init; }
    public string? Router { get; init; }
    public string? RoutingReason { get; init; }
    public double? RoutingConfidence { get; init; }
    public double? RoutingMs { get; init; }

    public bool IsError => Status >= 400 || ErrorKind is not null;

    public DateTimeOffset Time => DateTimeOffset.FromUnixTimeMilliseconds(TimeMs);

    public static long ToNano(decimal usd) => (long)decimal.Round(usd * 1_000_000_000m, 0, MidpointRounding.ToEven);

    public static decimal FromNano(long nano) => nano / 1_000_000_000m;

    public static LedgerRow From(in CompletedRequest request)
    {
        var usage = request.Usage;
        var counts = request.Operation != Pipeline.Operation.CountTokens; // count_tokens' figure is an estimate of a prompt, not usage
        var choice = request.Choice;
        return new LedgerRow
        {
            TimeMs = request.Time.ToUnixTimeMilliseconds(),
            RequestId = request.RequestId,
            Session = request.SessionId,
            Caller = request.Caller,
            ClientApi = ApiNames.Of(request.ClientApi),
            Operation = request.Operation.Name(),
            Agent = AgentNames.Of(request.UserAgent),
            RequestedModel = request.RequestedModel,
            Route = request.Route,
            Selection = request.Selection,
            Model = request.Model,
            Provider = request.Provider,
            Fallbacks = FallbacksOf(request.Attempts),
            Attempts = request.Attempts.Count,
            Status = request.Status,
            ErrorKind = request.ErrorKind == Pipeline.ErrorKind.None ? null : request.ErrorKind.Name(),
            LatencyMs = request.LatencyMs,
            TtfbMs = request.TtfbMs,
            Stream = request.Stream,
            InputTokens = counts ? usage.InputTokens ?? 0 : 0,
            CacheReadTokens = counts ? usage.CachedInputTokens ?? 0 : 0,
            CacheWriteTokens = counts ? usage.CacheWriteTokens ?? 0 : 0,
            OutputTokens = counts ? usage.OutputTokens ?? 0 : 0,
            ReasoningTokens = counts ? usage.ReasoningTokens ?? 0 : 0,
            CostNanoUsd = request.CostUsd is { } cost ? ToNano(cost) : null,
            Router = choice?.Reason is null ? null : choice.Router,
            RoutingReason = choice?.Reason is { } reason ? SelectionNames.Of(reason) : null,
            RoutingConfidence = ConfidenceOf(choice?.ReasonDetail),
            RoutingMs = choice?.Reason is null ? null : choice.RoutingMs,
        };
    }

    private static string? FallbacksOf(UpstreamAttempts attempts)
    {
        if (attempts.Count < 2) return null;
        var tried = new string[attempts.Count - 1];
        for (var i = 0; i < tried.Length; i++) tried[i] = attempts[i].Model;
        return string.Join(',', tried);
    }

    /// <summary>The embedded router says "confidence 0.83, runner-up …" in its detail: the number, when it is there.</summary>
    internal static double? ConfidenceOf(string? detail)
    {
        const string Marker = "confidence ";
        if (detail is null) return null;
        var at = detail.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0) return null;
        var rest = detail.AsSpan(at + Marker.Length);
        var end = rest.IndexOfAnyExcept("0123456789.");
        return double.TryParse(end < 0 ? rest : rest[..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
