using System.Buffers;

namespace Switchboard.Protocols.Translation;

/// <summary>
/// A per-thread output buffer for the synchronous translators, which write a whole body and copy it out: one buffer
/// reused by every request on the thread instead of a fresh 4–16 KB array per request. Rent and return around code
/// that does not await; a nested rent just gets a fresh buffer.
/// </summary>
internal static class ScratchBuffer
{
    private const int MaxRetainedBytes = 256 * 1024;

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;

    public static ArrayBufferWriter<byte> Rent()
    {
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(16 * 1024);
        t_buffer = null;
        return buffer;
    }

    /// <summary>Gives the buffer back unused (what was written is dropped).</summary>
    public static void Return(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity > MaxRetainedBytes) return;
        buffer.ResetWrittenCount();
        t_buffer = buffer;
    }

    /// <summary>The written bytes as a new array; the buffer goes back to the thread for the next request.</summary>
    public static byte[] ToArrayAndReturn(ArrayBufferWriter<byte> buffer)
    {
        var result = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity <= MaxRetainedBytes)
        {
            buffer.ResetWrittenCount();
            t_buffer = buffer;
        }
        return result;
    }
}
