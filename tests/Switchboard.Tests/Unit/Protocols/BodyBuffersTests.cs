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
        var bound = BodyBuffers.LargeBytesKeptPerSize / (1024 * 1024);
        var rented = Enumerable.Range(0, bound + 2).Select(_ => _buffers.Rent(Huge)).ToList();
        foreach (var array in rented) _buffers.Return(array);
        var kept = Enumerable.Range(0, bound + 2).Select(_ => _buffers.Rent(Huge)).ToList();
        Assert.Equal(bound, kept.Count(k => rented.Any(r => ReferenceEquals(r, k))));
        foreach (var array in kept) _buffers.Return(array);
    }

    [Fact]
    public void Arrays_the_load_keeps_taking_stay_and_those_it_stopped_taking_go_half_at_a_time()
    {
        // A burst of 8 in flight, then a steady load of 2: the 6 arrays it no longer takes go 3, 2, then 1 per call.
        var burst = Enumerable.Range(0, 8).Select(_ => _buffers.Rent(Huge)).ToList();
        foreach (var array in burst) _buffers.Return(array);
        Assert.Equal(0, _buffers.ReleaseUnused()); // the burst took them all since the pool was made
        int[] released = new int[3];
        for (var call = 0; call < released.Length; call++)
        {
            var steady = new[] { _buffers.Rent(Huge), _buffers.Rent(Huge) };
            foreach (var array in steady) _buffers.Return(array);
            released[call] = _buffers.ReleaseUnused();
        }
        Assert.Equal([3, 2, 1], released);

        // What is left is what the steady load takes: reused, never let go while it is taken.
        var taken = new[] { _buffers.Rent(Huge), _buffers.Rent(Huge) };
        Assert.All(taken, array => Assert.Contains(burst, b => ReferenceEquals(b, array)));
        Assert.Equal(0, _buffers.ReleaseUnused());
        foreach (var array in taken) _buffers.Return(array);
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
