
namespace Switchboard.Config;

/// <summary>The whole, validated gateway configuration. Immutable: a reload builds a new one.</summary>
internal sealed record GatewayConfig
{
    public required IReadOnlyList<ListenerConfig> Listeners { get; init; }
    public required IReadOnlyList<ModelEntry> Providers { get; init; }
    public required IReadOnlyDictionary<string, AliasConfig> Aliases { get; init; }
    /// <summary>plano's top-level routes: each names its models in order (the first answers, the rest are fallbacks).</summary>
    public IReadOnlyList<RouteConfig> RoutingPreferences { get; init; } = [];
    public required RoutingConfig Routing { get; init; }
    public required LimitsConfig Limits { get; init; }
    public ResilienceConfig Resilience { get; init; } = new();
    public TelemetryConfig Telemetry { get; init; } = new();
    /// <summary>Who may call the API endpoints; none: anyone who can reach the listener.</summary>
    public IReadOnlyList<GatewayKey> GatewayKeys { get; init; } = [];
    /// <summary>The usage ledger: where each request's row is kept, and for how long.</summary>
    public LedgerConfig Ledger { get; init; } = new();
    /// <summary>Claude Code's model classes and the session pins (<c>claude_code</c>).</summary>
    public ClaudeCodeConfig ClaudeCode { get; init; } = new();
    /// <summary>Path of the file it came from, or null for a built-in config.</summary>
    public string? SourcePath { get; init; }
    /// <summary>Where limits, budgets and the response cache live (<c>state</c>): in process, or Redis.</summary>
    public StateConfig State { get; init; } = new();

    public ModelEntry? DefaultProvider => Providers.FirstOrDefault(p => p.IsDefault);
}

internal sealed record ListenerConfig(string Name, string Address, int Port);

/// <summary>
/// One entry of <c>model_providers</c> (archgw: <c>llm_providers</c>): one model served by one provider. Its
/// <see cref="Provider"/> is the provider's name.
/// </summary>
internal sealed record ModelEntry
{
    /// <summary>The literal clients use: "openai/gpt-4.1".</summary>
    public required string Model { get; init; }
    /// <summary>The provider part of the literal: "openai".</summary>
    public required string Provider { get; init; }
    /// <summary>The id the provider expects: "gpt-4.1".</summary>
    public required string ModelId { get; init; }
    /// <summary>Which wire protocol the upstream speaks.</summary>
    public required ApiFormat Interface { get; init; }
    public SecretValue? AccessKey { get; init; }
    /// <summary>Base URL as written, or null for the provider's default.</summary>
    public Uri? BaseUrl { get; init; }
    public bool IsDefault { get; init; }
    /// <summary>Cap applied to max_tokens toward this model, when known or configured.</summary>
    public int? MaxOutputTokens { get; init; }
    /// <summary>Models to try, in order, when this one still fails after retries.</summary>
    public IReadOnlyList<string> Fallbacks { get; init; } = [];
    public IReadOnlyList<RoutePreference> RoutingPreferences { get; init; } = [];
    /// <summary>Azure OpenAI: api-version query parameter.</summary>
    public string? ApiVersion { get; init; }
    /// <summary>archgw's label for the entry (routing.llm_provider names a router entry by it).</summary>
    public string? Name { get; init; }
    /// <summary>Extra headers sent upstream after the credential (archgw's <c>headers</c>), so they may replace User-Agent.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    /// <summary>Forward the client's own Authorization instead of <see cref="AccessKey"/> (archgw's <c>passthrough_auth</c>).</summary>
    public bool PassthroughAuth { get; init; }
    /// <summary>
    /// An OpenAI-compatible server that also serves OpenAI's Responses API (<c>responses_api</c>): Responses clients'
    /// requests pass through to its <c>/responses</c>. Null: only OpenAI's own host is assumed to.
    /// </summary>
    public bool? ResponsesApi { get; init; }
    /// <summary>Host header sent upstream instead of the base URL's host (archgw's <c>http_host</c>).</summary>
    public string? HttpHost { get; init; }
    /// <summary>What the model costs (<c>pricing:</c>), overriding the built-in price table; null: the table's price, if any.</summary>
    public Models.ModelPrice? Pricing { get; init; }
    /// <summary>Line in the config file, for messages.</summary>
    public int Line { get; init; }
    /// <summary>Requests and tokens per minute this model takes from all callers together.</summary>
    public RateLimitConfig? RateLimit { get; init; }
    /// <summary>Answers to repeated identical requests are served from the response cache.</summary>
    public CacheConfig? Cache { get; init; }
}

/// <summary>A route described in plain words, assigned to the model it sits under.</summary>
internal sealed record RoutePreference(string Name, string Description)
{
    /// <summary>Models or aliases to try, in order, when the route's model still fails after retries.</summary>
    public IReadOnlyList<string> Fallbacks { get; init; } = [];
}

/// <summary>
/// A route of plano's top-level <c>routing_preferences</c>: described in plain words, answered by the first of
/// <paramref name="Models"/>, the rest its fallbacks in order. Each model is a literal or a bare id.
/// </summary>
internal sealed record RouteConfig(string Name, string Description, IReadOnlyList<string> Models, int Line)
{
    public CacheConfig? Cache { get; init; }
}

internal sealed record AliasConfig(string Alias, string Target, IReadOnlyList<string> Fallbacks, int Line)
{
    public CacheConfig? Cache { get; init; }
}

internal enum RouterKind { Embedded, Llm }

/// <summary>
/// The embedded router's semantic second stage (a sentence encoder, used when the lexical stage is unsure): auto uses it
/// for policies with routes outside software and never loads it otherwise; off never; on for every policy.
/// </summary>
internal enum SemanticMode { Auto, Off, On }

internal sealed record RoutingConfig
{
    public RouterKind Router { get; init; } = RouterKind.Embedded;
    /// <summary>OpenAI-compatible endpoint serving the router model (router: llm).</summary>
    public Uri? BaseUrl { get; init; }
    public string Model { get; init; } = "hf.co/katanemo/Arch-Router-1.5B.gguf:latest";
    public SecretValue? AccessKey { get; init; }
    public int TimeoutMs { get; init; } = 1500;
    /// <summary>Estimated-token budget for the conversation given to the router.</summary>
    public int TokenBudget { get; init; } = 2048;
    /// <summary>Embedded router: minimum confidence to pick a route rather than "other".</summary>
    public double? Threshold { get; init; }
    /// <summary>Embedded router: when to use the semantic second stage (<c>routing.semantic</c>).</summary>
    public SemanticMode Semantic { get; init; } = SemanticMode.Auto;
    /// <summary>
    /// Route only when the conversation ends with a user turn that carries text; tool results and assistant steps
    /// keep the decision made at that user turn (plano's <c>routing.route_on_user_only</c>).
    /// </summary>
    public bool RouteOnUserOnly { get; init; }
    /// <summary>Where the llm router's endpoint came from, for messages ("model_providers entry 'arch-router' (line 14)").</summary>
    public string? RouterSource { get; init; }
}

internal sealed record LimitsConfig
{
    public long MaxRequestBodyBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Completion requests in flight past which a new one is refused at once (overloaded, retry-after); 0: no cap.</summary>
    public int MaxConcurrentRequests { get; init; } = DefaultMaxConcurrentRequests;

    /// <summary>Body bytes (Content-Length) of the completion requests in flight past which a new one is refused at once; 0: no cap.</summary>
    public long MaxRequestBytesInFlight { get; init; } = DefaultMaxRequestBytesInFlight;

    /// <summary>Above the default request cap's worth of Claude Code-size bodies (2,000 × 214 KB ≈ 410 MiB): it binds for larger bodies (images, documents).</summary>
    public const long DefaultMaxRequestBytesInFlight = 512L * 1024 * 1024;

    /// <summary>Connections per provider endpoint (provider + base URL); a request past it waits for one, within its first-byte timeout. 0: no bound.</summary>
    public int MaxUpstreamConnections { get; init; } = DefaultMaxUpstreamConnections;

    /// <summary>~0.35 MB each at Claude Code's 214 KB bodies (1.1 GB at ~3,000 in flight, measured): ~0.7 GB at the cap.</summary>
    public const int DefaultMaxConcurrentRequests = 2000;

    /// <summary>Below a few thousand sockets per upstream; one endpoint rarely carries more than this many answers at once.</summary>
    public const int DefaultMaxUpstreamConnections = 1024;
}

/// <summary>Retries, circuit breakers and timeouts toward providers.</summary>
internal sealed record ResilienceConfig
{
    /// <summary>Retries after the first attempt, on connect failures and 408/409/429/5xx, before any byte reached the client.</summary>
    public int MaxRetries { get; init; } = 2;
    public int InitialBackoffMs { get; init; } = 500;
    public int MaxBackoffMs { get; init; } = 8_000;
    /// <summary>No retry starts after this much time has passed since the first attempt (retry-after included).</summary>
    public int MaxRetryTimeMs { get; init; } = 30_000;
    public int ConnectTimeoutMs { get; init; } = 10_000;
    /// <summary>Time to the upstream's response headers.</summary>
    public int FirstByteTimeoutMs { get; init; } = 300_000;
    /// <summary>Longest silence between stream chunks; a stream that keeps producing is never cut.</summary>
    public int StreamIdleTimeoutMs { get; init; } = 300_000;
    public const int DefaultStreamKeepAliveMs = 15_000;
    /// <summary>While a streaming upstream is silent, the client gets a keep-alive at least this often.</summary>
    public int StreamKeepAliveMs { get; init; } = DefaultStreamKeepAliveMs;
    /// <summary>Circuit breaker: share of failed calls in the sampling window that opens it.</summary>
    public double BreakerFailureRatio { get; init; } = 0.5;
    public int BreakerMinimumThroughput { get; init; } = 5;
    public int BreakerSamplingSeconds { get; init; } = 30;
    public int BreakerBreakSeconds { get; init; } = 30;
}

/// <summary>Export of the gateway's metrics and traces over OTLP; off unless an endpoint is set.</summary>
internal sealed record TelemetryConfig
{
    /// <summary>Base URL of an OTLP/HTTP receiver (an OpenTelemetry Collector: http://127.0.0.1:4318).</summary>
    public Uri? OtlpEndpoint { get; init; }
    public string ServiceName { get; init; } = "switchboard";
    public int ExportIntervalMs { get; init; } = 10_000;
    /// <summary>Share of requests traced (0 to 1), from archgw's <c>tracing.random_sampling</c>; null traces every request.</summary>
    public double? SamplingRatio { get; init; }
    /// <summary>Serve GET /metrics in Prometheus text (<c>telemetry.prometheus</c>, default true).</summary>
    public bool Prometheus { get; init; } = true;
}

/// <summary>
/// One <c>gateway_keys</c> entry: a key a caller presents, and the name that caller goes by in logs and what the
/// gateway records of its requests: the key's variable (<c>$TEAM_KEY</c> → <c>TEAM_KEY</c>), or for a literal its
/// place in the list (<c>key-2</c>). Never the key itself.
/// </summary>
internal sealed record GatewayKey(string Name, SecretValue Secret, int Line)
{
    /// <summary>Literals, aliases and routes this key may use; empty: every model.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];
    public RateLimitConfig? RateLimit { get; init; }
    public BudgetConfig? Budget { get; init; }
    /// <summary>After this instant the key is refused.</summary>
    public DateTimeOffset? Expires { get; init; }
    /// <summary>May read every caller's traffic and the admin endpoints.</summary>
    public bool Admin { get; init; }
}

/// <summary>A secret from config: a literal, or a reference to an environment variable.</summary>
internal sealed record SecretValue(string? Value, string? VariableName)
{
    public bool IsResolved => Value is not null;
    /// <summary>Never print the value.</summary>
    public override string ToString() => VariableName is null ? "<literal>" : $"${VariableName}";
}
