using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Switchboard.Tests.TestKit;

/// <summary>
/// A real PostgreSQL server for the tests: Debian's binaries (/usr/lib/postgresql/N/bin, package postgresql; .ci/run
/// installs it), a fresh cluster in a temp folder, listening on a free loopback port. PostgreSQL refuses to run as
/// root, so as root (CI) the cluster belongs to the system's postgres user (runuser). One server per test run;
/// each test takes a database of its own (<see cref="CreateDatabaseAsync"/>).
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);
    private readonly Process _process;
    private readonly string _directory;
    private int _databases;

    private PostgresServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Where Debian keeps the server's binaries (newest version), or null when PostgreSQL is not installed.</summary>
    public static string? BinDirectory { get; } = Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "postgres")))
            .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
        : null;

    public static string? MissingReason => BinDirectory is null
        ? "PostgreSQL's server binaries are not installed (/usr/lib/postgresql/*/bin/initdb; apt-get install postgresql, as .ci/run does)"
        : IsRoot && !File.Exists("/usr/sbin/runuser") && !File.Exists("/sbin/runuser")
            ? "running as root and runuser is missing, so PostgreSQL (which refuses root) cannot be started"
            : null;

    private static bool IsRoot => Environment.UserName == "root";

    public static Task<PostgresServer> GetAsync() => Shared.Value;

    private static async Task<PostgresServer> StartAsync()
    {
        if (MissingReason is { } reason) throw new InvalidOperationException(reason);
        var directory = Directory.CreateTempSubdirectory("sb-pg-").FullName;
        var data = Path.Combine(directory, "data");
        if (IsRoot) await RunAsync("chown", ["-R", "postgres:postgres", directory]);
        await RunAsync(Path.Combine(BinDirectory!, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"], asPostgres: true);
        var port = FreePort();
        var process = Process.Start(Start(Path.Combine(BinDirectory!, "postgres"),
            ["-D", data, "-p", port.ToString(), "-k", directory, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"], asPostgres: true))!;
        var server = new PostgresServer(process, directory, port);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(server.ConnectionString("postgres"));
                await connection.OpenAsync();
                break;
            }
            catch (Exception) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server;
    }

    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Database={database};Username=postgres;Pooling=true";

    /// <summary>A new, empty database; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"ledger_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    private static ProcessStartInfo Start(string program, string[] args, bool asPostgres)
    {
        var start = IsRoot && asPostgres ? new ProcessStartInfo("runuser") : new ProcessStartInfo(program);
        if (IsRoot && asPostgres) foreach (var a in (string[])["-u", "postgres", "--", program]) start.ArgumentList.Add(a);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        return start;
    }

    private static async Task RunAsync(string program, string[] args, bool asPostgres = false)
    {
        using var process = Process.Start(Start(program, args, asPostgres))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {await output}{await error}");
    }

    private static int FreePort() => LoopbackPorts.Free();

    private void Stop()
    {
        try
        {
            // A fast shutdown through pg_ctl (a killed postmaster can leave shared memory behind).
            if (!_process.HasExited)
            {
                using var stop = Process.Start(Start(Path.Combine(BinDirectory!, "pg_ctl"), ["stop", "-D", Path.Combine(_directory, "data"), "-m", "fast", "-w"], asPostgres: true))!;
                stop.WaitForExit(10_000);
                if (!_process.WaitForExit(5000)) _process.Kill(entireProcessTree: true);
            }
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception)
        {
            // Leaving a temp folder behind is not worth failing a test run over.
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A test that needs <see cref="PostgresServer"/>: skipped, saying why, only where PostgreSQL cannot be run.</summary>
internal sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.MissingReason is { } reason) Skip = reason;
    }
}
