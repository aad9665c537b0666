using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Polly.CircuitBreaker;
using Switchboard.Pipeline;
using Switchboard.Runtime;

namespace Switchboard.Observability;

/// <summary>
/// One gateway's metrics, on a Meter named "Switchboard" (System.Diagnostics.Metrics): recorded by
/// <see cref="MetricsSink"/>, served as Prometheus text at GET /metrics (<see cref="PrometheusMetrics"/>), exported over
/// OTLP (<see cref="TelemetryExport"/>), visible with dotnet-counters. Instrument names and units are chosen so the
/// Prometheus exporter's names come out as issue #15 spells them (a counter gets <c>_total</c>, unit "s" gets
/// <c>_seconds</c>). Each gateway has its own Meter so two gateways in one process (tests) never count each other's
/// requests: <see cref="IsMine"/> is what their OpenTelemetry providers filter on.
/// </summary>
internal sealed class GatewayMetrics : IDisposable
{
    public const string Name = "Switchboard";

    /// <summary>Request durations and times to first byte: 5 ms to 5 min, what an LLM call spans (a cached answer to a long stream).</summary>
    internal static readonly double[] RequestBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];

    /// <summary>Routing decisions: microseconds (embedded router) to seconds (an LLM router).</summary>
    internal static readonly double[] RoutingBuckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly Meter _meter = new(Name);
    private readonly Counter<long> _requests;
    private readonly Counter<long> _tokens;
    private readonly Counter<double> _cost;
    private readonly Counter<long> _unpriced;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _firstByte;
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _routingDuration;

    public GatewayMetrics(GatewayRuntime runtime)
    {
        _requests = _meter.CreateCounter<long>("switchboard.requests", description: "Finished requests, by answering model, provider, route and HTTP status");
        _tokens = _meter.CreateCounter<long>("switchboard.tokens", description: "Tokens reported by providers, by kind (input counts cache reads and writes; output counts reasoning)");
        _cost = _meter.CreateCounter<double>("switchboard.cost_usd", description: "Cost in US dollars of the requests of priced models");
        _unpriced = _meter.CreateCounter<long>("switchboard.unpriced_requests", description: "Requests answered by a model without a price (never counted as $0)");
        _duration = _meter.CreateHistogram("switchboard.request.duration", "s", "Time from request to the end of the response",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RequestBuckets });
        _firstByte = _meter.CreateHistogram("switchboard.time_to_first_byte", "s", "Time until the provider's response headers",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RequestBuckets });
        _decisions = _meter.CreateCounter<long>("switchboard.routing_decisions", description: "Routing decisions, by route, router and reason");
        _routingDuration = _meter.CreateHistogram("switchboard.routing.duration", "s", "Routing decision time",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RoutingBuckets });
        _meter.CreateObservableGauge("switchboard.breaker_state", () => BreakerStates(runtime, _modelLabels),
            description: "Each deployment's circuit: 0 closed, 1 half-open, 2 open (its own breaker or its endpoint's, whichever is worse)");
        var admission = runtime.Admission;
        _meter.CreateObservableCounter("switchboard.requests_shed", () => admission.Shed,
            description: "Requests refused at limits.max_concurrent_requests (529 to Anthropic clients, 503 to OpenAI ones), never sent upstream");
        _meter.CreateObservableUpDownCounter("switchboard.requests_in_flight", () => admission.InFlight,
            description: "Completion requests admitted and not yet finished (streams included)");
    }

    /// <summary>Whether an instrument is this gateway's (another gateway in the same process has a Meter of the same name).</summary>
    public bool IsMine(Instrument instrument) => ReferenceEquals(instrument.Meter, _meter);

    public void Record(in CompletedRequest request)
    {
        if (request.Choice is { Reason: { } reason } choice)
        {
            var why = SelectionNames.Of(reason);
            var route = choice.Route ?? "none";
            if (_decisions.Enabled) _decisions.Add(1, new TagList { { "route", route }, { "router", choice.Router }, { "reason", why } });
            if (_routingDuration.Enabled) _routingDuration.Record(choice.RoutingMs / 1000, new TagList { { "router", choice.Router }, { "reason", why } });
        }
        if (!_requests.Enabled) return; // nothing listens (the Prometheus endpoint is off and no exporter runs)
        var model = ModelLabel(request);
        var where = new TagList { { "model", model }, { "provider", request.Provider }, { "route", request.Route } };
        _duration.Record(request.LatencyMs / 1000, where);
        _firstByte.Record(request.TtfbMs / 1000, where);
        where.Add("status", StatusText(request.Status));
        _requests.Add(1, where);
        // count_tokens' figure is an estimate of a prompt, not usage; a cached answer used no provider tokens this time.
        if (request.Operation == Operation.CountTokens || request.CacheHit) return;
        var usage = request.Usage;
        AddTokens(model, "input", usage.InputTokens);
        AddTokens(model, "output", usage.OutputTokens);
        AddTokens(model, "cache_read", usage.CachedInputTokens);
        AddTokens(model, "cache_write", usage.CacheWriteTokens);
        AddTokens(model, "reasoning", usage.ReasoningTokens);
        if (request.CostUsd is { } cost)
        {
            if (cost > 0) _cost.Add((double)cost, new KeyValuePair<string, object?>("model", model));
        }
        else if (model != "-") _unpriced.Add(1, new KeyValuePair<string, object?>("model", model));
    }

    /// <summary>Most distinct model labels a gateway reports; later new ones are reported as <see cref="OtherModel"/>.</summary>
    internal const int MaxModelLabels = 256;

    internal const string OtherModel = "(other)";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _modelLabels = new(StringComparer.Ordinal);

    /// <summary>
    /// A model label that cannot grow without bound. A configured model is always its own label (the config bounds
    /// them). On a <c>provider/*</c> entry the model is whatever id the client asked for, so such an id becomes a label
    /// only once a provider answered it (a made-up id is refused upstream, or never reaches one: count_tokens is
    /// answered locally), up to <see cref="MaxModelLabels"/> of them; anything else is <see cref="OtherModel"/>.
    /// </summary>
    private string ModelLabel(in CompletedRequest request)
    {
        var model = request.Model;
        if (!request.Wildcard || _modelLabels.ContainsKey(model)) return model;
        if (request.Status is >= 200 and < 300 && request.Operation != Operation.CountTokens && !request.CacheHit
            && model.Length <= 200 && _modelLabels.Count < MaxModelLabels && _modelLabels.TryAdd(model, 0))
            return model;
        return OtherModel;
    }

    private void AddTokens(string model, string kind, long? count)
    {
        if (count is > 0) _tokens.Add(count.Value, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("kind", kind));
    }

    /// <summary>Statuses as label values, made once (an int tag would be boxed on every request).</summary>
    private static readonly string[] Statuses = Enumerable.Range(0, 600).Select(s => s.ToString(CultureInfo.InvariantCulture)).ToArray();

    internal static string StatusText(int status) => (uint)status < (uint)Statuses.Length ? Statuses[status] : status.ToString(CultureInfo.InvariantCulture);

    /// <summary>Read when a scrape or an export collects, never on the request path.</summary>
    private static IEnumerable<Measurement<int>> BreakerStates(GatewayRuntime runtime, System.Collections.Concurrent.ConcurrentDictionary<string, byte> wildcardLabels)
    {
        foreach (var endpoint in runtime.Current.Providers.All)
        {
            var shared = Level(endpoint.Circuit.State);
            var wildcard = endpoint.Config.ModelId == "*";
            foreach (var deployment in endpoint.Deployments)
                // A wildcard's per-id deployments only under the ids that are labels elsewhere (see ModelLabel).
                if (!wildcard || deployment.Model == endpoint.Config.Model || wildcardLabels.ContainsKey(deployment.Model))
                    yield return new Measurement<int>(Math.Max(Level(deployment.State), shared),
                    new KeyValuePair<string, object?>("provider", endpoint.Name),
                    new KeyValuePair<string, object?>("model", deployment.Model),
                    new KeyValuePair<string, object?>("endpoint", endpoint.Circuit.Authority));
        }
    }

    internal static int Level(CircuitState state) => state switch
    {
        CircuitState.Closed => 0,
        CircuitState.HalfOpen => 1,
        _ => 2, // Open, Isolated: no request goes there
    };

    public void Dispose() => _meter.Dispose();
}
