using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Switchboard.Tests.TestKit;

/// <summary>The real `switchboard` CLI as a child process (the build output beside the tests), for signals and exit codes.</summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Ends the child's standard input (a child that reads it, like claude -p, then stops waiting).</summary>
    public void CloseInput() => _process.StandardInput.Close();

    public void WriteInput(string text)
    {
        _process.StandardInput.Write(text);
        _process.StandardInput.Close();
    }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    private const string StateDirVariable = "SWITCHBOARD_STATE_DIR";

    private static readonly Lazy<string> RunStateDirectory = new(() => Directory.CreateTempSubdirectory("sb-test-state-").FullName);

    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "switchboard.dll");

    public static GatewayProcess Start(IEnumerable<string> args, IDictionary<string, string>? env = null, string? workingDirectory = null) =>
        StartProgram("dotnet", [CliDll, .. args], env?.ToDictionary(pair => pair.Key, string? (pair) => pair.Value), workingDirectory);

    /// <summary>Any program (e.g. the repository's `switchboard` launcher script); a null value in <paramref name="env"/> removes that variable.</summary>
    public static GatewayProcess StartProgram(string program, IEnumerable<string> args, IDictionary<string, string?>? env = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        // The gateway's state (its ledger, detached pid files) in this test run's own folder, never the user's.
        start.Environment[StateDirVariable] = RunStateDirectory.Value;
        if (env is not null)
            foreach (var (k, v) in env)
                if (v is null) start.Environment.Remove(k);
                else start.Environment[k] = v;
        return new GatewayProcess(Process.Start(start)!);
    }

    public async Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            if (Output.Contains(text, StringComparison.Ordinal)) return;
            if (_process.HasExited) break;
            await Task.Delay(25);
        }
        throw new Xunit.Sdk.XunitException($"'{text}' never appeared. Output:\n{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public void Signal(int signal) => Assert.Equal(0, kill(_process.Id, signal));

    public const int SIGTERM = 15;
    public const int SIGINT = 2;
    public const int SIGHUP = 1;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    public static int FreePort() => LoopbackPorts.Free();
}
