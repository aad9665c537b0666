using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Config;
using Switchboard.Runtime;

namespace Switchboard.Hosting;

/// <summary>
/// Reloads the config when its file (or the .env beside it) changes, or on SIGHUP. A new config that does not
/// validate is rejected with its errors logged, and the running one is kept. Requests in flight finish on the
/// snapshot they started with.
/// </summary>
internal sealed partial class ConfigReloader(GatewayRuntime runtime, TimeProvider time, ILogger<ConfigReloader> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(250);
    private FileSystemWatcher? _watcher;
    private PosixSignalRegistration? _sighup;
    private ITimer? _pending;
    private readonly Lock _gate = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var path = runtime.Current.Config.SourcePath;
        if (path is null) return Task.CompletedTask;
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!)
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            IncludeSubdirectories = false,
        };
        var name = Path.GetFileName(path);
        FileSystemEventHandler onChange = (_, e) => { if (e.Name == name || e.Name == ".env") Schedule("file changed"); };
        _watcher.Changed += onChange;
        _watcher.Created += onChange;
        _watcher.Renamed += (_, e) => { if (e.Name == name) Schedule("file replaced"); };
        _watcher.EnableRaisingEvents = true;
        if (!OperatingSystem.IsWindows())
            _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx => { ctx.Cancel = true; Schedule("SIGHUP"); });
        return Task.CompletedTask;
    }

    /// <summary>Editors write a file in several steps: wait for the writes to settle, then reload once.</summary>
    private void Schedule(string reason)
    {
        lock (_gate)
        {
            _pending?.Dispose();
            _pending = time.CreateTimer(_ => Reload(reason), null, Debounce, Timeout.InfiniteTimeSpan);
        }
    }

    internal bool Reload(string reason)
    {
        var current = runtime.Current;
        var path = current.Config.SourcePath!;
        var result = ConfigLoader.LoadFile(path);
        if (!result.Succeeded)
        {
            LogRejected(logger, path, reason, Plural.Count(result.Errors.Count(), "error"));
            foreach (var error in result.Errors) LogDiagnostic(logger, error.ToString());
            return false;
        }
        foreach (var warning in result.Warnings) LogDiagnostic(logger, warning.ToString());
        var next = result.Config!;
        if (next.Listeners[0] != current.Config.Listeners[0])
            LogListenerChange(logger, $"{next.Listeners[0].Address}:{next.Listeners[0].Port}");
        runtime.Swap(SnapshotFactory.Create(next));
        LogReloaded(logger, path, reason, ConfigSummary.Describe(next));
        return true;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _sighup?.Dispose();
        lock (_gate) _pending?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "config reloaded from {Path} ({Reason}): {Config}")]
    private static partial void LogReloaded(ILogger logger, string path, string reason, string config);

    [LoggerMessage(Level = LogLevel.Error, Message = "config reload from {Path} ({Reason}) rejected with {Errors}; the running config is kept")]
    private static partial void LogRejected(ILogger logger, string path, string reason, string errors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "config: {Diagnostic}")]
    private static partial void LogDiagnostic(ILogger logger, string diagnostic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the listener changed to {Listener}; restart the gateway to apply it (it keeps listening where it is)")]
    private static partial void LogListenerChange(ILogger logger, string listener);
}
