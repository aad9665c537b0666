using System.Net;
using Switchboard.Protocols;

namespace Switchboard.Pipeline.Relays;

/// <summary>
/// An upstream request body sent straight from its pooled buffer: the client's bytes around the model splice (and a
/// capped max_tokens) for the same API, or a translation's output. Nothing is copied into a new array on the way;
/// a 200 KB Claude Code request used to cost a large-object-heap array per request here. Each attempt (a retry, a
/// fallback) gets its own content over the same buffer, which a lease keeps alive while HttpClient reads it.
/// </summary>
internal sealed class SplicedContent(PooledBody body, BodySplice? splice) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (!body.TryLease()) throw new ObjectDisposedException(nameof(PooledBody), "the request ended before its body was sent upstream.");
        try
        {
            var memory = body.Memory;
            if (splice is null || splice.EditCount == 0)
            {
                await stream.WriteAsync(memory, cancellationToken).ConfigureAwait(false);
                return;
            }
            var from = 0;
            for (var i = 0; splice.TryGetPiece(memory, i, ref from, out var piece); i++)
                if (!piece.IsEmpty) await stream.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            body.ReleaseLease();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = splice?.LengthFor(body.Length) ?? body.Length;
        return true;
    }
}
