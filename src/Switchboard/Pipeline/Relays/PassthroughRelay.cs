using System.Runtime.CompilerServices;
using System.Text.Json;
using Switchboard.Protocols;
using Switchboard.Providers;

namespace Switchboard.Pipeline.Relays;

/// <summary>
/// Same-protocol success: byte for byte back to the client, streamed events flushed as they arrive (whole events
/// only, so a broken upstream never leaves half an event behind), usage read from what passes for the log.
/// </summary>
internal static class PassthroughRelay
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask RelayAsync(GatewayRequest request)
    {
        var upstream = request.Upstream!;
        var endpoint = request.Endpoint;
        var options = request.Snapshot.Relay;
        var aborted = request.Aborted;
        var response = request.Response;

        response.StatusCode = (int)upstream.StatusCode;
        response.ContentType = upstream.Content.Headers.ContentType?.ToString() ?? "application/json";
        if (UpstreamCall.IsEventStream(upstream))
        {
            request.Stream = true;
            await RelayStreamAsync(request).ConfigureAwait(false);
            return;
        }

        using var body = await UpstreamCall.ReadPooledAsync(upstream.Content, Array.MaxLength - 1, endpoint.Name, options.StreamIdleTimeout, aborted).ConfigureAwait(false);
        if (!IsJson(body.Span))
            throw new UpstreamException(UpstreamFailureKind.Unreachable, endpoint.Name, $"provider '{endpoint.Name}' answered {(int)upstream.StatusCode} with a body that is not JSON.");
        var usage = request.Usage;
        UsageReader.Accumulate(body.Span, ref usage);
        request.Usage = usage;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body.Memory, aborted).ConfigureAwait(false);
    }

    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();

    private static async Task RelayStreamAsync(GatewayRequest request)
    {
        var upstream = request.Upstream!;
        var endpoint = request.Endpoint;
        var options = request.Snapshot.Relay;
        var aborted = request.Aborted;
        await using var client = await ClientEventStream.StartAsync(request.Context, request.Client, options.StreamKeepAlive, aborted).ConfigureAwait(false);

        var buffer = BodyBuffers.Shared.Rent(16 * 1024);
        var pending = 0;
        long delivered = 0;
        var seen = new SeenEvents(request.Client, request.Usage); // passthrough: the client's protocol is the upstream's
        try
        {
            await using var stream = new IdleTimeoutStream(await upstream.Content.ReadAsStreamAsync(aborted).ConfigureAwait(false), options.StreamIdleTimeout, aborted);
            while (true)
            {
                if (pending == buffer.Length)
                {
                    // One event larger than the buffer (a big tool input): grow rather than split it.
                    var bigger = BodyBuffers.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, pending).CopyTo(bigger);
                    BodyBuffers.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(pending), aborted).ConfigureAwait(false);
                if (read == 0) break;
                var total = pending + read;
                var complete = SseFraming.CompleteEventsLength(buffer.AsSpan(0, total));
                if (complete > 0)
                {
                    var valid = ValidEventsLength(buffer.AsSpan(0, complete));
                    if (valid < complete)
                    {
                        // Forward the whole events before the broken one, then end the stream with an error event.
                        await client.WriteAsync(buffer.AsMemory(0, valid), aborted).ConfigureAwait(false);
                        delivered += valid;
                        throw new InvalidDataException("the provider sent an event whose data is not JSON");
                    }
                    SseFraming.ForEachDataLine(buffer.AsSpan(0, complete), ref seen, SeenEvents.OnData);
                    await client.WriteAsync(buffer.AsMemory(0, complete), aborted).ConfigureAwait(false);
                    delivered += complete;
                    buffer.AsSpan(complete, total - complete).CopyTo(buffer);
                }
                pending = total - complete;
            }
            if (pending > 0 && ValidEventsLength(buffer.AsSpan(0, pending)) < pending)
                throw new InvalidDataException("the provider sent an event whose data is not JSON");
            if (pending > 0)
            {
                // The upstream ended without a final blank line: deliver the last event whole.
                SseFraming.ForEachDataLine(buffer.AsSpan(0, pending), ref seen, SeenEvents.OnData);
                await client.WriteAsync(buffer.AsMemory(0, pending), aborted).ConfigureAwait(false);
                await client.WriteAsync(EventEnd, aborted).ConfigureAwait(false);
                delivered += pending;
            }
            if (!seen.Ended)
            {
                // A clean end of the connection before the protocol's final event: the answer is partial, and must not pass for whole.
                var missing = StreamEnd.Missing(request.Client);
                PipelineLog.StreamTruncated(request.Logger, request.Id, endpoint.Name, missing, delivered, "bytes");
                request.Fail(ErrorKind.StreamTruncated, $"upstream stream ended before its final event ({missing}) after {delivered} bytes");
                await client.WriteAsync(StreamErrors.Frame(request.Client,
                    $"Switchboard: the stream from provider '{endpoint.Name}' ended before its final event ({missing}): the answer is incomplete."), aborted).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (!aborted.IsCancellationRequested && ex is IOException or HttpRequestException or TimeoutException or InvalidDataException)
        {
            PipelineLog.StreamBroken(request.Logger, request.Id, endpoint.Name, delivered, ex.Message);
            request.Fail(ErrorKind.StreamBroken, $"upstream stream broke after {delivered} bytes: {ex.Message}");
            await client.WriteAsync(StreamErrors.Frame(request.Client, $"Switchboard: the stream from provider '{endpoint.Name}' broke: {ex.Message}"), aborted).ConfigureAwait(false);
        }
        finally
        {
            request.Usage = seen.Usage;
            BodyBuffers.Shared.Return(buffer);
        }
    }

    /// <summary>What the passing events said: usage for the log, and whether the protocol's final event came.</summary>
    private struct SeenEvents(ApiFormat api, TokenUsage usage)
    {
        private readonly ApiFormat _api = api;
        public TokenUsage Usage = usage;
        public bool Ended;

        public static void OnData(ReadOnlySpan<byte> payload, ref SeenEvents seen)
        {
            UsageReader.Accumulate(payload, ref seen.Usage);
            if (!seen.Ended) seen.Ended = StreamEnd.IsFinalEvent(seen._api, payload);
        }
    }

    private static readonly JsonReaderOptions ValidationOptions = new() { MaxDepth = 1000 };

    /// <summary>Whether a whole body is one JSON value (a forward pass of the reader, no DOM).</summary>
    internal static bool IsJson(ReadOnlySpan<byte> bytes)
    {
        var reader = new Utf8JsonReader(bytes, ValidationOptions);
        try
        {
            while (reader.Read()) { }
            return reader.BytesConsumed > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Length of the prefix of complete <paramref name="events"/> whose data is JSON (or <c>[DONE]</c>); the whole length
    /// when every event is. Events with several data lines are not checked (no provider splits JSON across lines).
    /// </summary>
    internal static int ValidEventsLength(ReadOnlySpan<byte> events)
    {
        int position = 0, eventStart = 0, dataLines = 0, dataStart = 0, dataLength = 0;
        while (position < events.Length)
        {
            var rest = events[position..];
            var end = rest.IndexOfAny((byte)'\n', (byte)'\r');
            var line = end < 0 ? rest : rest[..end];
            var next = end < 0 ? events.Length : position + end + (rest[end] == (byte)'\r' && end + 1 < rest.Length && rest[end + 1] == (byte)'\n' ? 2 : 1);
            if (line.IsEmpty)
            {
                if (!EventDataValid(events, dataLines, dataStart, dataLength)) return eventStart;
                eventStart = next;
                dataLines = 0;
            }
            else if (line.StartsWith("data:"u8))
            {
                dataLines++;
                dataStart = position + 5;
                dataLength = line.Length - 5;
                if (dataLength > 0 && events[dataStart] == (byte)' ') { dataStart++; dataLength--; }
            }
            position = next;
        }
        return EventDataValid(events, dataLines, dataStart, dataLength) ? events.Length : eventStart;
    }

    private static bool EventDataValid(ReadOnlySpan<byte> events, int dataLines, int dataStart, int dataLength)
    {
        if (dataLines != 1 || dataLength == 0) return true;
        var data = events.Slice(dataStart, dataLength);
        return data.SequenceEqual("[DONE]"u8) || IsJson(data);
    }
}
