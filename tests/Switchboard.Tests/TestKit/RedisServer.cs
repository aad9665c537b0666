using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Tests.TestKit;

/// <summary>A real redis-server (Debian's) on a free loopback port, for the shared-state tests; gone on dispose.</summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }
    public string Url => $"redis://127.0.0.1:{Port}";

    /// <summary>redis-server on PATH (or /usr/bin), or null: the caller skips with a message saying so.</summary>
    public static string? Binary => new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
        ?? Environment.GetEnvironmentVariable("PATH")?.Split(':').Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists);

    public const string Missing = "redis-server is not installed (apt-get install redis-server; .ci/run does it)";

    /// <summary>Starts one; a server that exits before it answers (a port taken meanwhile) is retried on another port.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        var said = new System.Collections.Concurrent.ConcurrentQueue<string>();
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var info = new ProcessStartInfo(Binary ?? throw new InvalidOperationException(Missing))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes" }) info.ArgumentList.Add(arg);
            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, e) => { if (e.Data is { } line && said.Count < 200) said.Enqueue(line); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is { } line && said.Count < 200) said.Enqueue(line); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new RedisServer(process, port);
            // Generous: the first start on a fresh machine, beside a loaded test run, can take seconds.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (DateTime.UtcNow < deadline && !process.HasExited)
            {
                if (await server.PingAsync()) return server;
                await Task.Delay(50);
            }
            var exited = process.HasExited;
            await server.DisposeAsync();
            if (!exited || attempt == 3)
                throw new InvalidOperationException($"redis-server on port {port} {(exited ? "exited" : "did not answer PING within 20 s")} (attempt {attempt}); it said:\n{string.Join('\n', said.TakeLast(20))}");
        }
    }

    public async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port).WaitAsync(TimeSpan.FromSeconds(1));
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(1));
            return System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException or IOException)
        {
            return false;
        }
    }

    /// <summary>Kills the server (Redis going away mid-run).</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    private static int FreePort() => LoopbackPorts.Free();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }
}

/// <summary>A test on a real redis-server: skipped, saying why, only when the binary cannot be found.</summary>
internal sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisServer.Binary is null) Skip = RedisServer.Missing;
    }
}

/// <inheritdoc cref="RedisFactAttribute"/>
internal sealed class RedisTheoryAttribute : TheoryAttribute
{
    public RedisTheoryAttribute()
    {
        if (RedisServer.Binary is null) Skip = RedisServer.Missing;
    }
}
