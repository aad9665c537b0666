using System.Buffers;
using System.Numerics;

namespace Switchboard.Protocols;

/// <summary>
/// Arrays for whole bodies (a client's request, a translation's output, an upstream's answer). Up to 64 KB they come
/// from <see cref="ArrayPool{T}.Shared"/>; larger ones (a Claude Code request is ~200 KB: a 256 KB array on the
/// large-object heap) from a pool of their own, which keeps as many arrays of each size as the load needs, up to
/// <see cref="LargeBytesKeptPerSize"/>, lets go of those past the first <see cref="ArraysKeptUnderLoad"/> that the load
/// stopped needing (<see cref="ReleaseUnused"/>, each second) and of all of them when the gateway is idle
/// (<see cref="Trim"/>). An array returned past the bound, or let go, is large-object garbage until the next full
/// collection, and under load those come seconds apart: with 32 kept per size, 32 translated Claude Code-size requests
/// in flight (a body and a translation each) left ~32 arrays of garbage per round of requests, and the peak RSS carried
/// it (docs/benchmarks.md, round 9). The shared pool kept its large arrays for good (round 7). Every array rented here
/// must be returned here.
/// </summary>
internal sealed class BodyBuffers
{
    /// <summary>The process's pool; tests make their own.</summary>
    public static BodyBuffers Shared { get; } = new();

    /// <summary>The largest array taken from the shared pool: below the large-object threshold.</summary>
    private const int SharedMaxLength = 64 * 1024;
    /// <summary>Arrays up to this length are kept (128 KB … 1 MB); a larger body gets an array the GC takes back.</summary>
    private const int LargeMaxLength = 1024 * 1024;
    /// <summary>At most this much kept per size: 128 arrays of 256 KB, 32 of 1 MB.</summary>
    public const int LargeBytesKeptPerSize = 32 * 1024 * 1024;
    /// <summary>
    /// <see cref="ReleaseUnused"/> keeps this many of each size (the pool's whole bound before round 9): a fixed-rate
    /// load's in-flight count jitters, and letting go of arrays it takes again a second later made new large-object
    /// arrays, fresh pages and full collections of the ones let go.
    /// </summary>
    public const int ArraysKeptUnderLoad = 32;

    private readonly KeptArrays[] _large = [Sized(128 * 1024), Sized(256 * 1024), Sized(512 * 1024), Sized(1024 * 1024)];

    private static KeptArrays Sized(int length) => new(length, LargeBytesKeptPerSize / length, ArraysKeptUnderLoad);

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

    /// <summary>
    /// Lets go of half the arrays of each size that no request took since the last call (the fewest the pool held
    /// meanwhile), past the first <see cref="ArraysKeptUnderLoad"/>: what a burst left decays over a few calls, while a
    /// steady load keeps what it uses. Returns how many.
    /// </summary>
    public int ReleaseUnused()
    {
        var released = 0;
        foreach (var kept in _large) released += kept.ReleaseUnused();
        return released;
    }

    /// <summary>Lets every kept large array go (the idle trim, before its collection).</summary>
    public void Trim()
    {
        foreach (var kept in _large) kept.Clear();
    }

    private KeptArrays Kept(int powerOfTwoLength) => _large[BitOperations.Log2((uint)powerOfTwoLength) - 17];
}
