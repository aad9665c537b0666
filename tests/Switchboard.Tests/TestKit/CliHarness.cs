using System.Diagnostics;
using System.Text;
using Switchboard.Cli;

namespace Switchboard.Tests.TestKit;

/// <summary>What one CLI run printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs the CLI in-process against its own streams, environment and working directory (a fresh temp folder
/// with its own state directory), so CLI tests run in parallel without touching the real console or ~/.local.
/// </summary>
internal sealed class CliHarness : IDisposable
{
    private readonly Dictionary<string, string?> _environment;

    public CliHarness(IDictionary<string, string?>? environment = null)
    {
        Directory = Path.Combine(Path.GetTempPath(), "switchboard-cli-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Directory);
        StateDirectory = Path.Combine(Directory, "state");
        _environment = new Dictionary<string, string?>
        {
            [GatewayStateStore.StateDirVariable] = StateDirectory,
            [GatewayLocator.UrlVariable] = null,
            // No real provider keys leak in from the machine running the tests.
            ["ANTHROPIC_API_KEY"] = null,
            ["OPENAI_API_KEY"] = null,
            ["DEEPSEEK_API_KEY"] = null, ["XAI_API_KEY"] = null, ["GEMINI_API_KEY"] = null, ["MISTRAL_API_KEY"] = null,
            ["GROQ_API_KEY"] = null, ["OPENROUTER_API_KEY"] = null, ["TOGETHER_API_KEY"] = null, ["MOONSHOT_API_KEY"] = null,
            ["HOME"] = Directory,
            ["CLAUDE_CONFIG_DIR"] = null,
            [ClaudeBinary.OverrideVariable] = null,
        };
        if (environment is not null)
            foreach (var (name, value) in environment) _environment[name] = value;
    }

    /// <summary>The working directory (and HOME) of every run.</summary>
    public string Directory { get; }
    public string StateDirectory { get; }
    public IReadOnlyDictionary<string, string?> Environment => _environment;

    public string? this[string variable]
    {
        get => _environment.GetValueOrDefault(variable);
        set => _environment[variable] = value;
    }

    public const string OneProvider = """
        model_providers:
          - model: openai/gpt-4.1
            access_key: sk-test
            base_url: http://127.0.0.1:9/v1
            default: true
        """;

    /// <summary>
    /// Writes ./config.yaml with its listener on <paramref name="port"/> (default: a free one, so nothing answers
    /// there) and returns the port. Commands look for a foreground gateway on the config's listener: tests must
    /// not find one that someone happens to run on the default 12000.
    /// </summary>
    public int WriteConfig(string modelProviders = OneProvider, int? port = null)
    {
        var listenPort = port ?? FreePort();
        File.WriteAllText(Path.Combine(Directory, "config.yaml"),
            $"listeners:\n  - name: llm\n    address: 127.0.0.1\n    port: {listenPort}\n" + modelProviders.Replace("\r", "") + "\n");
        return listenPort;
    }

    public static int FreePort() => LoopbackPorts.Free();

    public Task<CliResult> RunAsync(params string[] args) => RunAsync(args, stdin: null, CancellationToken.None);

    public async Task<CliResult> RunAsync(string[] args, string? stdin, CancellationToken cancellationToken, LiveOutput? live = null)
    {
        live ??= new LiveOutput();
        var context = new CliContext(live.Out, live.Error, new StringReader(stdin ?? ""), inputIsTerminal: stdin is null,
            environment: _environment, workingDirectory: Directory);
        var exitCode = await CliApp.RunAsync(args, context, cancellationToken);
        return new CliResult(exitCode, live.OutText, live.ErrorText);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Thread-safe captured output that a test can poll while a long-running command (watch) still writes.</summary>
internal sealed class LiveOutput
{
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _error = new();

    public LiveOutput()
    {
        Out = TextWriter.Synchronized(new StringWriter(_out));
        Error = TextWriter.Synchronized(new StringWriter(_error));
    }

    public TextWriter Out { get; }
    public TextWriter Error { get; }

    public string OutText
    {
        get { lock (Out) return _out.ToString(); }
    }

    public string ErrorText
    {
        get { lock (Error) return _error.ToString(); }
    }

    /// <summary>Polls <paramref name="condition"/>; 30 s by default, so a loaded 2-core CI machine does not fail what is only slow.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}

/// <summary>Runs the real CLI (src/Switchboard's build output, via `dotnet switchboard.dll`) as a child process.</summary>
internal static class CliProcess
{
    /// <summary>src/Switchboard/bin/CONFIG/net10.0/switchboard.dll, for the configuration these tests were built in.</summary>
    public static string AssemblyPath { get; } = FindAssembly();

    public static async Task<CliResult> RunAsync(CliHarness harness, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = harness.Directory,
        };
        start.ArgumentList.Add(AssemblyPath);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in harness.Environment)
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    private static string FindAssembly()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testBin.Parent!.Name; // …/bin/<Configuration>/net10.0
        var root = InstallLayout.FindRepositoryRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("no Switchboard.slnx above the test assembly");
        var path = Path.Combine(root, "src", "Switchboard", "bin", configuration, testBin.Name, "switchboard.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"the CLI build output is missing: {path}");
    }
}
