using Switchboard.Protocols;

namespace Switchboard.Pipeline;

/// <summary>
/// A whole body in a pooled buffer (a client's request, a translated request, or an upstream's non-streamed response);
/// Dispose returns the buffer. A reader that may outlive its owner (HttpClient still sending it upstream when a
/// cancelled request is disposed) takes a lease with <see cref="TryLease"/>: the buffer goes back to the pool only when
/// the owner and every lease are done, so no other request's bytes can ever be sent in its place.
/// </summary>
internal sealed class PooledBody : IDisposable
{
    private byte[]? _buffer;
    private readonly bool _pooled;
    /// <summary>The owner (until Dispose) plus the leases held.</summary>
    private int _users = 1;
    private int _disposed;

    private PooledBody(byte[] buffer, int length, bool pooled)
    {
        _buffer = buffer;
        Length = length;
        _pooled = pooled;
    }

    public int Length { get; }
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>Takes over <paramref name="buffer"/>, rented from <see cref="BodyBuffers"/>; it goes back there when done.</summary>
    public static PooledBody FromRented(byte[] buffer, int length) => new(buffer, length, pooled: true);

    /// <summary>An ordinary array (a rare rewrite's result): nothing to return.</summary>
    public static PooledBody FromArray(byte[] bytes) => new(bytes, bytes.Length, pooled: false);

    /// <summary>Keeps the buffer from going back to the pool until <see cref="ReleaseLease"/>; false once it has.</summary>
    public bool TryLease()
    {
        while (true)
        {
            var users = Volatile.Read(ref _users);
            if (users == 0) return false;
            if (Interlocked.CompareExchange(ref _users, users + 1, users) == users) return true;
        }
    }

    public void ReleaseLease()
    {
        if (Interlocked.Decrement(ref _users) != 0) return;
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null && _pooled) BodyBuffers.Shared.Return(buffer);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) ReleaseLease();
    }

    /// <summary>Reads the whole body, or returns null (and reads no further) once it passes <paramref name="limit"/> bytes.</summary>
    public static async ValueTask<PooledBody?> ReadAsync(Stream body, long? contentLength, long limit, CancellationToken cancellationToken)
    {
        if (contentLength > limit) return null;
        var buffer = BodyBuffers.Shared.Rent((int)Math.Clamp(contentLength ?? 16 * 1024, 1024, limit + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit) { BodyBuffers.Shared.Return(buffer); return null; }
                    var bigger = BodyBuffers.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    BodyBuffers.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
                if (length > limit) { BodyBuffers.Shared.Return(buffer); return null; }
            }
            return FromRented(buffer, length);
        }
        catch
        {
            BodyBuffers.Shared.Return(buffer);
            throw;
        }
    }
}
