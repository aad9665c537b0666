using Switchboard.Config;

namespace Switchboard.Tests.Unit.Config;

[Trait("Kind", "Unit")]
public sealed class ConfigLoaderTests
{
    private static ConfigLoadResult Load(string yaml, Dictionary<string, string>? env = null) =>
        ConfigLoader.LoadText(yaml, env: new EnvironmentSource(n => env?.GetValueOrDefault(n)));

    [Fact]
    public void Loads_the_design_brief_example()
    {
        var result = Load("""
            version: v1
            listeners:
              - name: llm
                address: 127.0.0.1
                port: 12000
            model_providers:
              - model: openai/gpt-4.1
                access_key: $OPENAI_API_KEY
                default: true
                routing_preferences:
                  - name: code generation
                    description: generating new code snippets and functions
              - model: anthropic/claude-sonnet-4-5
                access_key: ${ANTHROPIC_API_KEY}
                routing_preferences:
                  - name: code understanding
                    description: explaining and analyzing existing code
              - model: ollama/qwen2.5-coder:7b
                base_url: http://127.0.0.1:11434
            model_aliases:
              switchboard.claude.code.small.fast:
                target: anthropic/claude-haiku-4-5
              fast-model:
                target: openai/gpt-4.1
            routing:
              router: embedded
            """, new() { ["OPENAI_API_KEY"] = "sk-1", ["ANTHROPIC_API_KEY"] = "sk-2" });

        // haiku is not configured, so that alias is an error: everything else must load.
        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors);
        Assert.Contains("switchboard.claude.code.small.fast", error.Message);
        Assert.Contains("anthropic/claude-haiku-4-5", error.Message);
        Assert.Equal(21, error.Line);
    }

    [Fact]
    public void Resolves_keys_urls_interfaces_and_preferences()
    {
        var result = Load("""
            model_providers:
              - model: openai/gpt-4.1
                access_key: $OPENAI_API_KEY
                default: true
                routing_preferences:
                  - name: code generation
                    description: generating code
              - model: groq/llama-3.3-70b
                access_key: ${GROQ_API_KEY}
              - model: mycorp/coder
                provider_interface: openai
                base_url: https://llm.example.com/v1
            """, new() { ["OPENAI_API_KEY"] = "sk-open" });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var config = result.Config!;
        Assert.Equal("127.0.0.1", config.Listeners[0].Address);
        Assert.Equal(12000, config.Listeners[0].Port);
        var openai = config.Providers[0];
        Assert.Equal(("openai", "gpt-4.1", ApiFormat.OpenAI, true), (openai.Provider, openai.ModelId, openai.Interface, openai.IsDefault));
        Assert.Equal("sk-open", openai.AccessKey!.Value);
        Assert.Equal("generating code", Assert.Single(openai.RoutingPreferences).Description);
        var groq = config.Providers[1];
        Assert.False(groq.AccessKey!.IsResolved);
        Assert.Equal("GROQ_API_KEY", groq.AccessKey.VariableName);
        Assert.Equal(new Uri("https://llm.example.com/v1"), config.Providers[2].BaseUrl);
    }

    [Fact]
    public void Reports_every_error_at_once_with_lines_and_fixes()
    {
        var result = Load("""
            model_providers:
              - model: openai/gpt-4.1
                default: true
              - model: openai/gpt-4.1
              - model: anthropic/claude-sonnet-4-5
                default: true
              - model: mystery/model-x
              - model: ollama/llama3
                base_url: "not a url"
              - model: gpt-4o
            model_aliases:
              fast:
                target: openai/gpt-9
              chained:
                target: fast
            """);
        Assert.False(result.Succeeded);
        var errors = result.Errors.ToList();
        Assert.Contains(errors, e => e.Line == 4 && e.Message.Contains("configured twice"));
        Assert.Contains(errors, e => e.Line == 5 && e.Message.Contains("already is") && e.Fix!.Contains("one provider"));
        Assert.Contains(errors, e => e.Line == 7 && e.Message.Contains("'mystery'") && e.Fix!.Contains("base_url"));
        Assert.Contains(errors, e => e.Line == 9 && e.Message.Contains("not a valid http(s) URL"));
        Assert.Contains(errors, e => e.Line == 10 && e.Fix!.Contains("openai/gpt-4o"));
        Assert.Contains(errors, e => e.Line == 12 && e.Message.Contains("openai/gpt-9"));
        Assert.Contains(errors, e => e.Line == 14 && e.Message.Contains("alias chains"));
        Assert.Equal(7, errors.Count);
    }

    [Fact]
    public void Loads_an_archgw_config_unchanged_with_warnings_for_what_is_not_implemented()
    {
        var result = Load("""
            version: v0.1.0
            listeners:
              egress_traffic:
                address: 0.0.0.0
                port: 12000
                message_format: openai
                timeout: 30s
            llm_providers:
              - model: openai/gpt-4o-mini
                access_key: $OPENAI_API_KEY
                default: true
              - name: archgw-v1-router-model
                provider_interface: openai
                model: katanemo/Arch-Router-1.5B
                base_url: http://localhost:11434
            model_aliases:
              arch.summarize.v1:
                target: openai/gpt-4o-mini
            tracing:
              random_sampling: 100
            prompt_targets:
              - name: weather
            """);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal(("0.0.0.0", 12000), (result.Config!.Listeners[0].Address, result.Config.Listeners[0].Port));
        Assert.Equal(1.0, result.Config.Telemetry.SamplingRatio); // tracing.random_sampling: 100
        Assert.Equal(30_000, result.Config.Resilience.FirstByteTimeoutMs); // the listener's timeout: 30s
        Assert.Contains(result.Warnings, w => w.Message.Contains("'prompt_targets' is ignored"));
        Assert.Equal("katanemo", result.Config.Providers[1].Provider);
    }

    [Fact]
    public void Invalid_yaml_names_the_line()
    {
        var result = Load("model_providers:\n  - model: openai/gpt-4.1\n   bad: [\n");
        var error = Assert.Single(result.Errors);
        Assert.Contains("invalid YAML", error.Message);
        Assert.True(error.Line >= 2);
    }

    [Fact]
    public void Dot_env_beside_the_config_supplies_keys_but_the_environment_wins()
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, ".env"), "# keys\nexport OPENAI_API_KEY=\"from-dotenv\"\nGROQ_API_KEY=groq-dotenv # comment\n");
            var path = Path.Combine(dir.FullName, "config.yaml");
            File.WriteAllText(path, "model_providers:\n  - model: openai/gpt-4.1\n    access_key: $OPENAI_API_KEY\n    default: true\n  - model: groq/llama\n    access_key: $GROQ_API_KEY\n");
            var fromFile = ConfigLoader.LoadFile(path, _ => null);
            Assert.Equal("from-dotenv", fromFile.Config!.Providers[0].AccessKey!.Value);
            Assert.Equal("groq-dotenv", fromFile.Config.Providers[1].AccessKey!.Value);
            var envWins = ConfigLoader.LoadFile(path, n => n == "OPENAI_API_KEY" ? "from-env" : null);
            Assert.Equal("from-env", envWins.Config!.Providers[0].AccessKey!.Value);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void Secret_values_never_print_themselves()
    {
        var secret = new SecretValue("sk-very-secret", "OPENAI_API_KEY");
        Assert.DoesNotContain("sk-very-secret", secret.ToString());
        Assert.DoesNotContain("sk-very-secret", new ModelEntry { Model = "a/b", Provider = "a", ModelId = "b", Interface = ApiFormat.OpenAI, AccessKey = secret }.ToString());
    }

    [Fact]
    public void Routing_llm_needs_a_base_url()
    {
        var result = Load("model_providers:\n  - model: openai/gpt-4.1\n    default: true\nrouting:\n  router: llm\n  timeout_ms: fast\n");
        Assert.Contains(result.Errors, e => e.Message.Contains("routing.base_url is not set"));
        Assert.Contains(result.Errors, e => e.Line == 6 && e.Message.Contains("timeout_ms"));
    }

    [Fact]
    public void Stream_keepalive_ms_defaults_to_15_seconds_and_a_bad_value_names_its_line()
    {
        const string Providers = "model_providers:\n  - model: openai/gpt-4.1\n";
        Assert.Equal(15_000, Load(Providers).Config!.Resilience.StreamKeepAliveMs);
        Assert.Equal(5_000, Load(Providers + "resilience:\n  stream_keepalive_ms: 5000\n").Config!.Resilience.StreamKeepAliveMs);
        var result = Load(Providers + "resilience:\n  stream_keepalive_ms: 10\n");
        Assert.Contains(result.Errors, e => e.Line == 4 && e.Message.Contains("resilience.stream_keepalive_ms must be a whole number from 100"));
        Assert.DoesNotContain(result.Diagnostics, d => d.Message.Contains("not one Switchboard knows"));
    }

    [Fact]
    public void Overload_limits_have_defaults_zero_turns_them_off_and_an_unknown_limits_key_is_warned()
    {
        const string Providers = "model_providers:\n  - model: openai/gpt-4.1\n";
        var defaults = Load(Providers).Config!.Limits;
        Assert.Equal(LimitsConfig.DefaultMaxConcurrentRequests, defaults.MaxConcurrentRequests);
        Assert.Equal(LimitsConfig.DefaultMaxUpstreamConnections, defaults.MaxUpstreamConnections);
        Assert.Equal(LimitsConfig.DefaultMaxRequestBytesInFlight, defaults.MaxRequestBytesInFlight);
        var off = Load(Providers + "limits:\n  max_concurrent_requests: 0\n  max_upstream_connections: 0\n  max_request_bytes_in_flight: 0\n");
        Assert.Equal((0, 0, 0L), (off.Config!.Limits.MaxConcurrentRequests, off.Config.Limits.MaxUpstreamConnections, off.Config.Limits.MaxRequestBytesInFlight));
        Assert.DoesNotContain(off.Diagnostics, d => d.Message.Contains("not one Switchboard knows"));
        var bad = Load(Providers + "limits:\n  max_concurrent_requests: lots\n  max_inflight: 5\n");
        Assert.Contains(bad.Errors, e => e.Line == 4 && e.Message.Contains("limits.max_concurrent_requests must be a whole number"));
        Assert.Contains(bad.Warnings, w => w.Line == 5 && w.Message.Contains("limits key 'max_inflight' is not one Switchboard knows"));
    }

    [Theory]
    [InlineData("1023")]
    [InlineData("4294967296")]
    [InlineData("32MB")]
    public void Max_request_body_bytes_out_of_range_names_its_line_and_the_range(string value)
    {
        const string Providers = "model_providers:\n  - model: openai/gpt-4.1\n";
        var result = Load(Providers + $"limits:\n  max_request_body_bytes: {value}\n");
        Assert.Contains(result.Errors, e => e.Line == 4 && e.Message.Contains($"limits.max_request_body_bytes must be a whole number from 1024 to {Array.MaxLength}"));
        Assert.Equal(Array.MaxLength, Load(Providers + $"limits:\n  max_request_body_bytes: {Array.MaxLength}\n").Config!.Limits.MaxRequestBodyBytes);
    }
}
