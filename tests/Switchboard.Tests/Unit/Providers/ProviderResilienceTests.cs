using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Switchboard.Config;
using Switchboard.Providers;

namespace Switchboard.Tests.Unit.Providers;

/// <summary>
/// Per-deployment resilience on a fake clock: each model's breaker and 429 cooldown are its own, and only failures to
/// connect at all open the breaker a provider's models share.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class ProviderResilienceTests
{
    private static readonly ResilienceConfig Config = new()
    {
        MaxRetries = 0,
        BreakerMinimumThroughput = 2,
        BreakerFailureRatio = 0.5,
        BreakerSamplingSeconds = 30,
        BreakerBreakSeconds = 30,
    };

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2025-06-01T12:00:00Z"));

    private (ProviderResilience A, ProviderResilience B, EndpointCircuit Endpoint) TwoModelsOneEndpoint(ResilienceConfig? config = null)
    {
        config ??= Config;
        var endpoint = new EndpointCircuit("openai", "http://127.0.0.1:9", config, _time);
        return (new ProviderResilience("openai", "openai/a", config, endpoint, _time), new ProviderResilience("openai", "openai/b", config, endpoint, _time), endpoint);
    }

    /// <summary>An upstream that answers with <paramref name="status"/> and counts its calls.</summary>
    private sealed class Upstream(HttpStatusCode status, Action<HttpResponseMessage>? shape = null)
    {
        public int Calls;
        public HttpStatusCode Status { get; set; } = status;

        public Task<HttpResponseMessage> Call(CancellationToken _)
        {
            Interlocked.Increment(ref Calls);
            var response = new HttpResponseMessage(Status) { Content = new StringContent("""{"error":{"message":"from the upstream"}}""", Encoding.UTF8, "application/json") };
            shape?.Invoke(response);
            return Task.FromResult(response);
        }
    }

    private sealed class Failing(UpstreamFailureKind kind)
    {
        public int Calls;

        public Task<HttpResponseMessage> Call(CancellationToken _)
        {
            Interlocked.Increment(ref Calls);
            throw new UpstreamException(kind, "openai", $"injected {kind}");
        }
    }

    private static async Task<HttpStatusCode> Status(ProviderResilience deployment, Func<CancellationToken, Task<HttpResponseMessage>> call, bool hasFallback = false)
    {
        using var response = await deployment.ExecuteAsync(call, hasFallback, CancellationToken.None);
        return response.StatusCode;
    }

    [Fact]
    public async Task A_models_server_errors_open_only_its_own_circuit()
    {
        var (a, b, endpoint) = TwoModelsOneEndpoint();
        var failing = new Upstream(HttpStatusCode.InternalServerError);
        var healthy = new Upstream(HttpStatusCode.OK);
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.InternalServerError, await Status(a, failing.Call));
        Assert.Equal(CircuitState.Open, a.State);

        var skipped = await Assert.ThrowsAsync<UpstreamException>(() => a.ExecuteAsync(failing.Call, false, CancellationToken.None));
        Assert.Equal(UpstreamFailureKind.CircuitOpen, skipped.Kind);
        Assert.Equal(503, skipped.ClientStatus);
        Assert.Contains("model 'openai/a' is failing", skipped.Message);
        Assert.Equal(TimeSpan.FromSeconds(30), skipped.RetryAfter);
        Assert.Equal(2, failing.Calls);

        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, await Status(b, healthy.Call));
        Assert.Equal(CircuitState.Closed, b.State);
        Assert.Equal(CircuitState.Closed, endpoint.State);
    }

    [Fact]
    public async Task An_open_circuit_half_opens_after_its_break_and_a_success_closes_it()
    {
        var (a, _, _) = TwoModelsOneEndpoint();
        var upstream = new Upstream(HttpStatusCode.BadGateway);
        for (var i = 0; i < 2; i++) await Status(a, upstream.Call);
        Assert.Equal(CircuitState.Open, a.State);
        _time.Advance(TimeSpan.FromSeconds(29));
        await Assert.ThrowsAsync<UpstreamException>(() => a.ExecuteAsync(upstream.Call, false, CancellationToken.None));

        _time.Advance(TimeSpan.FromSeconds(2));
        upstream.Status = HttpStatusCode.OK;
        Assert.Equal(HttpStatusCode.OK, await Status(a, upstream.Call));
        Assert.Equal(CircuitState.Closed, a.State);
    }

    [Theory]
    [InlineData(UpstreamFailureKind.Timeout)]
    [InlineData(UpstreamFailureKind.Unreachable)]
    public async Task Timeouts_and_broken_connections_count_against_the_model_not_the_endpoint(UpstreamFailureKind kind)
    {
        var (a, b, endpoint) = TwoModelsOneEndpoint();
        var failing = new Failing(kind);
        for (var i = 0; i < 2; i++)
            Assert.Equal(kind, (await Assert.ThrowsAsync<UpstreamException>(() => a.ExecuteAsync(failing.Call, false, CancellationToken.None))).Kind);
        Assert.Equal(CircuitState.Open, a.State);
        Assert.Equal(CircuitState.Closed, endpoint.State);
        Assert.Equal(HttpStatusCode.OK, await Status(b, new Upstream(HttpStatusCode.OK).Call));
    }

    [Fact]
    public async Task Failures_to_connect_open_the_endpoint_circuit_for_every_model_there_and_no_models_own()
    {
        var (a, b, endpoint) = TwoModelsOneEndpoint();
        var elsewhere = new ProviderResilience("openai", "openai/c", Config, new EndpointCircuit("openai", "http://127.0.0.1:10", Config, _time), _time);
        var refused = new Failing(UpstreamFailureKind.ConnectFailed);
        for (var i = 0; i < 2; i++)
            Assert.Equal(UpstreamFailureKind.ConnectFailed, (await Assert.ThrowsAsync<UpstreamException>(() => a.ExecuteAsync(refused.Call, false, CancellationToken.None))).Kind);
        Assert.Equal(CircuitState.Open, endpoint.State);
        Assert.Equal(CircuitState.Closed, a.State);
        Assert.Equal(CircuitState.Closed, b.State);

        var healthy = new Upstream(HttpStatusCode.OK);
        var skipped = await Assert.ThrowsAsync<UpstreamException>(() => b.ExecuteAsync(healthy.Call, false, CancellationToken.None));
        Assert.Equal(UpstreamFailureKind.CircuitOpen, skipped.Kind);
        Assert.Contains("at http://127.0.0.1:9 could not be reached and is skipped for every model there", skipped.Message);
        Assert.Equal(0, healthy.Calls);
        Assert.Equal(HttpStatusCode.OK, await Status(elsewhere, healthy.Call)); // another base URL of the same provider
        Assert.Equal(CircuitState.Closed, b.State); // being skipped is not the model's failure

        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(HttpStatusCode.OK, await Status(b, healthy.Call));
        Assert.Equal(CircuitState.Closed, endpoint.State);
    }

    [Fact]
    public async Task Rate_limits_never_open_a_circuit()
    {
        var (a, _, endpoint) = TwoModelsOneEndpoint();
        var limited = new Upstream(HttpStatusCode.TooManyRequests);
        for (var i = 0; i < 6; i++) Assert.Equal(HttpStatusCode.TooManyRequests, await Status(a, limited.Call));
        Assert.Equal(6, limited.Calls); // no retry-after: no cooldown either, every call reached the upstream
        Assert.Equal(CircuitState.Closed, a.State);
        Assert.Equal(CircuitState.Closed, endpoint.State);
        Assert.Null(a.Cooldown);
    }

    [Fact]
    public async Task A_429_with_retry_after_cools_only_that_model_down_for_that_long()
    {
        var (a, b, _) = TwoModelsOneEndpoint();
        var limited = new Upstream(HttpStatusCode.TooManyRequests, r => r.Headers.RetryAfter = new(TimeSpan.FromSeconds(20)));
        using (var first = await a.ExecuteAsync(limited.Call, false, CancellationToken.None))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
            // The body was kept for the cooldown and can still be relayed.
            Assert.Contains("from the upstream", await first.Content.ReadAsStringAsync());
        }

        var cooling = await Assert.ThrowsAsync<UpstreamException>(() => a.ExecuteAsync(limited.Call, false, CancellationToken.None));
        Assert.Equal(UpstreamFailureKind.RateLimited, cooling.Kind);
        Assert.Equal(429, cooling.ClientStatus);
        Assert.Equal("""{"error":{"message":"from the upstream"}}""", Encoding.UTF8.GetString(cooling.RateLimit!.Body.Span));
        Assert.Equal(TimeSpan.FromSeconds(20), cooling.RateLimit.RetryAfter);
        Assert.Equal(1, limited.Calls);

        Assert.Equal(HttpStatusCode.OK, await Status(b, new Upstream(HttpStatusCode.OK).Call));

        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(("5", "5000"), a.Cooldown!.RetryAfterHeaders);
        await Assert.ThrowsAsync<UpstreamException>(() => a.ExecuteAsync(limited.Call, false, CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Null(a.Cooldown);
        limited.Status = HttpStatusCode.OK;
        Assert.Equal(HttpStatusCode.OK, await Status(a, limited.Call));
        Assert.Equal(2, limited.Calls);
    }

    [Fact]
    public async Task A_cooled_down_model_with_a_fallback_is_not_retried_and_without_one_waits_out_the_retry_after()
    {
        var config = Config with { MaxRetries = 2, MaxRetryTimeMs = 30_000 };
        var withFallback = new ProviderResilience("openai", "openai/a", config, time: _time);
        var limited = new Upstream(HttpStatusCode.TooManyRequests, r => r.Headers.TryAddWithoutValidation("retry-after-ms", "2000"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Status(withFallback, limited.Call, hasFallback: true));
        Assert.Equal(1, limited.Calls);

        var alone = new ProviderResilience("openai", "openai/b", config, time: _time);
        var calls = 0;
        var call = alone.ExecuteAsync(_ => Task.FromResult(Interlocked.Increment(ref calls) == 1
            ? new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Headers = { { "retry-after-ms", "2000" } } }
            : new HttpResponseMessage(HttpStatusCode.OK)), hasFallback: false, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(call.IsCompleted); // waiting for the fake clock, not retrying at once
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        await Task.Delay(50);
        Assert.False(call.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, calls);
        Assert.Equal(1, alone.RetryCount);
    }

    [Fact]
    public async Task Retries_stop_at_the_attempt_limit()
    {
        var deployment = new ProviderResilience("openai", "openai/a", Config with { MaxRetries = 2, InitialBackoffMs = 1, MaxBackoffMs = 1, BreakerMinimumThroughput = 100 }, time: TimeProvider.System);
        var failing = new Upstream(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Status(deployment, failing.Call));
        Assert.Equal(3, failing.Calls);
        var badRequest = new Upstream(HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.BadRequest, await Status(deployment, badRequest.Call));
        Assert.Equal(1, badRequest.Calls);
    }

    [Theory]
    [InlineData("retry-after-ms", "1500", 1.5)]
    [InlineData("retry-after", "7", 7.0)]
    [InlineData("retry-after-ms", "1e400", 86_400.0)]       // no overflow: capped at a day
    [InlineData("retry-after", "999999999", 86_400.0)]
    [InlineData("retry-after-ms", "-5", null)]
    [InlineData("x-other", "5", null)]
    public void Retry_after_is_read_and_capped(string header, string value, double? seconds)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation(header, value);
        Assert.Equal(seconds, ProviderResilience.RetryAfter(response)?.TotalSeconds);
    }

    [Fact]
    public void A_wildcards_model_ids_each_get_their_own_deployment_up_to_a_bound()
    {
        var load = ConfigLoader.LoadText("model_providers:\n  - model: openai/*\n    access_key: k\n    base_url: http://127.0.0.1:9/v1\n");
        Assert.True(load.Succeeded, string.Join("\n", load.Diagnostics));
        using var registry = new ProviderRegistry(load.Config!);
        var endpoint = registry.All.Single();
        var a = endpoint.ResilienceFor("gpt-a");
        Assert.Same(a, endpoint.ResilienceFor("gpt-a"));
        Assert.NotSame(a, endpoint.ResilienceFor("gpt-b"));
        Assert.Equal("openai/gpt-a", a.Model);
        Assert.Same(endpoint.Circuit, a.Endpoint);
        for (var i = 0; i < ProviderEndpoint.MaxWildcardDeployments + 10; i++) endpoint.ResilienceFor("invented-" + i);
        Assert.Same(endpoint.Resilience, endpoint.ResilienceFor("one-too-many"));
        Assert.Equal(ProviderEndpoint.MaxWildcardDeployments + 1, endpoint.Deployments.Count());
    }
}
