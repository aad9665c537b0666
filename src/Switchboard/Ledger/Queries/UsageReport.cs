using System.Text.Json.Serialization;

namespace Switchboard.Ledger.Queries;

/// <summary>What <c>GET /switchboard/usage</c> answers (and <c>switchboard usage --json</c> prints).</summary>
internal sealed record UsageReport(string Since, string Until, string By, UsageFigures Total, IReadOnlyList<UsageFigures> Rows);

/// <summary>
/// One group's figures (a row has its <see cref="Key"/>; the total has none). cost_usd is the priced requests' cost,
/// null when none was priced; unpriced_requests says how many were not.
/// </summary>
internal sealed record UsageFigures
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string? Key { get; init; }
    public long Requests { get; init; }
    public long Errors { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public long CacheReadTokens { get; init; }
    public long CacheWriteTokens { get; init; }
    public long ReasoningTokens { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public decimal? CostUsd { get; init; }
    public long UnpricedRequests { get; init; }
    public double LatencyP50Ms { get; init; }
    public double LatencyP95Ms { get; init; }
    public double TtfbP50Ms { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public double? OutputTokensPerSecond { get; init; }
    /// <summary>Answers the team rated good / bad (<c>switchboard feedback --good|--bad</c>); only with by=model, omitted when none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long RatedGood { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long RatedBad { get; init; }

    public static UsageFigures Of(UsageAccumulator a, string? key) => new()
    {
        Key = key,
        Requests = a.Requests,
        Errors = a.Errors,
        InputTokens = a.InputTokens,
        OutputTokens = a.OutputTokens,
        CacheReadTokens = a.CacheReadTokens,
        CacheWriteTokens = a.CacheWriteTokens,
        ReasoningTokens = a.ReasoningTokens,
        CostUsd = a.CostUsd,
        UnpricedRequests = a.UnpricedRequests,
        LatencyP50Ms = Math.Round(a.LatencyP50Ms, 1),
        LatencyP95Ms = Math.Round(a.LatencyP95Ms, 1),
        TtfbP50Ms = Math.Round(a.TtfbP50Ms, 1),
        OutputTokensPerSecond = a.OutputTokensPerSecond is { } tps ? Math.Round(tps, 1) : null,
    };
}

/// <summary>What <c>GET /switchboard/usage/sessions</c> answers: each session's spend and models, newest first.</summary>
internal sealed record SessionsReport(string Since, string Until, IReadOnlyList<SessionUsage> Sessions);

internal sealed record SessionUsage
{
    public required string Session { get; init; }
    public long Requests { get; init; }
    public long Errors { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public long CacheReadTokens { get; init; }
    public long CacheWriteTokens { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public decimal? CostUsd { get; init; }
    public long UnpricedRequests { get; init; }
    public required IReadOnlyList<string> Models { get; init; }
    public required string FirstSeen { get; init; }
    public required string LastSeen { get; init; }
}

/// <summary>What <c>GET /switchboard/usage/requests</c> answers: the latest rows, newest first.</summary>
internal sealed record RequestsReport(IReadOnlyList<RequestUsage> Requests);

internal sealed record RequestUsage
{
    public required string Time { get; init; }
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
    public string? Fallbacks { get; init; }
    public int Status { get; init; }
    public string? ErrorKind { get; init; }
    public double LatencyMs { get; init; }
    public double TtfbMs { get; init; }
    public bool Stream { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public long CacheReadTokens { get; init; }
    public long CacheWriteTokens { get; init; }
    public long ReasoningTokens { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public decimal? CostUsd { get; init; }
    public string? Router { get; init; }
    public string? RoutingReason { get; init; }
    public double? RoutingConfidence { get; init; }
}

/// <summary>An error from the usage endpoints: {"error": "..."}.</summary>
internal sealed record UsageError(string Error);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UsageReport))]
[JsonSerializable(typeof(SessionsReport))]
[JsonSerializable(typeof(RequestsReport))]
[JsonSerializable(typeof(UsageError))]
internal sealed partial class UsageJsonContext : JsonSerializerContext;
