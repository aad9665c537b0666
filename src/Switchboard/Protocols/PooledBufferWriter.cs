using System.Buffers;

namespace Switchboard.Protocols;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over pooled arrays (<see cref="BodyBuffers"/>): a translation writes a large
/// body here and hands the array on (<see cref="Detach"/>) instead of copying it out, and growing costs a pooled rent,
/// not a new large-object-heap array. Not thread-safe; <see cref="Dispose"/> returns what was not detached.
/// </summary>
internal sealed class PooledBufferWriter(int initialCapacity = 16 * 1024) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = BodyBuffers.Shared.Rent(initialCapacity);
    private int _written;

    public int WrittenCount => _written;
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > _buffer.Length) throw new InvalidOperationException("advanced past the buffer's end.");
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _written += bytes.Length;
    }

    public void Clear() => _written = 0;

    /// <summary>Keeps the first <paramref name="length"/> bytes written and drops the rest.</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)_written, nameof(length));
        _written = length;
    }

    /// <summary>The rented array and how much of it was written: the caller returns it to the pool. The writer is empty after.</summary>
    public (byte[] Buffer, int Length) Detach()
    {
        var result = (_buffer, _written);
        _buffer = [];
        _written = 0;
        return result;
    }

    private void Ensure(int sizeHint)
    {
        if (sizeHint <= 0) sizeHint = 1;
        if (_buffer.Length - _written >= sizeHint) return;
        var bigger = BodyBuffers.Shared.Rent(Math.Max(_buffer.Length * 2, _written + sizeHint));
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        if (_buffer.Length > 0) BodyBuffers.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0) BodyBuffers.Shared.Return(_buffer);
        _buffer = [];
        _written = 0;
    }
}
