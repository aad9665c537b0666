using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Switchboard.Protocols;

namespace Switchboard.Runtime;

/// <summary>
/// Kestrel's socket reads (and its response writes) go into blocks from this pool: 64 KB ones instead of its own 4 KB,
/// so a ~200 KB Claude Code request arrives in a handful of reads rather than fifty, each a syscall and a pass through
/// the pipe (the fake upstream's CPU per such request fell from 424–925 to 96–197 µs with the same change,
/// docs/benchmarks.md round 3). A block is rented per read and returned when the pipe is done with it; an idle
/// connection holds none (Kestrel waits for data before renting). The blocks are kept in <see cref="Blocks"/>, not
/// <see cref="ArrayPool{T}.Shared"/>: the shared pool kept ~75 of them (5 MB) for good after a load, and these the
/// idle trim gives back (docs/benchmarks.md, round 10).
/// </summary>
internal sealed class LargeReadMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public const int BlockSize = 64 * 1024;

    /// <summary>
    /// The process's blocks: at most 256 kept (16 MB; 32 Claude Code-size bodies in flight hold ~130 while Kestrel
    /// buffers them), those past 32 that a load stopped taking let go each second, all of them when idle.
    /// </summary>
    public static KeptArrays Blocks { get; } = new(BlockSize, capacity: 256, keptUnderLoad: 32);

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeReadMemoryPool();

    private sealed class LargeReadMemoryPool : MemoryPool<byte>
    {
        public override int MaxBufferSize => int.MaxValue;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1) =>
            minBufferSize <= BlockSize ? new Block(Blocks.Rent(), pooled: true) : new Block(GC.AllocateUninitializedArray<byte>(minBufferSize), pooled: false);

        protected override void Dispose(bool disposing) { }
    }

    /// <summary>One rented block; disposing it returns the array (once).</summary>
    private sealed class Block(byte[] array, bool pooled) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Block));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is { } returned && pooled) Blocks.Return(returned);
        }
    }
}
