namespace Switchboard.Observability;

/// <summary>A finished request, as `switchboard watch` and `status` see it; <see cref="CostUsd"/> is null when its model has no price.</summary>
internal sealed record RequestEvent(
    string RequestId,
    DateTimeOffset Time,
    string ClientApi,
    string RequestedModel,
    string Model,
    string Provider,
    string Route,
    string Selection,
    int Status,
    double LatencyMs,
    double TtfbMs,
    bool Stream,
    long? InputTokens,
    long? OutputTokens,
    string? Error,
    string? SessionId = null,
    decimal? CostUsd = null,
    string? Caller = null,
    bool CacheHit = false,
    bool Background = false)
{
    /// <summary>What the session has spent so far at this gateway (since it started), as /switchboard/last tells `statusline`.</summary>
    public decimal? SessionCostUsd { get; init; }
}
