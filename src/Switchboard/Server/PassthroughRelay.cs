using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Switchboard.Protocols;
using Switchboard.Providers;

namespace Switchboard.Server;

/// <summary>
/// Same-protocol relay: the body goes up unchanged but for the model; the answer comes back byte for byte,
/// streamed events flushed to the client as they arrive.
/// </summary>
internal static class PassthroughRelay
{
    public static async Task RelayAsync(HttpContext context, ProviderEndpoint endpoint, Uri uri, byte[] body, RequestRecord record,
        RelayOptions options, ILogger logger, CancellationToken aborted)
    {
        var clientHeaders = context.Request.Headers;
        using var upstream = await endpoint.Resilience.ExecuteAsync(
            ct => UpstreamCall.SendAsync(endpoint, uri, body, clientHeaders, options.FirstByteTimeout, ct), aborted).ConfigureAwait(false);
        record.MarkFirstByte();
        var response = context.Response;
        response.StatusCode = (int)upstream.StatusCode;
        UpstreamCall.CopyUsefulHeaders(upstream, response);

        if (!upstream.IsSuccessStatusCode)
        {
            var errorBody = await UpstreamCall.ReadLimitedAsync(upstream.Content, options.MaxErrorBodyBytes, aborted).ConfigureAwait(false);
            var rewrapped = UpstreamErrors.ToClientFormat(record.Client, (int)upstream.StatusCode, errorBody, endpoint.Name);
            record.Error = $"upstream {(int)upstream.StatusCode}";
            response.ContentType = "application/json";
            response.ContentLength = rewrapped.Length;
            await response.Body.WriteAsync(rewrapped, aborted).ConfigureAwait(false);
            return;
        }

        var mediaType = upstream.Content.Headers.ContentType?.MediaType;
        response.ContentType = upstream.Content.Headers.ContentType?.ToString() ?? "application/json";
        if (string.Equals(mediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            record.Stream = true;
            await RelayStreamAsync(context, endpoint, upstream, record, options, logger, aborted).ConfigureAwait(false);
            return;
        }

        var bytes = await UpstreamCall.ReadLimitedAsync(upstream.Content, int.MaxValue, aborted).ConfigureAwait(false);
        var usage = record.Usage;
        UsageReader.Accumulate(bytes, ref usage);
        record.Usage = usage;
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, aborted).ConfigureAwait(false);
    }

    private static async Task RelayStreamAsync(HttpContext context, ProviderEndpoint endpoint, HttpResponseMessage upstream, RequestRecord record,
        RelayOptions options, ILogger logger, CancellationToken aborted)
    {
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var response = context.Response;
        response.Headers.CacheControl = "no-cache";
        var writer = response.BodyWriter;
        await response.StartAsync(aborted).ConfigureAwait(false);

        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var pending = 0;
        long delivered = 0;
        var usage = record.Usage;
        using var idle = new IdleTimeout(options.StreamIdleTimeout, aborted);
        try
        {
            await using var stream = await upstream.Content.ReadAsStreamAsync(aborted).ConfigureAwait(false);
            while (true)
            {
                if (pending == buffer.Length)
                {
                    // One event larger than the buffer (a big tool input): grow rather than split it.
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, pending).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(pending), idle.Start()).ConfigureAwait(false);
                idle.Stop();
                if (read == 0) break;
                var total = pending + read;
                var complete = SseFraming.CompleteEventsLength(buffer.AsSpan(0, total));
                if (complete > 0)
                {
                    SseFraming.ForEachDataLine(buffer.AsSpan(0, complete), ref usage, static (payload, ref u) => UsageReader.Accumulate(payload, ref u));
                    await writer.WriteAsync(buffer.AsMemory(0, complete), aborted).ConfigureAwait(false);
                    delivered += complete;
                    buffer.AsSpan(complete, total - complete).CopyTo(buffer);
                }
                pending = total - complete;
            }
            if (pending > 0)
            {
                // The upstream ended without a final blank line: deliver the last event whole.
                SseFraming.ForEachDataLine(buffer.AsSpan(0, pending), ref usage, static (payload, ref u) => UsageReader.Accumulate(payload, ref u));
                await writer.WriteAsync(buffer.AsMemory(0, pending), aborted).ConfigureAwait(false);
                await writer.WriteAsync("\n\n"u8.ToArray(), aborted).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (!aborted.IsCancellationRequested && ex is IOException or HttpRequestException or OperationCanceledException)
        {
            var reason = idle.Fired ? $"no data for {options.StreamIdleTimeout.TotalSeconds:0.#} s" : ex.Message;
            GatewayLog.StreamBroken(logger, record.RequestId, endpoint.Name, delivered, reason);
            record.Error = $"upstream stream broke: {reason}";
            var frame = StreamErrors.Frame(record.Client, $"Switchboard: the stream from provider '{endpoint.Name}' broke: {reason}");
            await writer.WriteAsync(frame, aborted).ConfigureAwait(false);
        }
        finally
        {
            record.Usage = usage;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>
/// A per-read idle timeout for streams: a long stream that keeps producing is never cut, a stalled one is.
/// One timer source reused across reads.
/// </summary>
internal sealed class IdleTimeout(TimeSpan idle, CancellationToken outer) : IDisposable
{
    private CancellationTokenSource _source = CancellationTokenSource.CreateLinkedTokenSource(outer);

    /// <summary>True when the last read was cancelled by this timeout rather than by the client.</summary>
    public bool Fired => _source.IsCancellationRequested && !outer.IsCancellationRequested;

    public CancellationToken Start()
    {
        _source.CancelAfter(idle);
        return _source.Token;
    }

    public void Stop()
    {
        if (!_source.TryReset())
        {
            _source.Dispose();
            _source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        }
    }

    public void Dispose() => _source.Dispose();
}
