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
}
