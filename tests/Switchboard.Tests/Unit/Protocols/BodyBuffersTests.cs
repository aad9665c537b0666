using Switchboard.Protocols;

namespace Switchboard.Tests.Unit.Protocols;

[Trait("Kind", "Unit")]
public sealed class BodyBuffersTests
{
    private const int Huge = 900 * 1024;
    private readonly BodyBuffers _buffers = new(); // the process's own is shared with parallel tests

    [Fact]
    public void A_large_array_is_reused_until_the_idle_trim_lets_it_go()
    {
        var first = _buffers.Rent(Huge);
        Assert.Equal(1024 * 1024, first.Length);
        _buffers.Return(first);
        var again = _buffers.Rent(Huge);
        Assert.Same(first, again);
        _buffers.Return(again);

        _buffers.Trim();
        var afterTrim = _buffers.Rent(Huge);
        Assert.NotSame(first, afterTrim);
        _buffers.Return(afterTrim);
    }

    [Fact]
    public void At_most_the_bound_of_one_size_is_kept()
    {
        var rented = Enumerable.Range(0, BodyBuffers.LargeArraysKept + 2).Select(_ => _buffers.Rent(Huge)).ToList();
        foreach (var array in rented) _buffers.Return(array);
        var kept = Enumerable.Range(0, BodyBuffers.LargeArraysKept + 2).Select(_ => _buffers.Rent(Huge)).ToList();
        Assert.Equal(BodyBuffers.LargeArraysKept, kept.Count(k => rented.Any(r => ReferenceEquals(r, k))));
        foreach (var array in kept) _buffers.Return(array);
    }

    [Fact]
    public void Small_arrays_come_from_the_shared_pool_and_very_large_ones_are_exact()
    {
        Assert.Equal(16 * 1024, _buffers.Rent(10_000).Length);
        var big = _buffers.Rent(3_000_000);
        Assert.Equal(3_000_000, big.Length);
        _buffers.Return(big); // not kept, and not refused
    }
}
