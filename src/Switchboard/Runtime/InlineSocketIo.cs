namespace Switchboard.Runtime;

/// <summary>
/// Runs socket completions (Kestrel's reads, HttpClient's upstream reads) and the request handlers they resume on the
/// runtime's socket event threads, instead of handing each one to the thread pool. A proxied request crosses sockets
/// four times, and on a small machine every hand-off is a thread wake-up plus spinning: at 1,000 requests/s the
/// gateway's CPU per request fell from ~700 to ~290 µs with this on (docs/benchmarks.md). Safe here because nothing
/// on the request path blocks a thread: logging is queued and never waits, upstream calls and timers are
/// asynchronous, and the CPU-bound parts (peek, routing, translation) take microseconds for ordinary bodies; a body
/// over <see cref="LargeBodyBytes"/> moves to the thread pool before a step walks its DOM (routing, translation, a
/// cache key: Pipeline/GatewayRequest.OnSocketThreadWithLargeBody); its peek and splice stay on the socket thread.
/// </summary>
internal static class InlineSocketIo
{
    /// <summary>The runtime's switch, read once, at the process's first asynchronous socket operation.</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Bodies above this (128 KiB) are parsed into a DOM and translated on the thread pool, off the socket thread.</summary>
    public const int LargeBodyBytes = 128 * 1024;

    /// <summary>
    /// Turns inline completions on for this process unless the variable is already set (<c>0</c> opts out), and says
    /// whether they are on. Call before the gateway opens any socket.
    /// </summary>
    public static bool EnableUnlessConfigured()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (value is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
            return true;
        }
        return value == "1";
    }
}
