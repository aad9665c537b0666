using System.Buffers;
using System.Net.ServerSentEvents;

namespace Switchboard.Protocols;

/// <summary>How a pumped stream ended.</summary>
internal enum SsePumpOutcome
{
    /// <summary>The upstream stream ended with its final event; the translator closed the client stream.</summary>
    Completed,
    /// <summary>
    /// The upstream stream ended (cleanly, at the socket) before its protocol's final event: the client got an error
    /// event, not a finished answer (<see cref="StreamEnd"/>).
    /// </summary>
    Truncated,
    /// <summary>Reading the upstream failed; the client got an error event (if it could still be written).</summary>
    UpstreamFailed,
    /// <summary>The token was cancelled (client gone, or the server's idle timeout): nothing more was written.</summary>
    Cancelled,
    /// <summary>Writing to the client failed (it disconnected): the upstream should be abandoned.</summary>
    ClientFailed,
}

/// <summary>The result of <see cref="SseEventPump.PumpAsync"/>, for the server's logs and metrics.</summary>
internal readonly record struct SsePumpResult(SsePumpOutcome Outcome, int EventCount, Exception? Error = null)
{
    public bool Completed => Outcome == SsePumpOutcome.Completed;
}

/// <summary>
/// Moves one upstream SSE response through a translator to the client: parses events with the BCL's
/// <see cref="SseParser"/> (split reads, CR/LF/CRLF, comments, split UTF-8 are its job) and hands each to the
/// translator. The output goes out whenever the parser has no further event without reading again: every event one
/// upstream read delivered leaves in one write and one flush, and none is held back waiting for the next read.
/// </summary>
internal static class SseEventPump
{
    /// <param name="upstream">The upstream response body.</param>
    /// <param name="translator">A fresh translator for this response.</param>
    /// <param name="flush">Writes bytes to the client and flushes them (e.g. PipeWriter.WriteAsync).</param>
    /// <param name="ct">Cancelled when the client disconnects or the server gives up on an idle upstream.</param>
    /// <remarks>
    /// Never throws for upstream or client I/O failures: the outcome says what happened. On cancellation nothing more
    /// is written; a server that cancels for an idle timeout and still has the client can call
    /// <see cref="IStreamTranslator.OnFailed"/> itself.
    /// </remarks>
    public static async Task<SsePumpResult> PumpAsync(
        Stream upstream,
        IStreamTranslator translator,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> flush,
        CancellationToken ct)
    {
        var output = new PooledBufferWriter(4096);
        // The parser hands out each event's data as a span valid only during the callback: copy it into one reused
        // buffer, valid until the next event (each event is translated before the parser moves on).
        var data = new PooledBufferWriter(4096);
        int events = 0;

        using var reads = new UpstreamReads(upstream);
        SseParser<ReadOnlyMemory<byte>> parser = SseParser.Create(reads, (type, bytes) =>
        {
            data.Clear();
            data.Write(bytes);
            return data.WrittenMemory;
        });

        // Output of whole events only: what an event that threw half-way wrote is never sent.
        int translated = 0;
        IAsyncEnumerator<SseItem<ReadOnlyMemory<byte>>> enumerator = parser.EnumerateAsync(ct).GetAsyncEnumerator(ct);
        bool iterating = false;
        try
        {
            try
            {
                while (true)
                {
                    long readsBefore = reads.Count;
                    ValueTask<bool> next = enumerator.MoveNextAsync();
                    iterating = true;
                    if (!next.IsCompleted)
                    {
                        // The parser waits for the upstream: everything already translated goes out now, in one write.
                        await FlushAsync(output, flush, ct).ConfigureAwait(false);
                        translated = 0;
                    }
                    bool more = await next.ConfigureAwait(false);
                    iterating = false;
                    if (reads.Count != readsBefore && translated > 0)
                    {
                        // The parser read the upstream again and the data was already there: the events of the read before
                        // go out before this one's, so each upstream read's events leave together.
                        await FlushAsync(output, flush, ct).ConfigureAwait(false);
                        translated = 0;
                    }
                    if (!more) break;
                    // The parser only checks the token when it must read: buffered events would still be processed.
                    ct.ThrowIfCancellationRequested();
                    events++;
                    SseItem<ReadOnlyMemory<byte>> item = enumerator.Current;
                    translator.OnEvent(item.EventType, item.Data.Span, output);
                    translated = output.WrittenCount;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return new SsePumpResult(SsePumpOutcome.Cancelled, events);
            }
            catch (ClientWriteException e)
            {
                return new SsePumpResult(SsePumpOutcome.ClientFailed, events, e.InnerException);
            }
            catch (Exception e)
            {
                // The events translated whole before the failure still go, then the translator's error event.
                output.Truncate(translated);
                translator.OnFailed($"Upstream stream failed: {e.Message}", output);
                await TryFinalFlushAsync(output, flush, ct).ConfigureAwait(false);
                return new SsePumpResult(SsePumpOutcome.UpstreamFailed, events, e);
            }
            finally
            {
                // An enumerator cannot be disposed while a read is pending (the client went away during one): the
                // upstream stream's disposal by the caller ends that read.
                if (!iterating)
                {
                    await enumerator.DisposeAsync().ConfigureAwait(false);
                    reads.ReturnBuffer(); // nothing reads any more; otherwise the buffer is left to the GC (a read may still fill it)
                    data.Dispose(); // likewise: the parser's callback may still fill it
                }
            }

            if (ct.IsCancellationRequested) return new SsePumpResult(SsePumpOutcome.Cancelled, events);
            bool complete = translator.OnCompleted(output);
            try
            {
                await FlushAsync(output, flush, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return new SsePumpResult(SsePumpOutcome.Cancelled, events);
            }
            catch (ClientWriteException e)
            {
                return new SsePumpResult(SsePumpOutcome.ClientFailed, events, e.InnerException);
            }
            return new SsePumpResult(complete ? SsePumpOutcome.Completed : SsePumpOutcome.Truncated, events);
        }
        finally
        {
            // Rented, not allocated per stream. Only the pump writes it, and every flush of it has been awaited by now, so it
            // goes back even when a read failed or is still pending (unlike the parser's buffers, which such a read may fill).
            output.Dispose();
        }
    }

    private static async ValueTask FlushAsync(PooledBufferWriter output, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> flush, CancellationToken ct)
    {
        if (output.WrittenCount == 0) return;
        try
        {
            await flush(output.WrittenMemory, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ClientWriteException(e);
        }
        output.Clear();
    }

    private static async ValueTask TryFinalFlushAsync(PooledBufferWriter output, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> flush, CancellationToken ct)
    {
        try
        {
            await FlushAsync(output, flush, ct).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The client is gone too: the upstream failure is what gets reported.
        }
    }

    /// <summary>
    /// The upstream as the parser sees it: each upstream read fills one 16 KB buffer (HttpClient copies every chunk its
    /// connection already holds), and the parser's reads, at most 1 KB each (its line buffer), are served from it. So
    /// <see cref="Count"/> counts upstream reads, and the events of one of them leave in one write: counted at the
    /// parser's reads, a read's events that straddled the parser's buffer went out in two sends.
    /// </summary>
    private sealed class UpstreamReads(Stream inner) : Stream
    {
        private const int Size = 16 * 1024;

        private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(Size);
        private int _start, _end;
        private bool _disposed;
        public long Count;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            if (_start < _end || destination.IsEmpty) return new ValueTask<int>(Take(destination.Span));
            ObjectDisposedException.ThrowIf(_disposed, this);
            Count++;
            ValueTask<int> read = inner.ReadAsync(_buffer, cancellationToken);
            if (!read.IsCompletedSuccessfully) return FillAsync(read, destination);
            _start = 0;
            _end = read.Result;
            return new ValueTask<int>(Take(destination.Span));
        }

        private async ValueTask<int> FillAsync(ValueTask<int> read, Memory<byte> destination)
        {
            _end = await read.ConfigureAwait(false);
            _start = 0;
            return Take(destination.Span);
        }

        private int Take(Span<byte> destination)
        {
            int length = Math.Min(destination.Length, _end - _start);
            _buffer.AsSpan(_start, length).CopyTo(destination);
            _start += length;
            return length;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> destination)
        {
            if (_start == _end && !destination.IsEmpty)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                Count++;
                _start = 0;
                _end = inner.Read(_buffer);
            }
            return Take(destination);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private bool _returned;

        /// <summary>
        /// Gives the buffer back to the pool; the pump calls it only once the parser has stopped (no read pending, none
        /// to start). Dispose never does: a read in flight when the client went away may still write into it.
        /// </summary>
        public void ReturnBuffer()
        {
            if (_returned) return;
            _returned = _disposed = true;
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        protected override void Dispose(bool disposing)
        {
            _disposed = true;
            base.Dispose(disposing);
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Tells a failed client write apart from a failed upstream read inside the pump.</summary>
    private sealed class ClientWriteException(Exception inner) : Exception(inner.Message, inner);
}
