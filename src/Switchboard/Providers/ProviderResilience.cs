using System.Globalization;
using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Switchboard.Config;

namespace Switchboard.Providers;

/// <summary>
/// One deployment's resilience (a model at a provider and base URL), built on Polly: retries (exponential backoff with
/// jitter, honouring retry-after / retry-after-ms, bounded in attempts and time) around this model's own circuit breaker,
/// around the breaker its endpoint shares with its other models (<see cref="EndpointCircuit"/>). A 429 with a
/// retry-after cools this model down for that long; one model's failures never stop another's requests. An attempt
/// only ever covers the time up to the response headers: once the gateway starts answering the client, nothing is retried.
/// </summary>
internal sealed class ProviderResilience
{
    /// <summary>Error bodies (a 429's, kept for its cooldown) are read up to this size.</summary>
    internal const int MaxErrorBodyBytes = 1024 * 1024;

    private static readonly ResiliencePropertyKey<long> StartedAt = new("switchboard.started");
    private static readonly ResiliencePropertyKey<bool> HasFallback = new("switchboard.has_fallback");

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly CircuitBreakerStateProvider _breakerState = new();
    private readonly TimeProvider _time;
    private readonly ResilienceConfig _config;
    private RateLimitNotice? _cooldown;
    private long _retryCount;

    public ProviderResilience(string provider, string model, ResilienceConfig config, EndpointCircuit? endpoint = null, TimeProvider? time = null)
    {
        Provider = provider;
        Model = model;
        Endpoint = endpoint;
        _config = config;
        _time = time ?? TimeProvider.System;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time, Name = model };
        if (config.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = config.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(config.InitialBackoffMs),
                MaxDelay = TimeSpan.FromMilliseconds(config.MaxBackoffMs),
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    Interlocked.Increment(ref _retryCount);
                    return ValueTask.CompletedTask;
                },
            });
        }
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = config.BreakerFailureRatio,
            MinimumThroughput = config.BreakerMinimumThroughput,
            SamplingDuration = TimeSpan.FromSeconds(config.BreakerSamplingSeconds),
            BreakDuration = TimeSpan.FromSeconds(config.BreakerBreakSeconds),
            StateProvider = _breakerState,
            ShouldHandle = static args => ValueTask.FromResult(IsModelFailure(args.Outcome)),
        });
        if (endpoint is not null) builder.AddPipeline(endpoint.Pipeline);
        _pipeline = builder.Build();
    }

    public string Provider { get; }
    /// <summary>The model literal this deployment serves ("openai/gpt-4.1").</summary>
    public string Model { get; }
    /// <summary>The breaker shared with the other models at the same provider and base URL, if any.</summary>
    public EndpointCircuit? Endpoint { get; }

    /// <summary>This model's own circuit: Closed, Open, HalfOpen or Isolated.</summary>
    public CircuitState State => _breakerState.CircuitState;

    /// <summary>The 429 this model is cooling down after, while its retry-after runs; otherwise null.</summary>
    public RateLimitNotice? Cooldown
    {
        get
        {
            if (Volatile.Read(ref _cooldown) is not { } notice) return null;
            if (notice.IsActive) return notice;
            Interlocked.CompareExchange(ref _cooldown, null, notice); // over: no clock read on later requests
            return null;
        }
    }

    /// <summary>Retries made so far (for status and tests).</summary>
    public long RetryCount => Interlocked.Read(ref _retryCount);

    /// <summary>
    /// Runs <paramref name="attempt"/> (one upstream call up to its response headers) with retries and the breakers.
    /// Returns the final response, whatever its status; throws <see cref="UpstreamException"/> when no response came,
    /// when a circuit is open, or when the model is cooling down after a 429 (carrying that 429).
    /// </summary>
    /// <param name="hasFallback">Another model can answer instead: a 429 with a retry-after goes there rather than waiting.</param>
    public async Task<HttpResponseMessage> ExecuteAsync(Func<CancellationToken, Task<HttpResponseMessage>> attempt, bool hasFallback, CancellationToken cancellationToken)
    {
        if (Cooldown is { } cooling)
        {
            throw new UpstreamException(UpstreamFailureKind.RateLimited, Provider,
                $"model '{Model}' is cooling down after HTTP 429 from provider '{Provider}' ({Seconds(cooling.RetryAfter)} s left of its retry-after).")
            { RateLimit = cooling, RetryAfter = cooling.RetryAfter };
        }
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StartedAt, _time.GetTimestamp());
        if (hasFallback) context.Properties.Set(HasFallback, true);
        try
        {
            return await _pipeline.ExecuteAsync(static (ctx, state) => new ValueTask<HttpResponseMessage>(state.Self.AttemptAsync(state.Attempt, ctx.CancellationToken)),
                context, (Self: this, Attempt: attempt)).ConfigureAwait(false);
        }
        catch (BrokenCircuitException ex)
        {
            var endpointWide = ex.TelemetrySource?.PipelineName == EndpointCircuit.PipelineName;
            var message = endpointWide
                ? $"provider '{Provider}' at {Endpoint!.Authority} could not be reached and is skipped for every model there (circuit open for another {Seconds(ex.RetryAfter)} s)."
                : $"model '{Model}' is failing and was skipped (circuit open for another {Seconds(ex.RetryAfter)} s; the provider's other models are unaffected).";
            throw new UpstreamException(UpstreamFailureKind.CircuitOpen, Provider, message, ex) { RetryAfter = ex.RetryAfter };
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>One call; a 429 with a retry-after starts this model's cooldown, keeping the upstream's answer for it.</summary>
    private async Task<HttpResponseMessage> AttemptAsync(Func<CancellationToken, Task<HttpResponseMessage>> attempt, CancellationToken cancellationToken)
    {
        var response = await attempt(cancellationToken).ConfigureAwait(false);
        if (RateLimitNotice.IsRateLimit(response) && RetryAfter(response) is { } wait && wait > TimeSpan.Zero)
        {
            var notice = await RateLimitNotice.ReadAsync(response, TimeSpan.FromMilliseconds(_config.StreamIdleTimeoutMs), _time, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _cooldown, notice);
        }
        return response;
    }

    /// <summary>Statuses worth another attempt: the request may succeed as it is.</summary>
    public static bool IsTransientStatus(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.Conflict or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (context.CancellationToken.IsCancellationRequested) return false;
        var transient = outcome switch
        {
            { Exception: UpstreamException { Kind: UpstreamFailureKind.Unreachable or UpstreamFailureKind.ConnectFailed } } => true,
            // A cooled-down model with somewhere else to go: go there now rather than wait out its retry-after.
            { Result: { StatusCode: HttpStatusCode.TooManyRequests } limited } when context.Properties.GetValue(HasFallback, false) && RetryAfter(limited) > TimeSpan.Zero => false,
            { Result: { } response } => IsTransientStatus(response.StatusCode),
            _ => false,
        };
        if (!transient) return false;
        // Bounded in total time: no retry starts past the budget, nor one whose retry-after would end past it.
        var elapsed = context.Properties.TryGetValue(StartedAt, out var started) ? _time.GetElapsedTime(started) : TimeSpan.Zero;
        var wait = RetryAfter(outcome.Result) ?? TimeSpan.Zero;
        return elapsed + wait <= TimeSpan.FromMilliseconds(_config.MaxRetryTimeMs);
    }

    /// <summary>
    /// What breaks this model's circuit: server errors, timeouts and broken connections. Not a 429 (rate limits cool the
    /// model down instead), and not a failure to connect at all (the endpoint's breaker counts those).
    /// </summary>
    private static bool IsModelFailure(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: UpstreamException { Kind: UpstreamFailureKind.Unreachable or UpstreamFailureKind.Timeout } } => true,
        { Result: { } response } => (int)response.StatusCode >= 500,
        _ => false,
    };

    private static string Seconds(TimeSpan? time) => time is { } t ? Math.Ceiling(t.TotalSeconds).ToString(CultureInfo.InvariantCulture) : "?";

    /// <summary>Longest retry-after taken at its word (a day): past it, a provider's value is capped rather than trusted.</summary>
    internal static readonly TimeSpan MaxRetryAfter = TimeSpan.FromDays(1);

    /// <summary>retry-after-ms, retry-after (seconds or an HTTP date), at most a day; null lets the backoff decide.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response is null) return null;
        if (response.Headers.TryGetValues("retry-after-ms", out var ms) && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
            return millis < MaxRetryAfter.TotalMilliseconds ? TimeSpan.FromMilliseconds(millis) : MaxRetryAfter;
        var retryAfter = response.Headers.RetryAfter;
        var wait = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return wait switch
        {
            null => null,
            { } w when w <= TimeSpan.Zero => TimeSpan.Zero,
            { } w => w < MaxRetryAfter ? w : MaxRetryAfter,
        };
    }
}
