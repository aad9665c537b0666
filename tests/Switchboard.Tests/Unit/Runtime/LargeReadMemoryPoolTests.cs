using Switchboard.Runtime;

namespace Switchboard.Tests.Unit.Runtime;

[Trait("Kind", "Unit")]
public sealed class LargeReadMemoryPoolTests
{
    /// <summary>
    /// Kestrel reads a socket into one block at a time: a Claude Code-size request (the bench's 214 KB OpenAI body and
    /// its headers) that is already in the socket must fit one block, so it is read once and, whole at the handler's
    /// first read, sent upstream in one write rather than forwarded piece by piece (docs/benchmarks.md, round 12).
    /// </summary>
    [Fact]
    public void A_claude_code_size_request_fits_one_socket_read()
    {
        using var pool = new LargeReadMemoryPoolFactory().Create();
        using var block = pool.Rent(4096); // what Kestrel's pipe asks for
        Assert.True(block.Memory.Length >= 214_018 + 4096, $"a socket read takes at most {block.Memory.Length} bytes");
    }

    /// <summary>Larger blocks, not more memory: the pool keeps at most 16 MB once a burst's blocks come back, as before.</summary>
    [Fact]
    public void The_pool_keeps_no_more_bytes_for_its_larger_blocks()
    {
        using var pool = new LargeReadMemoryPoolFactory().Create();
        var burst = Enumerable.Range(0, 100).Select(_ => pool.Rent()).ToList();
        foreach (var block in burst) block.Dispose();

        Assert.InRange((long)LargeReadMemoryPoolFactory.Blocks.Count * LargeReadMemoryPoolFactory.BlockSize, 1, 16L * 1024 * 1024);
    }

    /// <summary>
    /// A block stays rented while its bytes are unread: connections that send half a header and stall must not pin a
    /// 256 KB block each without bound (1,000 of them were 256 MB); past the cap, reads get small arrays.
    /// </summary>
    [Fact]
    public void Stalled_reads_cannot_pin_more_than_the_cap_of_large_blocks()
    {
        using var pool = new LargeReadMemoryPoolFactory().Create();
        var held = Enumerable.Range(0, LargeReadMemoryPoolFactory.MaxBlocksOut + 72).Select(_ => pool.Rent(4096)).ToList();
        try
        {
            var large = held.Count(b => b.Memory.Length >= LargeReadMemoryPoolFactory.BlockSize);
            Assert.InRange(large, 0, LargeReadMemoryPoolFactory.MaxBlocksOut);
            Assert.All(held, b => Assert.True(b.Memory.Length >= 4096));
        }
        finally
        {
            foreach (var block in held) block.Dispose();
        }
        using var again = pool.Rent(4096); // given back, the large blocks are there again
        Assert.True(again.Memory.Length >= LargeReadMemoryPoolFactory.BlockSize);
    }
}
