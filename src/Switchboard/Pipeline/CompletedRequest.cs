using Switchboard.Protocols;
using Switchboard.Routing;

namespace Switchboard.Pipeline;

/// <summary>
/// A finished request as the completion sinks get it: who asked, for what, what answered and how it went. A value,
/// built once per request after the response is done: a sink may keep it (a ledger batches them).
/// </summary>
internal readonly struct CompletedRequest
{
    /// <summary>When the response finished.</summary>
    public required DateTimeOffset Time { get; init; }
    public required string RequestId { get; init; }
    /// <summary>The client's session (Claude Code's session id), when it says.</summary>
    public string? SessionId { get; init; }
    /// <summary>The gateway key's name (never the key); null on a gateway without keys, or when the key was refused.</summary>
    public string? Caller { get; init; }
    public required ApiFormat ClientApi { get; init; }
    public required Operation Operation { get; init; }
    /// <summary>The client's User-Agent (which agent and version asked).</summary>
    public string? UserAgent { get; init; }
    /// <summary>The model the request named ("" when it named none).</summary>
    public required string RequestedModel { get; init; }
    /// <summary>The model chosen for it before any fallback, and how: kind, route, router, reason, decision time. Null when none was.</summary>
    public ModelSelection? Choice { get; init; }
    /// <summary>The route that answered, or "none".</summary>
    public required string Route { get; init; }
    /// <summary>How the answering model was selected, as the log says it: literal, bareid, alias, routed, default; "+fallback" when a fallback answered.</summary>
    public required string Selection { get; init; }
    /// <summary>The answering model's literal ("openai/gpt-4.1"), or "-" when none was chosen.</summary>
    public required string Model { get; init; }
    /// <summary>The answering model's provider, or "-".</summary>
    public required string Provider { get; init; }
    /// <summary>Each candidate tried, in order (the last one answered, when one did).</summary>
    public UpstreamAttempts Attempts { get; init; }
    public required int Status { get; init; }
    public ErrorKind ErrorKind { get; init; }
    /// <summary>What went wrong, in words (never a key); null when nothing did.</summary>
    public string? Error { get; init; }
    public required double LatencyMs { get; init; }
    /// <summary>Time to the provider's response headers; the latency when none came.</summary>
    public required double TtfbMs { get; init; }
    public TokenUsage Usage { get; init; }
    /// <summary>What it cost in USD (to the nano-dollar), from the answering model's price; null when that model has no price.</summary>
    public decimal? CostUsd { get; init; }
    public bool Stream { get; init; }
    /// <summary>Answered from the response cache: no upstream call, no upstream cost (the usage is the cached answer's).</summary>
    public bool CacheHit { get; init; }
    /// <summary>The answering entry is a <c>provider/*</c> wildcard: <see cref="Model"/> is an id the client chose.</summary>
    public bool Wildcard { get; init; }
    /// <summary>A background call of its session (auxiliary, compaction): not the session's turn model.</summary>
    public bool Background { get; init; }
    /// <summary>What the router read, when it ran (a correction's example).</summary>
    public RouterInput? RouterInput { get; init; }
    /// <summary>The routing policy the decision was made under, when there is one.</summary>
    public RoutePolicy? RoutePolicy { get; init; }
}
