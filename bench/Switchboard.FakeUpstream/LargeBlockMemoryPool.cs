using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace Switchboard.FakeUpstream;

/// <summary>
/// Kestrel's socket transport reads into blocks from this pool: 64 KB ones instead of its own 4 KB, so a ~200 KB
/// request body arrives in a handful of reads rather than fifty (each a syscall and a pass through the pipe).
/// </summary>
public sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();

    private sealed class LargeBlockMemoryPool : MemoryPool<byte>
    {
        private const int BlockSize = 64 * 1024;
        public override int MaxBufferSize => int.MaxValue;
        public override IMemoryOwner<byte> Rent(int minBufferSize = -1) => Shared.Rent(Math.Max(minBufferSize, BlockSize));
        protected override void Dispose(bool disposing) { }
    }
}
