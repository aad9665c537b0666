using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace Switchboard.Runtime;

/// <summary>
/// Kestrel's socket reads go into blocks from this pool: 64 KB ones instead of its own 4 KB, so a ~200 KB Claude
/// Code request arrives in a handful of reads rather than fifty, each a syscall and a pass through the pipe (the fake
/// upstream's CPU per such request fell from 424–925 to 96–197 µs with the same change, docs/benchmarks.md round 3).
/// The blocks are <see cref="ArrayPool{T}.Shared"/> arrays (under the large-object threshold), rented per read and
/// returned when the pipe is done with them; an idle connection holds none (Kestrel waits for data before renting).
/// </summary>
internal sealed class LargeReadMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public const int BlockSize = 64 * 1024;

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeReadMemoryPool();

    private sealed class LargeReadMemoryPool : MemoryPool<byte>
    {
        public override int MaxBufferSize => int.MaxValue;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1) => Shared.Rent(Math.Max(minBufferSize, BlockSize));

        protected override void Dispose(bool disposing) { }
    }
}
