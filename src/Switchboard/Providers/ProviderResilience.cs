using System.Globalization;
using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Switchboard.Config;

namespace Switchboard.Providers;

/// <summary>Why a provider could not answer at all (as opposed to answering with an error status).</summary>
public enum UpstreamFailureKind { Unreachable, Timeout, CircuitOpen }

/// <summary>A provider gave no response: unreachable, timed out, or skipped because its circuit is open.</summary>
public sealed class UpstreamException(UpstreamFailureKind kind, string provider, string message, Exception? inner = null) : Exception(message, inner)
{
    public UpstreamFailureKind Kind { get; } = kind;
    public string Provider { get; } = provider;

    /// <summary>The status a client sees when nothing else answered.</summary>
    public int ClientStatus => Kind switch
    {
        UpstreamFailureKind.Timeout => 504,
        UpstreamFailureKind.CircuitOpen => 503,
        _ => 502,
    };
}

/// <summary>
/// Retries (exponential backoff with jitter, honouring retry-after / retry-after-ms, bounded in attempts and
/// time) around a circuit breaker, per provider, built on Polly. An attempt only ever covers the time up to
/// the response headers: once the gateway starts answering the client, nothing is retried.
/// </summary>
public sealed class ProviderResilience
{
    private static readonly ResiliencePropertyKey<long> StartedAt = new("switchboard.started");

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly CircuitBreakerStateProvider _breakerState = new();
    private readonly TimeProvider _time;
    private readonly ResilienceConfig _config;

    public ProviderResilience(string provider, ResilienceConfig config, TimeProvider? time = null)
    {
        Provider = provider;
        _config = config;
        _time = time ?? TimeProvider.System;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time, Name = provider };
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
            ShouldHandle = args => ValueTask.FromResult(IsProviderFailure(args.Outcome)),
        });
        _pipeline = builder.Build();
    }

    public string Provider { get; }

    /// <summary>Closed, Open, HalfOpen or Isolated.</summary>
    public CircuitState State => _breakerState.CircuitState;

    private long _retryCount;

    /// <summary>Retries made so far (for status and tests).</summary>
    public long RetryCount => Interlocked.Read(ref _retryCount);

    /// <summary>
    /// Runs <paramref name="attempt"/> (one upstream call up to its response headers) with retries and the breaker.
    /// Returns the final response, whatever its status; throws <see cref="UpstreamException"/> when no response came.
    /// </summary>
    public async Task<HttpResponseMessage> ExecuteAsync(Func<CancellationToken, Task<HttpResponseMessage>> attempt, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(StartedAt, _time.GetTimestamp());
        try
        {
            return await _pipeline.ExecuteAsync(static async (ctx, call) => await call(ctx.CancellationToken).ConfigureAwait(false), context, attempt).ConfigureAwait(false);
        }
        catch (BrokenCircuitException ex)
        {
            throw new UpstreamException(UpstreamFailureKind.CircuitOpen, Provider,
                $"provider '{Provider}' is failing and was skipped (circuit open for up to {_config.BreakerBreakSeconds} s).", ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Statuses worth another attempt: the request may succeed as it is.</summary>
    public static bool IsTransientStatus(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.Conflict or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (context.CancellationToken.IsCancellationRequested) return false;
        var transient = outcome switch
        {
            { Exception: UpstreamException { Kind: UpstreamFailureKind.Unreachable } } => true,
            { Result: { } response } => IsTransientStatus(response.StatusCode),
            _ => false,
        };
        if (!transient) return false;
        // Bounded in total time: no retry starts past the budget, nor one whose retry-after would end past it.
        var elapsed = context.Properties.TryGetValue(StartedAt, out var started) ? _time.GetElapsedTime(started) : TimeSpan.Zero;
        var wait = RetryAfter(outcome.Result) ?? TimeSpan.Zero;
        return elapsed + wait <= TimeSpan.FromMilliseconds(_config.MaxRetryTimeMs);
    }

    private static bool IsProviderFailure(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: UpstreamException } => true,
        { Result: { } response } => (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests,
        _ => false,
    };

    /// <summary>retry-after-ms, retry-after (seconds or an HTTP date); null lets the backoff decide.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response is null) return null;
        if (response.Headers.TryGetValues("retry-after-ms", out var ms) && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
            return TimeSpan.FromMilliseconds(millis);
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta) return delta;
        if (retryAfter?.Date is { } date) return date - DateTimeOffset.UtcNow is { } d && d > TimeSpan.Zero ? d : TimeSpan.Zero;
        return null;
    }
}
