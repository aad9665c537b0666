using Switchboard.Protocols;

namespace Switchboard.Tests.Unit.Protocols;

[Trait("Kind", "Unit")]
public sealed class BodyBuffersTests
{
    private const int Huge = 900 * 1024;
    private const int ClaudeCodeSize = 200 * 1024; // a 256 KB array: 128 of them kept at most
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
        // A burst of 40 in flight, then a steady load of 36: the 4 arrays it no longer takes go 2, 1, then 1 per call.
        const int Burst = BodyBuffers.ArraysKeptUnderLoad + 8, Steady = BodyBuffers.ArraysKeptUnderLoad + 4;
        var burst = Enumerable.Range(0, Burst).Select(_ => _buffers.Rent(ClaudeCodeSize)).ToList();
        foreach (var array in burst) _buffers.Return(array);
        Assert.Equal(0, _buffers.ReleaseUnused()); // the burst took them all since the pool was made
        var released = new int[4];
        for (var call = 0; call < released.Length; call++)
        {
            var steady = Enumerable.Range(0, Steady).Select(_ => _buffers.Rent(ClaudeCodeSize)).ToList();
            foreach (var array in steady) _buffers.Return(array);
            released[call] = _buffers.ReleaseUnused();
        }
        Assert.Equal([2, 1, 1, 0], released);

        // What is left is what the steady load takes: reused, never let go while it is taken.
        var taken = Enumerable.Range(0, Steady).Select(_ => _buffers.Rent(ClaudeCodeSize)).ToList();
        Assert.All(taken, array => Assert.Contains(burst, b => ReferenceEquals(b, array)));
        Assert.Equal(0, _buffers.ReleaseUnused());
        foreach (var array in taken) _buffers.Return(array);
    }

    [Fact]
    public void The_first_arrays_of_a_size_stay_when_the_load_takes_fewer()
    {
        var rented = Enumerable.Range(0, BodyBuffers.ArraysKeptUnderLoad + 6).Select(_ => _buffers.Rent(ClaudeCodeSize)).ToList();
        foreach (var array in rented) _buffers.Return(array);
        _buffers.ReleaseUnused();
        Assert.Equal(6, _buffers.ReleaseUnused()); // nothing taken: half of the 38 would be 19, but the first 32 stay
        Assert.Equal(0, _buffers.ReleaseUnused());
        // The least recently used went: the first 6 returned.
        var left = Enumerable.Range(0, BodyBuffers.ArraysKeptUnderLoad + 1).Select(_ => _buffers.Rent(ClaudeCodeSize)).ToList();
        Assert.True(rented.Skip(6).Reverse().SequenceEqual(left.Take(BodyBuffers.ArraysKeptUnderLoad), ReferenceEqualityComparer.Instance));
        Assert.DoesNotContain(rented, r => ReferenceEquals(r, left[^1]));
        foreach (var array in left) _buffers.Return(array);
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
