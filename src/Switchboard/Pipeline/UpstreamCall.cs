using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Switchboard.Pipeline.Relays;
using Switchboard.Providers;

namespace Switchboard.Pipeline;

/// <summary>Sends one request to a provider and returns as soon as the response headers arrive.</summary>
internal static class UpstreamCall
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly ProductInfoHeaderValue UserAgent = new("switchboard", "0.1");

    public static Task<HttpResponseMessage> SendAsync(
        ProviderEndpoint endpoint, Uri uri, ReadOnlyMemory<byte> body, IHeaderDictionary clientHeaders,
        TimeSpan firstByteTimeout, CancellationToken cancellationToken) =>
        SendAsync(endpoint, uri, new ReadOnlyMemoryContent(body), clientHeaders, firstByteTimeout, cancellationToken);

    /// <summary>Sends <paramref name="content"/> (disposed with the request message).</summary>
    public static async Task<HttpResponseMessage> SendAsync(
        ProviderEndpoint endpoint, Uri uri, HttpContent content, IHeaderDictionary clientHeaders,
        TimeSpan firstByteTimeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = content,
            Version = System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
        };
        request.Content.Headers.ContentType = Json;
        request.Headers.UserAgent.Add(UserAgent);
        if (endpoint.Api == ApiFormat.Anthropic)
        {
            // anthropic-* headers are API semantics (version, beta flags), not credentials: they pass through.
            var hasVersion = false;
            foreach (var (name, values) in clientHeaders)
            {
                if (!name.StartsWith("anthropic-", StringComparison.OrdinalIgnoreCase)) continue;
                hasVersion |= name.Equals("anthropic-version", StringComparison.OrdinalIgnoreCase);
                request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
            if (!hasVersion) request.Headers.TryAddWithoutValidation("anthropic-version", ProviderEndpoint.DefaultAnthropicVersion);
        }
        endpoint.ApplyAuth(request.Headers, clientHeaders);
        endpoint.ApplyConfiguredHeaders(request.Headers);
        // Trace context: while the gateway traces (an OpenTelemetry exporter listens), HttpClient sends its own span's
        // traceparent, a child of the client's; otherwise the client's passes through unchanged, as a proxy that
        // takes no part in the trace should.
        if (System.Diagnostics.Activity.Current is null && clientHeaders.TryGetValue(TraceContext.Parent, out var traceParent))
        {
            request.Headers.TryAddWithoutValidation(TraceContext.Parent, (IEnumerable<string?>)traceParent);
            if (clientHeaders.TryGetValue(TraceContext.State, out var traceState))
                request.Headers.TryAddWithoutValidation(TraceContext.State, (IEnumerable<string?>)traceState);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(firstByteTimeout);
        if (content is StreamedRequestBody.ForwardingContent arriving) arriving.TimeFirstByte(timeout, firstByteTimeout);
        try
        {
            return await endpoint.Client.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (StreamedBodyException.Find(ex) is { } stopped)
        {
            throw stopped; // the body's own stop (Relays/StreamedRequestBody), not the provider's failure
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && !timeout.IsCancellationRequested)
        {
            // Neither the client nor the first-byte clock: the handler's ConnectTimeout (an OperationCanceledException wrapping a TimeoutException).
            throw new UpstreamException(UpstreamFailureKind.ConnectFailed, endpoint.Name, $"provider '{endpoint.Name}' is unreachable at {uri.GetLeftPart(UriPartial.Authority)}: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(UpstreamFailureKind.Timeout, endpoint.Name, $"provider '{endpoint.Name}' sent no response within {firstByteTimeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            var kind = IsConnectFailure(ex) ? UpstreamFailureKind.ConnectFailed : UpstreamFailureKind.Unreachable;
            throw new UpstreamException(kind, endpoint.Name, $"provider '{endpoint.Name}' is unreachable at {uri.GetLeftPart(UriPartial.Authority)}: {ex.Message}", ex);
        }
    }

    /// <summary>No connection was made at all: the endpoint is down for every model it serves, not one model failing.</summary>
    private static bool IsConnectFailure(HttpRequestException ex) => ex.HttpRequestError is
        HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError;

    /// <summary>
    /// Reads a whole (non-streamed) body, at most <paramref name="limit"/> bytes (an error page can be large). A body
    /// that stalls longer than <paramref name="idleTimeout"/> between reads, or breaks off, is an
    /// <see cref="UpstreamException"/> (504 / 502 in the client's format), never a hang or an internal error.
    /// </summary>
    public static async Task<byte[]> ReadLimitedAsync(HttpContent content, int limit, string provider, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        using var body = await ReadPooledAsync(content, limit, provider, idleTimeout, cancellationToken).ConfigureAwait(false);
        return body.Span.ToArray();
    }

    /// <summary>
    /// Reads a whole success body into a pooled buffer, sized by Content-Length when the upstream sent one (no
    /// per-response array and copy); dispose it to return the buffer. A body past <paramref name="limit"/> is refused.
    /// Stalls and breaks become <see cref="UpstreamException"/>s, as in <see cref="ReadLimitedAsync"/>.
    /// </summary>
    public static async Task<PooledBody> ReadPooledAsync(HttpContent content, int limit, string provider, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new IdleTimeoutStream(await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), idleTimeout, cancellationToken);
            return await PooledBody.ReadAsync(stream, content.Headers.ContentLength, Math.Min(limit, Array.MaxLength - 1), cancellationToken).ConfigureAwait(false)
                ?? throw new UpstreamException(UpstreamFailureKind.Unreachable, provider, $"provider '{provider}' answered with a body larger than {limit} bytes.");
        }
        catch (TimeoutException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(UpstreamFailureKind.Timeout, provider, $"provider '{provider}' stopped in the middle of its response: {ex.Message}.", ex);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(UpstreamFailureKind.Unreachable, provider, $"provider '{provider}' broke off its response: {ex.Message}", ex);
        }
    }

    public static bool IsEventStream(HttpResponseMessage upstream) =>
        string.Equals(upstream.Content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// An upstream error with its status: byte for byte when the upstream speaks the client's protocol and answered in its
    /// error format, otherwise re-wrapped in the client's format (<see cref="Protocols.ErrorFormats.ForClient"/>).
    /// </summary>
    public static async Task RelayErrorAsync(GatewayRequest request)
    {
        var upstream = request.Upstream!;
        var options = request.Snapshot.Relay;
        var status = (int)upstream.StatusCode;
        byte[] errorBody;
        try
        {
            errorBody = await ReadLimitedAsync(upstream.Content, options.MaxErrorBodyBytes, request.Provider, options.StreamIdleTimeout, request.Aborted).ConfigureAwait(false);
        }
        catch (UpstreamException ex)
        {
            errorBody = System.Text.Encoding.UTF8.GetBytes(ex.Message); // the status still says what happened
        }
        await WriteUpstreamErrorAsync(request, request.UpstreamApi, status, errorBody).ConfigureAwait(false);
    }

    /// <summary>
    /// The 429 a model is cooling down after (or answered on this request before its fallbacks failed too), with
    /// retry-after / retry-after-ms counting down the time its retry-after has left.
    /// </summary>
    public static Task WriteRateLimitAsync(GatewayRequest request, RateLimitNotice notice, ApiFormat upstreamApi)
    {
        if (notice.RetryAfterHeaders is var (seconds, milliseconds))
        {
            request.Response.Headers.RetryAfter = seconds;
            request.Response.Headers["retry-after-ms"] = milliseconds;
        }
        return WriteUpstreamErrorAsync(request, upstreamApi, 429, notice.Body.Span);
    }

    private static Task WriteUpstreamErrorAsync(GatewayRequest request, ApiFormat upstreamApi, int status, ReadOnlySpan<byte> body)
    {
        var error = Protocols.ErrorFormats.ForClient(request.Client, upstreamApi, status, body);
        request.Fail(status == 429 ? ErrorKind.RateLimited : ErrorKind.UpstreamError,
            error.Status == status ? $"upstream {status}" : $"upstream {status} (as {error.Status})", error.Status);
        return ClientErrors.WriteBodyAsync(request.Context, error.Status, error.Body);
    }

    /// <summary>
    /// Upstream response headers a client may act on (rate limits, retry hints, upstream request ids), as the upstream
    /// wrote them: the non-validated view does not parse every header of the response into typed values first
    /// (before a streamed answer's first byte, on every request).
    /// </summary>
    public static void CopyUsefulHeaders(HttpResponseMessage upstream, HttpResponse response)
    {
        foreach (var (name, values) in upstream.Headers.NonValidated)
        {
            if (name.Equals("retry-after", StringComparison.OrdinalIgnoreCase)
                || name.Equals("retry-after-ms", StringComparison.OrdinalIgnoreCase)
                || name.Equals("request-id", StringComparison.OrdinalIgnoreCase)
                || name.Equals("x-request-id", StringComparison.OrdinalIgnoreCase)
                || name.Contains("ratelimit", StringComparison.OrdinalIgnoreCase))
            {
                // The raw view is not checked for CR/LF (HTTP/2 upstreams can send them), which Kestrel refuses to
                // write: such a value is left out rather than failing the answer.
                if (AllPrintable(values)) response.Headers[name] = values.Count == 1 ? values.ToString() : values.ToArray();
            }
        }
    }

    private static bool AllPrintable(HeaderStringValues values)
    {
        foreach (var value in values)
            if (value.AsSpan().ContainsAnyExcept(PrintableOrTab)) return false;
        return true;
    }

    /// <summary>What Kestrel writes in a header value: visible ASCII, space and tab.</summary>
    private static readonly System.Buffers.SearchValues<char> PrintableOrTab =
        System.Buffers.SearchValues.Create("\t !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");
}
