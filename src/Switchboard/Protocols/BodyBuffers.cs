using System.Buffers;
using System.Numerics;

namespace Switchboard.Protocols;

/// <summary>
/// Arrays for whole bodies (a client's request, a translation's output, an upstream's answer). Up to 64 KB they come
/// from <see cref="ArrayPool{T}.Shared"/>; larger ones (a Claude Code request is ~200 KB: a 256 KB array on the
/// large-object heap) from a pool of their own, which keeps up to <see cref="LargeArraysKept"/> arrays of each size and
/// lets them all go when the gateway is idle (<see cref="Trim"/>). The shared pool kept them for good: ~65 arrays of
/// 256 KB (17 MB) after the bench's load, still there after a full GC (docs/benchmarks.md, round 7). Keeping fewer
/// was worse: under 32 concurrent Claude Code-size requests the arrays past a bound of 8 became large-object garbage
/// between collections and the peak RSS rose by ~80 MB. Past the bound a returned array is left to the GC.
/// Every array rented here must be returned here.
/// </summary>
internal sealed class BodyBuffers
{
    /// <summary>The process's pool; tests make their own.</summary>
    public static BodyBuffers Shared { get; } = new();

    /// <summary>The largest array taken from the shared pool: below the large-object threshold.</summary>
    private const int SharedMaxLength = 64 * 1024;
    /// <summary>Arrays up to this length are kept (128 KB … 1 MB); a larger body gets an array the GC takes back.</summary>
    private const int LargeMaxLength = 1024 * 1024;
    public const int LargeArraysKept = 32;

    private readonly LargeArrays[] _large = [new(128 * 1024), new(256 * 1024), new(512 * 1024), new(1024 * 1024)];

    public byte[] Rent(int minimumLength)
    {
        if (minimumLength <= SharedMaxLength) return ArrayPool<byte>.Shared.Rent(minimumLength);
        if (minimumLength > LargeMaxLength) return GC.AllocateUninitializedArray<byte>(minimumLength);
        return Kept((int)BitOperations.RoundUpToPowerOf2((uint)minimumLength)).Rent();
    }

    public void Return(byte[] array)
    {
        // Both pools hand out power-of-two lengths, so the length tells which one an array came from.
        if (array.Length <= SharedMaxLength) ArrayPool<byte>.Shared.Return(array);
        else if (array.Length <= LargeMaxLength && BitOperations.IsPow2(array.Length)) Kept(array.Length).Return(array);
    }

    /// <summary>Lets every kept large array go (the idle trim, before its collection).</summary>
    public void Trim()
    {
        foreach (var kept in _large) kept.Clear();
    }

    private LargeArrays Kept(int powerOfTwoLength) => _large[BitOperations.Log2((uint)powerOfTwoLength) - 17];

    /// <summary>Arrays of one length, last in first out, under a lock held for a few instructions.</summary>
    private sealed class LargeArrays(int length)
    {
        private readonly byte[]?[] _kept = new byte[LargeArraysKept][];
        private readonly Lock _lock = new();
        private int _count;

        public byte[] Rent()
        {
            lock (_lock)
            {
                if (_count > 0)
                {
                    var array = _kept[--_count]!;
                    _kept[_count] = null;
                    return array;
                }
            }
            return GC.AllocateUninitializedArray<byte>(length);
        }

        public void Return(byte[] array)
        {
            lock (_lock)
                if (_count < _kept.Length) _kept[_count++] = array;
        }

        public void Clear()
        {
            lock (_lock)
            {
                Array.Clear(_kept);
                _count = 0;
            }
        }
    }
}
