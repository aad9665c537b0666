using Switchboard.Hosting;

namespace Switchboard.Tests.Unit.Hosting;

/// <summary>
/// When a quiet gateway is worth an idle trim: a working set grown by the growth threshold, or a few MB after a load
/// that churned the heap (the bench's last scenario grew it 6–8 MB and left it there; docs/benchmarks.md, round 13c).
/// The trim itself, in a real process: Functional/Gateway/IdleMemoryTrimTests.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class IdleMemoryTrimRuleTests
{
    private const long MB = 1024 * 1024;
    private const long Growth = 8 * MB;

    [Theory]
    [InlineData(8, 0, true)]     // grown by the threshold: always
    [InlineData(40, 1, true)]
    [InlineData(6, 16, true)]    // a load allocated 16 MB and left 6 MB: the case the growth threshold alone missed
    [InlineData(2, 200, true)]
    [InlineData(6, 15, false)]   // light traffic: a few requests grow the gen0 pages, allocate little; no full collection for them
    [InlineData(7, 0, false)]
    [InlineData(1, 500, false)]  // churned but not grown: a collection has nothing to give back
    [InlineData(0, 0, false)]
    public void A_trim_needs_growth_and_either_more_growth_or_a_churned_heap(long grownMb, long allocatedMb, bool expected) =>
        Assert.Equal(expected, IdleMemoryTrim.WorthTrimming(grownMb * MB, allocatedMb * MB, Growth));

    /// <summary>
    /// An idle gateway (timers, metrics: tens of KB a second) or a trickle of requests never adds up to a churned heap,
    /// however long it runs: only ticks busier than a quiet one count. Before, every byte since the last trim counted, so
    /// after ~16 MB of idling (minutes) each regrowth of gen0 paid a blocking full collection (the merge review).
    /// </summary>
    [Fact]
    public void Only_busy_ticks_count_toward_a_churned_heap()
    {
        long churned = 0;
        for (var tick = 0; tick < 100_000; tick++) churned = IdleMemoryTrim.Churned(churned, 150 * 1024);
        Assert.Equal(0, churned);
        Assert.False(IdleMemoryTrim.WorthTrimming(3 * MB, churned, Growth));

        for (var tick = 0; tick < 8; tick++) churned = IdleMemoryTrim.Churned(churned, 2 * MB);
        Assert.Equal(16 * MB, churned);
        Assert.True(IdleMemoryTrim.WorthTrimming(3 * MB, churned, Growth));
    }
}
