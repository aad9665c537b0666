using System.Net;
using Microsoft.AspNetCore.Http;
using System.Text.Json;
using Switchboard.Protocols;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.Translation;

namespace Switchboard.Pipeline.Relays;

/// <summary>
/// A large same-API request whose top-level <c>model</c> comes first (Claude Code, the Anthropic SDK, Codex) goes
/// upstream while its body is still arriving, as nginx does with request buffering off: the client's bytes are read
/// into one pooled buffer (which retries and fallbacks resend whole) and forwarded behind the reads, with the model id
/// spliced in. The last <see cref="TailBytes"/> are held until the whole body is in and has passed the same peek and
/// checks as a buffered one: invalid JSON or a missing field aborts the upstream request (it never sees a complete one)
/// and the client gets the same 400; a capped max_tokens in the tail is written there, padded to its old length so the
/// Content-Length sent first stays true; an edit the tail cannot hold (a rewrite, a longer value) aborts this attempt
/// and the request is sent again whole, as before this type.
/// </summary>
internal sealed class StreamedRequestBody
{
    /// <summary>Bodies from this size on (Content-Length) are candidates; smaller ones arrive in one or two reads anyway.</summary>
    public const int MinBytes = 64 * 1024;
    /// <summary>How far into the body the model must be found (the first member's value).</summary>
    private const int ModelWithin = 4 * 1024;
    /// <summary>Held back until the body is whole and checked: max_tokens, thinking and stream end Claude Code's bodies.</summary>
    internal const int TailBytes = 4 * 1024;

    private readonly Stream _source;
    private readonly byte[] _buffer;
    private readonly int _length;
    /// <summary>The client's abort, or the request's end (<see cref="Stop"/>): an HTTP/2 upstream may leave the content running past it.</summary>
    private readonly CancellationTokenSource _stop;
    private readonly CancellationToken _stopped;
    /// <summary>The session headers, read at admission: the request's headers are not ours once it has ended.</summary>
    private readonly string _claudeSessionHeader;
    private readonly string? _codexSession;
    private readonly SemaphoreSlim _reading = new(1, 1);
    private readonly Lock _lock = new();
    private int _received;
    private Task<Verdict>? _completion;
    private int _forwardedOnce;

    private StreamedRequestBody(Stream source, byte[] buffer, int length, IHeaderDictionary headers, CancellationToken aborted)
    {
        _source = source;
        _buffer = buffer;
        _length = length;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        _stopped = _stop.Token; // kept: the source is disposed at the request's end, maybe while a read still looks
        _claudeSessionHeader = headers[ClientSession.Header].ToString();
        _codexSession = ClientSession.FromCodexHeaders(headers);
        Body = PooledBody.FromRented(buffer, length);
    }

    /// <summary>
    /// The request has ended: a read still waiting on the client's body stops. Over HTTP/2 HttpClient runs the content
    /// beside the response (duplex) and can return before it finishes; Kestrel's body must not be read after the request.
    /// </summary>
    public void Stop()
    {
        try
        {
            _stop.Cancel();
            _stop.Dispose(); // and its registration on the client's abort token
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>The whole body once <see cref="CompleteAsync"/> has run (the request owns and disposes it).</summary>
    public PooledBody Body { get; }

    /// <summary>The top-level model and where its value lies, known before the bulk of the body; null: not found early.</summary>
    public RequestPeek? EarlyPeek { get; private set; }

    public bool IsComplete => Volatile.Read(ref _received) == _length;

    /// <summary>Whether the whole body has been peeked and checked (<see cref="CompleteAsync"/> ran to its end).</summary>
    public bool IsChecked => Volatile.Read(ref _completion) is { IsCompletedSuccessfully: true };

    /// <summary>Whether admission may try this for <paramref name="contentLength"/> (Content-Length known, within the limit).</summary>
    public static bool Fits(long? contentLength, long limit) => contentLength is { } length && length >= MinBytes && length <= limit;

    /// <summary>Reads until the first member is known: the model (<see cref="EarlyPeek"/>) or not.</summary>
    public static async ValueTask<StreamedRequestBody> StartAsync(Stream source, int contentLength, IHeaderDictionary headers, CancellationToken aborted)
    {
        var body = new StreamedRequestBody(source, BodyBuffers.Shared.Rent(contentLength), contentLength, headers, aborted);
        try
        {
            while (true)
            {
                var decided = ModelFirst(body._buffer.AsSpan(0, body._received), out var early);
                if (decided || body._received >= ModelWithin || body.IsComplete)
                {
                    body.EarlyPeek = early;
                    return body;
                }
                await body.ReadMoreAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch
        {
            body.Stop();
            body.Body.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <c>{"model":"…"</c> at the start of <paramref name="prefix"/>: true once that is decided (<paramref name="early"/>
    /// null when the first member is something else, or the model is not a plain string).
    /// </summary>
    internal static bool ModelFirst(ReadOnlySpan<byte> prefix, out RequestPeek? early)
    {
        early = null;
        var i = JsonScan.SkipWhitespace(prefix, 0);
        if (i >= prefix.Length) return false;
        if (prefix[i] != '{') return true;
        i = JsonScan.SkipWhitespace(prefix, i + 1);
        ReadOnlySpan<byte> name = "\"model\""u8;
        var available = Math.Min(prefix.Length - i, name.Length);
        if (!prefix.Slice(i, available).SequenceEqual(name[..available])) return true;
        if (available < name.Length) return false;
        i = JsonScan.SkipWhitespace(prefix, i + name.Length);
        if (i >= prefix.Length) return false;
        if (prefix[i] != ':') return true;
        var start = JsonScan.SkipWhitespace(prefix, i + 1);
        if (start >= prefix.Length) return false;
        if (prefix[start] != '"') return true;
        var end = prefix[(start + 1)..].IndexOfAny((byte)'"', (byte)'\\');
        if (end < 0) return false;
        end += start + 1;
        if (prefix[end] == '\\') return true; // an escaped id: the buffered path reads it
        var id = prefix[(start + 1)..end];
        if (id.IsEmpty || id.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0 || !System.Text.Unicode.Utf8.IsValid(id)) return true;
        early = new RequestPeek { Model = System.Text.Encoding.UTF8.GetString(id), ModelValueStart = start, ModelValueLength = end + 1 - start };
        return true;
    }

    /// <summary>One more read of the client's body into the buffer (one reader at a time); false once it is whole.</summary>
    private async ValueTask<bool> ReadMoreAsync(CancellationToken cancellationToken)
    {
        await _reading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_received == _length) return false;
            var read = await _source.ReadAsync(_buffer.AsMemory(_received, _length - _received), _stopped).ConfigureAwait(false);
            if (read == 0) throw new IOException("the request body ended before its Content-Length.");
            Volatile.Write(ref _received, _received + read);
            return _received < _length;
        }
        finally
        {
            _reading.Release();
        }
    }

    /// <summary>
    /// The rest of the body read, then the whole of it peeked and checked once (the request's peek, stream flag and
    /// session are the full ones from then on). The verdict says whether it is a valid request of the client's API.
    /// </summary>
    public Task<Verdict> CompleteAsync(GatewayRequest request)
    {
        lock (_lock) return _completion ??= CompleteCoreAsync(request);
    }

    private async Task<Verdict> CompleteCoreAsync(GatewayRequest request)
    {
        while (await ReadMoreAsync(CancellationToken.None).ConfigureAwait(false)) { }
        _stopped.ThrowIfCancellationRequested(); // the request has ended: nothing of it is ours to set
        RequestPeek peek;
        try
        {
            peek = RequestPeek.Read(Body.Span);
        }
        catch (JsonException ex)
        {
            return new Verdict($"request body is not valid JSON: {ex.Message}");
        }
        request.Peek = peek;
        request.Stream = peek.Stream;
        request.SessionId = ClientSession.From(_claudeSessionHeader, peek.UserId) ?? _codexSession;
        return new Verdict(Steps.AdmitStep.Invalid(in peek));
    }

    /// <summary>
    /// The content of one attempt: the first forwards the body as it arrives; a retry or another candidate's attempt
    /// waits for the whole body and sends it from the buffer with the full splice.
    /// </summary>
    public async ValueTask<HttpContent> ContentForAttemptAsync(GatewayRequest request, string modelId, int? maxTokensCap)
    {
        if (Interlocked.Exchange(ref _forwardedOnce, 1) == 0 && !IsComplete)
            return new ForwardingContent(this, request, modelId, maxTokensCap);
        var verdict = await CompleteAsync(request).ConfigureAwait(false);
        if (verdict.Problem is { } problem) throw new StreamedBodyException(StreamedBodyFailure.Invalid, problem);
        if (NeedsRewrite(request)) throw new StreamedBodyException(StreamedBodyFailure.SendWhole, "the body needs a rewrite");
        return new SplicedContent(Body, request.Peek.Splice(modelId, maxTokensCap));
    }

    /// <summary>The rare rewrites of <see cref="UpstreamPlan.Create"/> (foreign thinking, Gemini-signed tool ids, a Responses upstream's encrypted reasoning) need the body rebuilt whole.</summary>
    private bool NeedsRewrite(GatewayRequest request) => request.Client == ApiFormat.Anthropic
        ? UnsignedThinking.MayContainForeignThinking(Body.Span)
        : SignedToolCallIds.MayNeedStripping(Body.Span);

    /// <summary>Whether the body is whole and valid; <see cref="Problem"/> is the client's 400 otherwise.</summary>
    public readonly record struct Verdict(string? Problem);

    /// <summary>
    /// The first attempt's body: forwarded behind the client's reads, the tail checked before it goes. The provider's
    /// first-byte clock (<see cref="TimeFirstByte"/>) restarts at each of the client's reads and once the tail is sent,
    /// so a slow upload is not the provider's timeout (nor its breaker's failure), while a provider that stops reading
    /// the body still times out.
    /// </summary>
    internal sealed class ForwardingContent(StreamedRequestBody owner, GatewayRequest request, string modelId, int? maxTokensCap) : HttpContent
    {
        private readonly byte[] _model = RequestPeek.JsonQuoted(modelId);
        private CancellationTokenSource? _clock;
        private TimeSpan _firstByteTimeout;

        /// <summary>The call's first-byte clock, already started, to restart as the body goes out.</summary>
        public void TimeFirstByte(CancellationTokenSource clock, TimeSpan firstByteTimeout)
        {
            _clock = clock;
            _firstByteTimeout = firstByteTimeout;
        }

        private void RestartClock()
        {
            try
            {
                _clock?.CancelAfter(_firstByteTimeout);
            }
            catch (ObjectDisposedException)
            {
                // The call has returned (an early answer over HTTP/2): no clock left to restart.
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var body = owner.Body;
            if (!body.TryLease()) throw new ObjectDisposedException(nameof(PooledBody), "the request ended before its body was sent upstream.");
            try
            {
                var early = owner.EarlyPeek!.Value;
                var buffer = owner._buffer;
                await stream.WriteAsync(buffer.AsMemory(0, early.ModelValueStart), cancellationToken).ConfigureAwait(false);
                await stream.WriteAsync(_model, cancellationToken).ConfigureAwait(false);
                var sent = early.ModelValueStart + early.ModelValueLength;
                var holdFrom = owner._length - TailBytes;
                while (!owner.IsComplete)
                {
                    var upTo = Math.Min(Volatile.Read(ref owner._received), holdFrom);
                    if (upTo > sent)
                    {
                        await stream.WriteAsync(buffer.AsMemory(sent, upTo - sent), cancellationToken).ConfigureAwait(false);
                        sent = upTo;
                    }
                    try
                    {
                        await owner.ReadMoreAsync(cancellationToken).ConfigureAwait(false);
                        RestartClock();
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        throw new StreamedBodyException(StreamedBodyFailure.ClientFailed, "the client's body could not be read", ex);
                    }
                }
                // Whole: what the last read brought, up to the held tail, goes out while the peek runs (a write the
                // socket cannot take at once completes beside it), rather than after it. Not with a max_tokens cap: its
                // edit may fall in those bytes, and once sent it would mean sending the body again whole.
                var bulk = maxTokensCap is null && holdFrom > sent
                    ? stream.WriteAsync(buffer.AsMemory(sent, holdFrom - sent), cancellationToken)
                    : ValueTask.CompletedTask;
                if (maxTokensCap is null) sent = Math.Max(sent, holdFrom);
                Verdict verdict;
                Exception? bulkFailure = null;
                try
                {
                    verdict = await owner.CompleteAsync(request).ConfigureAwait(false);
                }
                finally
                {
                    try
                    {
                        await bulk.ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        bulkFailure = ex;
                    }
                }
                // An invalid body is the client's 400 even when the provider stopped reading meanwhile (its failure
                // would otherwise count against the provider and try a fallback).
                if (verdict.Problem is { } problem) throw new StreamedBodyException(StreamedBodyFailure.Invalid, problem);
                if (bulkFailure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(bulkFailure);
                // A rewrite, or a second top-level "model" (the peek keeps the last, as a buffered request's does): sent whole.
                if (owner.NeedsRewrite(request) || request.Peek.ModelValueStart != early.ModelValueStart)
                    throw new StreamedBodyException(StreamedBodyFailure.SendWhole, "the body needs a rewrite");
                await WriteTailAsync(stream, buffer, sent, request.Peek.Splice(modelId, maxTokensCap), cancellationToken).ConfigureAwait(false);
                RestartClock(); // from here the provider has the whole request: its first-byte timeout, as for a buffered body
            }
            finally
            {
                body.ReleaseLease();
            }
        }

        /// <summary>
        /// The body from <paramref name="sent"/> to its end with the splice's edits past the model (a capped max_tokens,
        /// a thinking budget), each padded with spaces to its old length; one it cannot write so means sending again whole.
        /// </summary>
        private async Task WriteTailAsync(Stream stream, byte[] buffer, int sent, BodySplice splice, CancellationToken cancellationToken)
        {
            var modelStart = owner.EarlyPeek!.Value.ModelValueStart;
            for (var i = 0; i < splice.EditCount; i++)
            {
                var (start, oldLength, value) = splice.EditAt(i);
                if (start == modelStart) continue; // the model, already sent
                if (start < sent || value.Length > oldLength || oldLength - value.Length > Spaces.Length)
                    throw new StreamedBodyException(StreamedBodyFailure.SendWhole, "an edit falls outside the held tail");
                await stream.WriteAsync(buffer.AsMemory(sent, start - sent), cancellationToken).ConfigureAwait(false);
                await stream.WriteAsync(value, cancellationToken).ConfigureAwait(false);
                await stream.WriteAsync(Spaces.AsMemory(0, oldLength - value.Length), cancellationToken).ConfigureAwait(false);
                sent = start + oldLength;
            }
            await stream.WriteAsync(buffer.AsMemory(sent, owner._length - sent), cancellationToken).ConfigureAwait(false);
        }

        /// <summary>JSON whitespace that keeps a shortened number's old length.</summary>
        private static readonly byte[] Spaces = System.Text.Encoding.ASCII.GetBytes(new string(' ', 32));

        protected override bool TryComputeLength(out long length)
        {
            var early = owner.EarlyPeek!.Value;
            length = owner._length - early.ModelValueLength + _model.Length;
            return true;
        }
    }
}

/// <summary>Why a streamed body's attempt stopped before its last byte.</summary>
internal enum StreamedBodyFailure
{
    /// <summary>Not a valid request (JSON, or the client API's required fields): the client's 400.</summary>
    Invalid,
    /// <summary>An edit the held tail cannot hold: send the whole body again, as a buffered request.</summary>
    SendWhole,
    /// <summary>Reading the client's body failed (it went away, or Kestrel refused the body).</summary>
    ClientFailed,
}

/// <summary>A streamed request body's attempt aborted on purpose (the upstream saw an incomplete request); not the provider's failure.</summary>
internal sealed class StreamedBodyException(StreamedBodyFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public StreamedBodyFailure Failure { get; } = failure;

    /// <summary>The one in <paramref name="exception"/>'s inner chain (HttpClient wraps what content throws), or null.</summary>
    public static StreamedBodyException? Find(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is StreamedBodyException found) return found;
        return null;
    }
}
