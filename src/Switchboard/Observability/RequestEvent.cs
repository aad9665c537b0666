namespace Switchboard.Observability;

/// <summary>A finished request, as `switchboard watch` and `status` see it.</summary>
public sealed record RequestEvent(
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
    bool Background = false);
