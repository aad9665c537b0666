namespace Switchboard.Config;

/// <summary>
/// archgw / plano config keys Switchboard reads but does not act on, each with what it does in archgw, so the warning
/// a config gets says what is being left out (docs/configuration.md has the full table, acted-on keys included).
/// </summary>
internal static class ArchgwKeys
{
    /// <summary>What the key does in archgw (a clause after "in archgw it"), and what to do instead when there is something.</summary>
    public readonly record struct Key(string What, string? Instead = null);

    public static readonly IReadOnlyDictionary<string, Key> TopLevel = new Dictionary<string, Key>(StringComparer.Ordinal)
    {
        ["agents"] = new("declares HTTP agents that plano orchestrates conversations between"),
        ["filters"] = new("declares MCP filters run on requests and responses, such as guards and query rewriting"),
        ["prompt_targets"] = new("declares function-calling targets that prompts are matched to and sent to"),
        ["endpoints"] = new("names upstream services for prompt targets and agents"),
        ["prompt_guards"] = new("configures jailbreak and input guardrails"),
        ["system_prompt"] = new("adds a system prompt to prompt-target calls"),
        ["state_storage"] = new("stores conversation state for the OpenAI Responses API"),
        ["model_metrics_sources"] = new("names the cost and latency catalogs that selection_policy and routing_budget read"),
        ["ratelimits"] = new("limits tokens per model and request header"),
        ["mode"] = new("sets the gateway's mode"),
    };

    public static readonly IReadOnlyDictionary<string, Key> Routing = new Dictionary<string, Key>(StringComparer.Ordinal)
    {
        ["session_ttl_seconds"] = new("sets how long a conversation's routing decision stays pinned", "nothing to do: Switchboard keeps routing decisions per conversation in its own bounded cache."),
        ["session_max_entries"] = new("sets how many pinned routing decisions are kept", "nothing to do: Switchboard keeps routing decisions per conversation in its own bounded cache."),
        ["session_cache"] = new("chooses where pinned routing decisions are stored (memory or redis)"),
        ["routing_budget"] = new("caps how much extra a mid-conversation switch to another model may cost"),
    };

    public static readonly IReadOnlyDictionary<string, Key> Overrides = new Dictionary<string, Key>(StringComparer.Ordinal)
    {
        ["prompt_target_intent_matching_threshold"] = new("sets how closely a prompt must match a prompt target"),
        ["optimize_context_window"] = new("trims conversation history to fit the model's context window"),
        ["use_agent_orchestrator"] = new("routes requests to agents through plano's orchestrator"),
        ["agent_orchestration_model"] = new("names the model that orchestrates agents"),
        ["upstream_tls_ca_path"] = new("sets the CA bundle for upstream TLS", "nothing to do: Switchboard verifies upstream TLS against the system's trust store."),
        ["disable_signals"] = new("turns off agentic signal analysis (frustration, repetition) of responses"),
    };

    public static readonly IReadOnlyDictionary<string, Key> Tracing = new Dictionary<string, Key>(StringComparer.Ordinal)
    {
        ["trace_arch_internal"] = new("adds spans for archgw's own internal calls"),
        ["opentracing_grpc_endpoint"] = new("names the OTLP/gRPC collector traces go to", "set telemetry.otlp_endpoint to the collector's OTLP/HTTP receiver (port 4318) instead."),
        ["span_attributes"] = new("adds attributes to every span"),
        ["exporters"] = new("sends traces to more destinations, such as PostHog"),
    };

    public static readonly IReadOnlyDictionary<string, Key> Listener = new Dictionary<string, Key>(StringComparer.Ordinal)
    {
        ["input_filters"] = new("runs filters on requests before the model"),
        ["output_filters"] = new("runs filters on the model's responses"),
        ["filter_chain"] = new("runs filters on an agent's requests"),
    };

    /// <summary>The warning for one such key: what it does in archgw, and that Switchboard ignores it.</summary>
    public static ConfigDiagnostic Ignored(int line, string key, Key what) =>
        new(DiagnosticSeverity.Warning, line, $"'{key}' is ignored: in archgw it {what.What}, which Switchboard does not do.", what.Instead);
}
