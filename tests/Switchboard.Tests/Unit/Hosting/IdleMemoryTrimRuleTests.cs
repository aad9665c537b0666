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
}
