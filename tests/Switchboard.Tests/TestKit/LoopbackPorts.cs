using System.Net;
using System.Net.Sockets;

namespace Switchboard.Tests.TestKit;

/// <summary>
/// Free loopback ports for servers a test starts as separate processes (a gateway, redis-server, postgres) or for an
/// address nothing answers on. A port the kernel hands out for port 0 comes from the ephemeral range, where Kestrel's
/// own port-0 listeners and every outgoing connection draw too: between the probe closing and the child binding, a
/// busy run could take it (seen in CI: redis-server never answered). These come from below that range instead, each
/// one once per test run, and are checked free before they are handed out.
/// </summary>
internal static class LoopbackPorts
{
    private const int First = 20_000;
    private const int Count = 12_000; // 20000–31999: below Linux's default ephemeral range (32768–60999)
    private static int _next = Random.Shared.Next(Count);

    public static int Free()
    {
        for (var attempt = 0; attempt < Count; attempt++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref _next) % Count);
            if (IsFree(port)) return port;
        }
        throw new InvalidOperationException($"no free loopback port between {First} and {First + Count - 1}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
