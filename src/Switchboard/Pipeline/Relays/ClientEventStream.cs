using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Switchboard.Pipeline.Relays;

/// <summary>
/// The client's side of a relayed stream: whole events from the relay and, while the upstream is silent, a keep-alive
/// between them (Anthropic clients <c>event: ping</c>, OpenAI clients an SSE comment). Claude Code gives up
/// on a stream after minutes without a byte, and a reasoning model can think longer than that.
/// <para>
/// One timer per stream, started with the response and ticking every half interval: a tick with nothing written since
/// the one before sends a keep-alive, so the client never waits longer than the interval. The first tick sends one if
/// nothing was written yet, which also carries out the response headers (Kestrel holds them until the first write; an
/// upstream that answers at once costs no extra send).
/// A relay write costs a compare-exchange and a flag (the timer is never re-armed per chunk); a keep-alive is written
/// only while no relay write is in progress, so it never lands inside an event. Keep-alives are writes to the client
/// only: the upstream's idle timeout (<see cref="IdleTimeoutStream"/>, on reads) runs as before.
/// </para>
/// </summary>
internal sealed class ClientEventStream : IAsyncDisposable
{
    private const int Idle = 0, Relaying = 1, KeepingAlive = 2, Closed = 3;

    private static readonly ReadOnlyMemory<byte> AnthropicPing = "event: ping\ndata: {\"type\": \"ping\"}\n\n"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> OpenAIComment = ": keep-alive\n\n"u8.ToArray();

    private readonly PipeWriter _client;
    private readonly ReadOnlyMemory<byte> _frame;
    private readonly CancellationToken _aborted;
    private readonly Timer _timer;
    private int _state;
    /// <summary>Something went out since the last tick (keep-alives count).</summary>
    private bool _wrote;
    /// <summary>The keep-alive being written, for a relay write that has to wait for it.</summary>
    private Task _keepAlive = Task.CompletedTask;

    /// <summary>Starts the streamed response (its headers go out with the first event or keep-alive) and the keep-alive clock.</summary>
    public static async Task<ClientEventStream> StartAsync(HttpContext context, ApiFormat clientApi, TimeSpan keepAlive, CancellationToken aborted)
    {
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var response = context.Response;
        response.Headers.CacheControl = "no-cache";
        await response.StartAsync(aborted).ConfigureAwait(false);
        return new ClientEventStream(response.BodyWriter, clientApi, keepAlive, aborted);
    }

    internal ClientEventStream(PipeWriter client, ApiFormat clientApi, TimeSpan interval, CancellationToken aborted)
    {
        _client = client;
        _frame = clientApi == ApiFormat.Anthropic ? AnthropicPing : OpenAIComment;
        _aborted = aborted;
        var tick = interval / 2;
        // The timer needs nothing from the request's execution context (and should not keep it alive).
        using (ExecutionContext.SuppressFlow())
            _timer = new Timer(static state => ((ClientEventStream)state!).OnTick(), this, tick, tick);
    }

    /// <summary>Writes whole events to the client (never part of one: a keep-alive may follow any write).</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> events, CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, Relaying, Idle) != Idle) return WriteAfterKeepAliveAsync(events, cancellationToken);
        Volatile.Write(ref _wrote, true);
        ValueTask<FlushResult> write;
        try
        {
            write = _client.WriteAsync(events, cancellationToken);
        }
        catch
        {
            Volatile.Write(ref _state, Idle);
            throw;
        }
        if (!write.IsCompletedSuccessfully) return ReleaseWhenWrittenAsync(write);
        _ = write.Result; // consumed, as a ValueTask must be
        Volatile.Write(ref _state, Idle);
        return default;
    }

    private async ValueTask ReleaseWhenWrittenAsync(ValueTask<FlushResult> write)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _state, Idle);
        }
    }

    /// <summary>Rare: a keep-alive is on its way out (a copy into the response pipe, unless the client reads slowly).</summary>
    private async ValueTask WriteAfterKeepAliveAsync(ReadOnlyMemory<byte> events, CancellationToken cancellationToken)
    {
        await UntilStateIsAsync(Relaying).ConfigureAwait(false);
        Volatile.Write(ref _wrote, true);
        try
        {
            await _client.WriteAsync(events, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _state, Idle);
        }
    }

    /// <summary>Waits out a keep-alive in progress, then moves from Idle to <paramref name="next"/>.</summary>
    private async ValueTask UntilStateIsAsync(int next)
    {
        while (true)
        {
            int state = Interlocked.CompareExchange(ref _state, next, Idle);
            if (state == Idle) return;
            ObjectDisposedException.ThrowIf(state == Closed, this);
            Task keepAlive = Volatile.Read(ref _keepAlive);
            // Just after the timer took the state, _keepAlive may still be the previous (finished) one: yield and retry.
            if (keepAlive.IsCompleted) await Task.Yield();
            else await keepAlive.ConfigureAwait(false);
        }
    }

    private void OnTick()
    {
        if (Volatile.Read(ref _wrote))
        {
            Volatile.Write(ref _wrote, false);
            return;
        }
        // Only between relay writes: a write in progress is itself a sign of life.
        if (Interlocked.CompareExchange(ref _state, KeepingAlive, Idle) != Idle) return;
        Volatile.Write(ref _wrote, true); // the next one a whole interval later, not at the next tick
        Volatile.Write(ref _keepAlive, SendKeepAliveAsync());
    }

    private async Task SendKeepAliveAsync()
    {
        try
        {
            await _client.WriteAsync(_frame, _aborted).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The client is gone: the relay finds out on its next write, or the request's token ends it.
        }
        finally
        {
            Volatile.Write(ref _state, Idle);
        }
    }

    /// <summary>Stops the timer and waits for a keep-alive in flight, so nothing is written after the relay is done.</summary>
    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _state) == Closed) return;
        await UntilStateIsAsync(Closed).ConfigureAwait(false);
    }
}
