using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Switchboard.Protocols;

namespace Switchboard.Runtime;

/// <summary>
/// Kestrel's socket reads (and its response writes) go into blocks from this pool: 256 KB ones instead of its own 4 KB,
/// so a ~200 KB Claude Code request that is already in the socket is read in one read, not fifty (with 64 KB blocks,
/// round 4, it was four or five, and each of them ran the handler on: a body whole at its first read takes the
/// buffered path, one arriving piecemeal is forwarded upstream piece by piece, one write and one wake-up of the
/// provider each; docs/benchmarks.md, round 12). A block is rented per read and returned when the pipe is done with
/// it; an idle connection holds none (Kestrel waits for data before renting). The blocks are kept in
/// <see cref="Blocks"/>, not <see cref="ArrayPool{T}.Shared"/>: the shared pool kept ~75 of them for good after a load,
/// and these the idle trim gives back (docs/benchmarks.md, round 10).
/// </summary>
internal sealed class LargeReadMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public const int BlockSize = 256 * 1024;

    /// <summary>
    /// The process's blocks: at most 64 kept (16 MB, as the 256 blocks of 64 KB were; 32 Claude Code-size requests in
    /// flight hold one or two each while Kestrel buffers them), those past 8 (2 MB) that a load stopped taking let go
    /// each second, all of them when idle.
    /// </summary>
    public static KeptArrays Blocks { get; } = new(BlockSize, capacity: KeptBytes / BlockSize, keptUnderLoad: KeptUnderLoadBytes / BlockSize);

    /// <summary>The most the pool keeps, and what it keeps through a load's lulls: the same bytes whatever the block size.</summary>
    private const int KeptBytes = 16 * 1024 * 1024, KeptUnderLoadBytes = 2 * 1024 * 1024;

    /// <summary>
    /// The most 256 KB blocks out at once (32 MB: twice what 32 Claude Code-size requests in flight hold). A block stays
    /// out while its bytes are unread, so a thousand connections that send half a header and stall would otherwise pin
    /// 256 MB; past this, reads go into <see cref="SmallBlockSize"/> arrays, as with Kestrel's own pool.
    /// </summary>
    public const int MaxBlocksOut = 128;

    public const int SmallBlockSize = 16 * 1024;

    private static int s_blocksOut;

    /// <summary>How many 256 KB blocks are rented now (all pools of this factory).</summary>
    public static int BlocksOut => Volatile.Read(ref s_blocksOut);

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeReadMemoryPool();

    private sealed class LargeReadMemoryPool : MemoryPool<byte>
    {
        public override int MaxBufferSize => int.MaxValue;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
        {
            if (minBufferSize > BlockSize) return new Block(GC.AllocateUninitializedArray<byte>(minBufferSize), BlockSource.None);
            if (Interlocked.Increment(ref s_blocksOut) <= MaxBlocksOut)
            {
                try
                {
                    return new Block(Blocks.Rent(), BlockSource.Blocks);
                }
                catch
                {
                    Interlocked.Decrement(ref s_blocksOut); // a rent that failed holds no block
                    throw;
                }
            }
            Interlocked.Decrement(ref s_blocksOut);
            return new Block(ArrayPool<byte>.Shared.Rent(Math.Max(minBufferSize, SmallBlockSize)), BlockSource.Shared);
        }

        protected override void Dispose(bool disposing) { }
    }

    private enum BlockSource : byte { None, Blocks, Shared }

    /// <summary>One rented block; disposing it returns the array (once).</summary>
    private sealed class Block(byte[] array, BlockSource source) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Block));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is not { } returned) return;
            switch (source)
            {
                case BlockSource.Blocks:
                    Blocks.Return(returned);
                    Interlocked.Decrement(ref s_blocksOut);
                    break;
                case BlockSource.Shared:
                    ArrayPool<byte>.Shared.Return(returned);
                    break;
            }
        }
    }
}
