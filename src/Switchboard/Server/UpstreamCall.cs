using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Switchboard.Providers;

namespace Switchboard.Server;

/// <summary>Sends one request to a provider and returns as soon as the response headers arrive.</summary>
internal static class UpstreamCall
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly ProductInfoHeaderValue UserAgent = new("switchboard", "0.1");

    public static async Task<HttpResponseMessage> SendAsync(
        ProviderEndpoint endpoint, Uri uri, ReadOnlyMemory<byte> body, IHeaderDictionary clientHeaders,
        TimeSpan firstByteTimeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ReadOnlyMemoryContent(body),
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
        endpoint.ApplyAuth(request.Headers);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(firstByteTimeout);
        try
        {
            return await endpoint.Client.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(UpstreamFailureKind.Timeout, endpoint.Name, $"provider '{endpoint.Name}' sent no response within {firstByteTimeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(UpstreamFailureKind.Unreachable, endpoint.Name, $"provider '{endpoint.Name}' is unreachable at {uri.GetLeftPart(UriPartial.Authority)}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Reads a whole success body into a pooled buffer, sized by Content-Length when the upstream sent one (no per-response
    /// 16 KB array and copy); dispose it to return the buffer.
    /// </summary>
    public static async Task<RequestBody> ReadPooledAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await RequestBody.ReadAsync(stream, content.Headers.ContentLength, Array.MaxLength - 1, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("the upstream response is larger than an array can hold");
    }

    /// <summary>Reads an error body, at most <paramref name="limit"/> bytes (an error page can be large).</summary>
    public static async Task<byte[]> ReadLimitedAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[Math.Min(limit, 16 * 1024)];
        var length = 0;
        while (length < limit)
        {
            if (length == buffer.Length) Array.Resize(ref buffer, Math.Min(limit, buffer.Length * 2));
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            length += read;
        }
        return buffer.AsSpan(0, length).ToArray();
    }

    public static bool IsEventStream(HttpResponseMessage upstream) =>
        string.Equals(upstream.Content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);

    /// <summary>An upstream error, re-wrapped in the client's format with the upstream status.</summary>
    public static async Task RelayErrorAsync(HttpContext context, HttpResponseMessage upstream, RequestRecord record, RelayOptions options, CancellationToken aborted)
    {
        var status = (int)upstream.StatusCode;
        var errorBody = await ReadLimitedAsync(upstream.Content, options.MaxErrorBodyBytes, aborted).ConfigureAwait(false);
        record.Error = $"upstream {status}";
        record.Status = status;
        await ClientErrors.WriteBodyAsync(context, status, Protocols.ErrorFormats.FromUpstream(record.Client, status, errorBody)).ConfigureAwait(false);
    }

    /// <summary>Upstream response headers a client may act on (rate limits, retry hints, upstream request ids).</summary>
    public static void CopyUsefulHeaders(HttpResponseMessage upstream, HttpResponse response)
    {
        foreach (var (name, values) in upstream.Headers)
        {
            if (name.Equals("retry-after", StringComparison.OrdinalIgnoreCase)
                || name.Equals("retry-after-ms", StringComparison.OrdinalIgnoreCase)
                || name.Equals("request-id", StringComparison.OrdinalIgnoreCase)
                || name.Equals("x-request-id", StringComparison.OrdinalIgnoreCase)
                || name.Contains("ratelimit", StringComparison.OrdinalIgnoreCase))
                response.Headers[name] = values.ToArray();
        }
    }
}
