using Polly;
using Polly.CircuitBreaker;
using Switchboard.Config;

namespace Switchboard.Providers;

/// <summary>
/// The circuit breaker every model of one provider and base URL shares. Only failures to reach the endpoint at all
/// (connection refused, DNS, TLS, connect timeout) count: an HTTP answer of any status proves the endpoint is up, and a
/// model that answers badly breaks only its own circuit (<see cref="ProviderResilience"/>).
/// </summary>
internal sealed class EndpointCircuit
{
    private readonly CircuitBreakerStateProvider _state = new();

    public EndpointCircuit(string provider, string authority, ResilienceConfig config, TimeProvider? time = null)
    {
        Provider = provider;
        Authority = authority;
        Pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time ?? TimeProvider.System, Name = PipelineName }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = config.BreakerFailureRatio,
                MinimumThroughput = config.BreakerMinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(config.BreakerSamplingSeconds),
                BreakDuration = TimeSpan.FromSeconds(config.BreakerBreakSeconds),
                StateProvider = _state,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is UpstreamException { Kind: UpstreamFailureKind.ConnectFailed }),
            })
            .Build();
    }

    /// <summary>The name Polly reports when this breaker rejects a call (how a model's pipeline tells it from its own).</summary>
    internal const string PipelineName = "switchboard.endpoint";

    public string Provider { get; }
    /// <summary>scheme://host:port.</summary>
    public string Authority { get; }
    /// <summary>Closed, Open, HalfOpen or Isolated.</summary>
    public CircuitState State => _state.CircuitState;
    internal ResiliencePipeline<HttpResponseMessage> Pipeline { get; }
}
