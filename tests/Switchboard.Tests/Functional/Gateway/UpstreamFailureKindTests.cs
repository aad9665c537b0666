using System.Net;
using Microsoft.AspNetCore.Http;
using Switchboard.Config;
using Switchboard.Providers;
using Switchboard.Pipeline;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>
/// How an upstream call that got no response is classified: only a failure to connect at all is the endpoint's (and
/// may open the breaker its models share); everything after a connection was made is the model's.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class UpstreamFailureKindTests
{
    private static ProviderEndpoint Endpoint(HttpMessageHandler handler, string baseUrl = "http://127.0.0.1:9/v1")
    {
        var load = ConfigLoader.LoadText($"model_providers:\n  - model: openai/gpt-4.1\n    access_key: k\n    base_url: {baseUrl}\n");
        Assert.True(load.Succeeded, string.Join("\n", load.Diagnostics));
        var config = load.Config!;
        using var registry = new ProviderRegistry(config);
        var template = registry.All.Single();
        return new ProviderEndpoint(template.Config, template.Kind, new HttpMessageInvoker(handler), template.Circuit, config.Resilience, null);
    }

    private sealed class Throwing(Func<Exception> failure) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => throw failure();
    }

    private sealed class Silent : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    private static async Task<UpstreamException> Fail(ProviderEndpoint endpoint, TimeSpan? firstByte = null) =>
        await Assert.ThrowsAsync<UpstreamException>(() => UpstreamCall.SendAsync(endpoint, endpoint.GetCompletionUri("gpt-4.1"), "{}"u8.ToArray(),
            new HeaderDictionary(), firstByte ?? TimeSpan.FromSeconds(10), CancellationToken.None));

    [Theory]
    [InlineData(HttpRequestError.ConnectionError, UpstreamFailureKind.ConnectFailed)]
    [InlineData(HttpRequestError.NameResolutionError, UpstreamFailureKind.ConnectFailed)]
    [InlineData(HttpRequestError.SecureConnectionError, UpstreamFailureKind.ConnectFailed)]
    [InlineData(HttpRequestError.ResponseEnded, UpstreamFailureKind.Unreachable)]
    [InlineData(HttpRequestError.InvalidResponse, UpstreamFailureKind.Unreachable)]
    public async Task Only_failures_to_connect_are_the_endpoints(HttpRequestError error, UpstreamFailureKind expected)
    {
        var ex = await Fail(Endpoint(new Throwing(() => new HttpRequestException(error, "injected"))));
        Assert.Equal(expected, ex.Kind);
        Assert.Equal(502, ex.ClientStatus);
    }

    [Fact]
    public async Task A_connect_timeout_is_the_endpoints_and_a_first_byte_timeout_the_models()
    {
        // SocketsHttpHandler's ConnectTimeout: an OperationCanceledException wrapping a TimeoutException, not the caller's token.
        var connect = await Fail(Endpoint(new Throwing(() => new TaskCanceledException("connect", new TimeoutException("A connection could not be established within the configured ConnectTimeout.")))));
        Assert.Equal(UpstreamFailureKind.ConnectFailed, connect.Kind);
        Assert.Contains("ConnectTimeout", connect.Message);

        var firstByte = await Fail(Endpoint(new Silent()), TimeSpan.FromMilliseconds(100));
        Assert.Equal(UpstreamFailureKind.Timeout, firstByte.Kind);
        Assert.Equal(504, firstByte.ClientStatus);
    }

    [Fact]
    public async Task A_closed_port_is_a_failure_to_connect()
    {
        var endpoint = Endpoint(ProviderRegistry.CreateHandler(TimeSpan.FromSeconds(5)), $"http://127.0.0.1:{GatewayProcess.FreePort()}/v1");
        Assert.Equal(UpstreamFailureKind.ConnectFailed, (await Fail(endpoint)).Kind);
    }
}
