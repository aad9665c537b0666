using System.Buffers;

namespace Switchboard.Pipeline;

/// <summary>
/// A whole body read into a pooled buffer (a client's request, or an upstream's non-streamed response); Dispose returns
/// the buffer.
/// </summary>
internal sealed class PooledBody : IDisposable
{
    private byte[]? _buffer;

    private PooledBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
    }

    /// <summary>Reads the whole body, or returns null (and reads no further) once it passes <paramref name="limit"/> bytes.</summary>
    public static async ValueTask<PooledBody?> ReadAsync(Stream body, long? contentLength, long limit, CancellationToken cancellationToken)
    {
        if (contentLength > limit) return null;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(contentLength ?? 16 * 1024, 1024, limit + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit) { ArrayPool<byte>.Shared.Return(buffer); return null; }
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
                if (length > limit) { ArrayPool<byte>.Shared.Return(buffer); return null; }
            }
            return new PooledBody(buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
