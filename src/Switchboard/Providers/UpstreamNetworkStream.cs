using System.Net.Sockets;

namespace Switchboard.Providers;

/// <summary>
/// The upstream connections' stream: the socket HttpClient would open itself (TCP, no Nagle delay), except that after a
/// large write the socket no longer points at the written array. A socket keeps the buffer of its last send in its
/// cached send arguments, and HttpClient sends a large request body straight from the gateway's pooled array, so
/// every idle pooled connection kept the last ~256 KB body it sent alive for as long as it stayed in the pool (90 s),
/// past the body pool's bound and past the idle trim: 323 such arrays, 85 MB, after the bench's load
/// (docs/benchmarks.md, round 8).
/// </summary>
internal sealed class UpstreamNetworkStream(Socket socket) : NetworkStream(socket, ownsSocket: true)
{
    /// <summary>
    /// Writes longer than this are followed by an empty send, which points the socket's send arguments at nothing (one
    /// syscall that sends no bytes). A shorter write may still leave its array referenced until the next send, but
    /// those are small arrays (the large-body pool starts above 64 KB). Over TLS the socket only ever sees SslStream's
    /// own record buffer, so this matters for plain-HTTP upstreams (Ollama, vLLM, a local LiteLLM, the bench).
    /// </summary>
    private const int LargeWriteBytes = 64 * 1024;

    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/>: connects as the handler's default does.</summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
            return new UpstreamNetworkStream(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        buffer.Length > LargeWriteBytes ? WriteAndForgetAsync(buffer, cancellationToken) : base.WriteAsync(buffer, cancellationToken);

    private async ValueTask WriteAndForgetAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        await base.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        try
        {
            await Socket.SendAsync(ReadOnlyMemory<byte>.Empty, SocketFlags.None, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The body was written; a connection broken since then fails its next read or write, as it would have
            // without this send (an upstream that answered early and closed still has its answer read).
        }
    }
}
