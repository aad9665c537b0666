using System.Security.Cryptography;

namespace Switchboard.Protocols.Translation;

/// <summary>
/// Random bytes for the ids the gateway makes up (response, output item, message and tool call ids), from the OS's
/// cryptographic generator drawn 512 bytes at a time per thread. On Linux each <see cref="RandomNumberGenerator"/> call is
/// one OpenSSL <c>RAND_bytes</c> (~2–4 µs here, almost all of it per call, not per byte), and a Responses answer made up
/// two ids: one call now serves about thirty ids. Each byte is handed out once, so an id is as unpredictable as before
/// (a stored response's id is what a later request names it by).
/// </summary>
internal static class RandomIdBytes
{
    private const int BatchBytes = 512;

    [ThreadStatic] private static byte[]? t_batch;
    [ThreadStatic] private static int t_next;

    public static void Fill(Span<byte> destination)
    {
        if (destination.Length > BatchBytes)
        {
            RandomNumberGenerator.Fill(destination);
            return;
        }
        var batch = t_batch;
        if (batch is null || t_next + destination.Length > BatchBytes)
        {
            batch ??= new byte[BatchBytes];
            t_next = BatchBytes; // a fill that throws leaves nothing to hand out, not a batch of zeros
            RandomNumberGenerator.Fill(batch);
            (t_batch, t_next) = (batch, 0);
        }
        batch.AsSpan(t_next, destination.Length).CopyTo(destination);
        t_next += destination.Length;
    }
}
