using Switchboard.Config;

namespace Switchboard.Tests.Unit.Config;

/// <summary>archgw 0.3 and plano 0.4 configs load unchanged and mean what they meant (issue #12). Configs written here.</summary>
[Trait("Kind", "Unit")]
public sealed class ArchgwConfigTests
{
    private static ConfigLoadResult Load(string yaml, Dictionary<string, string>? env = null) =>
        ConfigLoader.LoadText(yaml, env: new EnvironmentSource(n => env?.GetValueOrDefault(n)));

    private static GatewayConfig Loaded(string yaml, Dictionary<string, string>? env = null)
    {
        var result = Load(yaml, env);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return result.Config!;
    }

    [Fact]
    public void Alias_targets_resolve_like_a_requests_model_literal_or_bare_id()
    {
        var config = Loaded("""
            llm_providers:
              - model: openai/gpt-5-mini-2025-08-07
                default: true
              - model: anthropic/claude-haiku-4-5
              - model: amazon_bedrock/us.amazon.nova-premier-v1:0
                base_url: https://bedrock-runtime.us-west-2.amazonaws.com
              - model: xai/grok-4-0709
              - model: openrouter/*
            model_aliases:
              arch.claude.code.small.fast:
                target: claude-haiku-4-5
              coding-model:
                target: us.amazon.nova-premier-v1:0
              arch.grok.v1:
                target: grok-4-0709
              literal:
                target: openai/gpt-5-mini-2025-08-07
              through-wildcard:
                target: openrouter/meta/llama-4
                fallbacks: [gpt-5-mini-2025-08-07]
            """);
        Assert.Equal(5, config.Aliases.Count);
    }

    [Fact]
    public void A_bare_alias_target_two_providers_serve_is_an_error_listing_both()
    {
        var result = Load("""
            model_providers:
              - model: openai/gpt-4o
                default: true
              - model: azure_openai/gpt-4o
                base_url: https://example.openai.azure.com
            model_aliases:
              smart:
                target: gpt-4o
              nowhere:
                target: gpt-9
            """);
        var ambiguous = Assert.Single(result.Errors, e => e.Message.Contains("'smart'"));
        Assert.Equal(7, ambiguous.Line);
        Assert.Contains("ambiguous", ambiguous.Message);
        Assert.Contains("openai/gpt-4o or azure_openai/gpt-4o", ambiguous.Fix);
        Assert.Contains(result.Errors, e => e.Message.Contains("'nowhere'") && e.Message.Contains("no provider serves 'gpt-9'"));
    }

    [Theory]
    [InlineData("llm_provider")]
    [InlineData("model_provider")] // archgw's older name
    public void Archgw_routing_llm_provider_makes_its_entry_the_router_and_only_the_router(string key)
    {
        var config = Loaded($"""
            routing:
              model: Arch-Router
              {key}: arch-router
            llm_providers:
              - name: arch-router
                model: arch/hf.co/katanemo/Arch-Router-1.5B.gguf:Q4_K_M
                base_url: http://127.0.0.1:11434
              - model: openai/gpt-4o-mini
                default: true
              - model: openai/gpt-4o
                routing_preferences:
                  - name: code understanding
                    description: understand and explain existing code
            """);
        Assert.Equal(RouterKind.Llm, config.Routing.Router);
        Assert.Equal(new Uri("http://127.0.0.1:11434"), config.Routing.BaseUrl);
        Assert.Equal("hf.co/katanemo/Arch-Router-1.5B.gguf:Q4_K_M", config.Routing.Model);
        Assert.Contains("'arch-router' (line 5)", config.Routing.RouterSource);
        // It serves the router only: not a model clients can name, list, default to or fall back on.
        Assert.Equal(["openai/gpt-4o-mini", "openai/gpt-4o"], config.Providers.Select(p => p.Model));
    }

    [Fact]
    public void Plano_overrides_llm_routing_model_makes_its_entry_the_router()
    {
        var config = Loaded("""
            overrides:
              llm_routing_model: plano/hf.co/katanemo/Arch-Router-1.5B.gguf:Q4_K_M
            model_providers:
              - model: plano/hf.co/katanemo/Arch-Router-1.5B.gguf:Q4_K_M
                base_url: http://localhost:11434
              - model: openai/gpt-4o-mini
                default: true
            """);
        Assert.Equal(RouterKind.Llm, config.Routing.Router);
        Assert.Equal("hf.co/katanemo/Arch-Router-1.5B.gguf:Q4_K_M", config.Routing.Model);
        Assert.Equal("localhost", config.Routing.BaseUrl!.Host);
        Assert.Equal("openai/gpt-4o-mini", Assert.Single(config.Providers).Model);
    }

    [Fact]
    public void A_hosted_router_without_an_entry_warns_and_leaves_the_embedded_router()
    {
        var result = Load("""
            overrides:
              llm_routing_model: Plano-Orchestrator
            model_providers:
              - model: openai/gpt-4o
                default: true
            """);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal(RouterKind.Embedded, result.Config!.Routing.Router);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(2, warning.Line);
        Assert.Contains("katanemo's hosted router", warning.Message);
    }

    [Fact]
    public void Router_entries_are_checked()
    {
        var result = Load("""
            routing:
              llm_provider: missing-router
            llm_providers:
              - model: arch/Arch-Router
                base_url: http://127.0.0.1:11434
                default: true
              - model: plano/Plano-Orchestrator
              - model: openai/gpt-4o
            """);
        Assert.Contains(result.Errors, e => e.Line == 2 && e.Message.Contains("'missing-router' names no model_providers entry"));
        Assert.Contains(result.Errors, e => e.Line == 4 && e.Message.Contains("serves the router only, so it cannot be the default"));
        Assert.Contains(result.Errors, e => e.Line == 7 && e.Message.Contains("has no base_url"));
    }

    [Fact]
    public void Top_level_routing_preferences_keep_their_models_in_order()
    {
        var result = Load("""
            version: v0.4.0
            model_providers:
              - model: openai/gpt-4o-mini
                default: true
              - model: openai/gpt-4o
              - model: anthropic/claude-sonnet-4-6
            routing_preferences:
              - name: complex_reasoning
                description: complex reasoning tasks and multi-step analysis
                models:
                  - openai/gpt-4o
                  - gpt-4o-mini
              - name: code_review
                description: reviewing existing code
                models: [claude-sonnet-4-6, openai/gpt-4o]
                selection_policy:
                  prefer: cheapest
            """);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var routes = result.Config!.RoutingPreferences;
        Assert.Equal(["complex_reasoning", "code_review"], routes.Select(r => r.Name));
        Assert.Equal(["openai/gpt-4o", "gpt-4o-mini"], routes[0].Models);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(17, warning.Line);
        Assert.Contains("prefer 'cheapest' of route 'code_review' is not applied yet", warning.Message);
    }

    [Fact]
    public void Top_level_routes_name_served_models_and_unique_names()
    {
        var result = Load("""
            model_providers:
              - model: openai/gpt-4o
                default: true
                routing_preferences:
                  - name: code review
                    description: reviewing code
            routing_preferences:
              - name: code review
                description: reviewing code again
                models: [openai/gpt-4o]
              - name: writing
                description: prose
                models: [mistral/large]
              - name: empty
                description: nothing
            """);
        Assert.Contains(result.Errors, e => e.Line == 8 && e.Message.Contains("route 'code review' is defined twice"));
        Assert.Contains(result.Errors, e => e.Line == 11 && e.Message.Contains("no provider serves 'mistral/large'"));
        Assert.Contains(result.Errors, e => e.Line == 14 && e.Message.Contains("lists no models"));
    }

    [Fact]
    public void Listener_timeout_and_retries_and_plano_overrides_are_defaults_that_resilience_keys_win_over()
    {
        var config = Loaded("""
            listeners:
              - type: model
                name: model_1
                port: 12000
                timeout: 45s
                max_retries: 3
            overrides:
              upstream_connect_timeout: 7s
            model_providers:
              - model: openai/gpt-4o
                default: true
            """);
        Assert.Equal((45_000, 3, 7_000), (config.Resilience.FirstByteTimeoutMs, config.Resilience.MaxRetries, config.Resilience.ConnectTimeoutMs));

        var explicitWins = Loaded("""
            listeners:
              egress_traffic:
                port: 12000
                timeout: 30s
            model_providers:
              - model: openai/gpt-4o
            resilience:
              first_byte_timeout_ms: 120000
            """);
        Assert.Equal(120_000, explicitWins.Resilience.FirstByteTimeoutMs);

        var bad = Load("listeners:\n  egress_traffic:\n    port: 12000\n    timeout: soon\nmodel_providers:\n  - model: openai/gpt-4o\n");
        Assert.Contains(bad.Errors, e => e.Line == 4 && e.Message.Contains("'30s' or '500ms'"));
    }

    [Fact]
    public void Route_on_user_only_and_random_sampling_are_read()
    {
        var config = Loaded("""
            model_providers:
              - model: openai/gpt-4o
            routing:
              route_on_user_only: true
            tracing:
              random_sampling: 25
            telemetry:
              otlp_endpoint: http://127.0.0.1:4318
            """);
        Assert.True(config.Routing.RouteOnUserOnly);
        Assert.Equal(0.25, config.Telemetry.SamplingRatio);
    }

    [Fact]
    public void Responses_api_is_read_and_checked()
    {
        var result = ConfigLoader.LoadText("""
            model_providers:
              - model: openai/gpt-4o-litellm
                base_url: https://litellm.example.com
                responses_api: true
              - model: openai/llama-3.3-70b
                base_url: https://api.custom-provider.com
                responses_api: maybe
              - model: anthropic/claude-sonnet-4-5
                responses_api: true
            """, env: new EnvironmentSource(_ => "k"));
        Assert.Contains(result.Errors, e => e.Line == 7 && e.Message.Contains("responses_api must be true or false"));
        Assert.Contains(result.Warnings, w => w.Line == 9 && w.Message.Contains("responses_api does not apply"));
        Assert.DoesNotContain(result.Diagnostics, d => d.Line == 4);
        var litellm = Loaded("""
            model_providers:
              - model: openai/gpt-4o-litellm
                base_url: https://litellm.example.com
                responses_api: true
            """);
        Assert.True(litellm.Providers[0].ResponsesApi);
    }

    [Fact]
    public void Provider_headers_passthrough_auth_http_host_and_name_are_read()
    {
        var config = Loaded("""
            model_providers:
              - model: openai/gpt-4o-litellm
                base_url: https://litellm.example.com
                passthrough_auth: true
              - name: kimi
                model: moonshotai/kimi-for-coding
                access_key: $MOONSHOTAI_API_KEY
                base_url: https://api.kimi.com/coding/v1
                http_host: api.kimi.com
                headers:
                  User-Agent: "KimiCLI/1.3"
                  X-Account: $KIMI_ACCOUNT
            """, new() { ["MOONSHOTAI_API_KEY"] = "k", ["KIMI_ACCOUNT"] = "acct-7" });
        Assert.True(config.Providers[0].PassthroughAuth);
        Assert.Null(config.Providers[0].ResponsesApi); // a LiteLLM proxy: not assumed to serve /responses
        var kimi = config.Providers[1];
        Assert.Equal("kimi", kimi.Name);
        Assert.Equal("api.kimi.com", kimi.HttpHost);
        Assert.Equal([new("User-Agent", "KimiCLI/1.3"), new KeyValuePair<string, string>("X-Account", "acct-7")], kimi.Headers);
    }

    [Fact]
    public void Bad_provider_headers_and_hosts_name_the_line_and_never_the_value()
    {
        var result = Load("""
            model_providers:
              - name: a
                model: openai/gpt-4o
                access_key: k
                passthrough_auth: true
                http_host: "not a host"
                headers:
                  Host: api.example.com
                  X-Secret: $UNSET_SECRET
              - name: a
                model: openai/gpt-4.1
            """);
        Assert.Contains(result.Warnings, w => w.Line == 5 && w.Message.Contains("access_key is not used"));
        Assert.Contains(result.Errors, e => e.Line == 6 && e.Message.Contains("is not a host name"));
        Assert.Contains(result.Errors, e => e.Line == 8 && e.Fix!.Contains("http_host"));
        Assert.Contains(result.Errors, e => e.Line == 9 && e.Message.Contains("$UNSET_SECRET, which is not set"));
        Assert.Contains(result.Errors, e => e.Line == 10 && e.Message.Contains("name 'a' is given to two entries"));
    }

    /// <summary>Every archgw / plano key Switchboard does not act on: one warning each, saying what it is; never an error.</summary>
    [Fact]
    public void Keys_switchboard_does_not_act_on_warn_once_each_and_never_fail()
    {
        var result = Load("""
            version: v0.4.0
            agents:
              - id: weather_agent
                url: http://localhost:10510
            filters:
              - id: input_guards
                url: http://localhost:10500
            model_providers:
              - model: openai/gpt-4o
                access_key: $OPENAI_API_KEY
                default: true
            model_metrics_sources:
              - type: cost
                provider: models.dev
            listeners:
              - type: model
                name: model_1
                port: 12000
                input_filters: [input_guards]
                output_filters: [input_guards]
            endpoints:
              app_server:
                endpoint: 127.0.0.1:80
            system_prompt: You are a helpful assistant.
            prompt_targets:
              - name: get_current_weather
            ratelimits:
              - model: openai/gpt-4o
                limit: {tokens: 100000, unit: hour}
            overrides:
              prompt_target_intent_matching_threshold: 0.7
              optimize_context_window: true
              use_agent_orchestrator: false
              upstream_tls_ca_path: /etc/ssl/certs/ca-certificates.crt
              agent_orchestration_model: Plano-Orchestrator
              disable_signals: false
            routing:
              session_ttl_seconds: 600
              session_max_entries: 10000
              session_cache: {type: memory}
              routing_budget: {max_switch_spend_pct: 20}
            state_storage:
              type: memory
            prompt_guards:
              input_guards:
                jailbreak: {on_exception: {message: no}}
            tracing:
              random_sampling: 0
              trace_arch_internal: false
              opentracing_grpc_endpoint: http://localhost:4317
              span_attributes: {static: {environment: production}}
              exporters:
                - type: posthog
                  api_key: $POSTHOG_API_KEY
            """);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        string[] keys =
        [
            "agents", "filters", "model_metrics_sources", "listeners.input_filters", "listeners.output_filters", "endpoints", "system_prompt",
            "prompt_targets", "ratelimits", "overrides.prompt_target_intent_matching_threshold", "overrides.optimize_context_window",
            "overrides.use_agent_orchestrator", "overrides.upstream_tls_ca_path", "overrides.agent_orchestration_model", "overrides.disable_signals",
            "routing.session_ttl_seconds", "routing.session_max_entries", "routing.session_cache", "routing.routing_budget", "state_storage",
            "prompt_guards", "tracing.trace_arch_internal", "tracing.opentracing_grpc_endpoint", "tracing.span_attributes", "tracing.exporters",
        ];
        foreach (var key in keys)
        {
            var warning = Assert.Single(result.Warnings, w => w.Message.StartsWith($"'{key}' is ignored: in archgw it ", StringComparison.Ordinal));
            Assert.EndsWith(", which Switchboard does not do.", warning.Message);
        }
        Assert.Equal(keys.Length, result.Warnings.Count());
    }

    [Fact]
    public void A_provider_archgw_knows_and_switchboard_does_not_is_called_as_openai_compatible_and_says_so()
    {
        var result = Load("""
            llm_providers:
              - model: amazon_bedrock/us.amazon.nova-pro-v1:0
                base_url: https://bedrock-runtime.us-west-2.amazonaws.com
                default: true
            """);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(2, warning.Line);
        Assert.Contains("called as an OpenAI-compatible server", warning.Message);
    }

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("0.5s", 500)]
    [InlineData("250ms", 250)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("12", 12_000)]
    public void Durations_read_like_envoys(string text, int milliseconds)
    {
        Assert.True(ConfigLoader.TryParseDuration(text, out var value));
        Assert.Equal(milliseconds, value.TotalMilliseconds);
    }
}
