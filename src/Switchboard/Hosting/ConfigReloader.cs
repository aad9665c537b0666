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
/// <para>
/// What changed is found two cheap ways, so that files written beside the config (a log, a ledger) cost nothing: a
/// watch on the folder for names only (a file created, deleted or renamed: an editor's or a deploy's atomic replace,
/// seen at once), and a once-a-second look at the file each path leads to, through any symlink, and its size and write
/// time (an edit in place, or a link swapped to another file: a ConfigMap's `..data`, `ln -sfn`). A folder watch
/// on writes too (inotify's IN_MODIFY) would wake the gateway on every append to any file in the folder: ~70 µs of CPU
/// each, and a log beside the config is appended to up to 50 times a second (docs/benchmarks.md).
/// </para>
/// </summary>
internal sealed partial class ConfigReloader(GatewayRuntime runtime, TimeProvider time, ILogger<ConfigReloader> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LookEvery = TimeSpan.FromSeconds(1);
    private FileSystemWatcher? _watcher;
    private PosixSignalRegistration? _sighup;
    private ITimer? _pending;
    private Thread? _looker;
    private readonly ManualResetEventSlim _stopLooking = new(false, spinCount: 0);
    private string[] _files = [];
    private FileStamp[] _stamps = [];
    private readonly Lock _gate = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var path = runtime.Current.Config.SourcePath;
        if (path is null) return Task.CompletedTask;
        var folder = Path.GetDirectoryName(path)!;
        _files = [path, Path.Combine(folder, ".env")];
        _stamps = Array.ConvertAll(_files, FileStamp.Of);
        _watcher = new FileSystemWatcher(folder)
        {
            NotifyFilter = NotifyFilters.FileName, // names only: no event for a write to another file (or to this one: the look below)
            IncludeSubdirectories = false,
        };
        var name = Path.GetFileName(path);
        FileSystemEventHandler onName = (_, e) => { if (e.Name == name || e.Name == ".env") Schedule("file replaced"); };
        _watcher.Created += onName;
        _watcher.Renamed += (_, e) => { if (e.Name == name || e.Name == ".env") Schedule("file replaced"); };
        _watcher.EnableRaisingEvents = true;
        // A thread of its own that sleeps on an event between looks: a pool timer's callback also woke a worker that
        // then spun, ~4 ms of CPU a second on an idle gateway here (docs/benchmarks.md).
        _looker = new Thread(() => { while (!_stopLooking.Wait(LookEvery)) Look(); }) { IsBackground = true, Name = "Switchboard config look" };
        _looker.Start();
        if (!OperatingSystem.IsWindows())
            _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx => { ctx.Cancel = true; Schedule("SIGHUP"); });
        return Task.CompletedTask;
    }

    /// <summary>An edit in place: the file's size or write time moved since it was last read (a file gone is no change to load).</summary>
    private void Look()
    {
        try
        {
            LookOnce();
        }
        catch (Exception)
        {
            // An unexpected failure (the file system, memory) must not end the process from this thread: next second.
        }
    }

    private void LookOnce()
    {
        var changed = false;
        lock (_gate)
            for (var i = 0; i < _files.Length && !changed; i++)
                changed = FileStamp.Of(_files[i]) is { Exists: true } stamp && stamp != _stamps[i];
        if (changed) Schedule("file changed");
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
        lock (_gate) _stamps = Array.ConvertAll(_files, FileStamp.Of); // what is read now is not a change to look for again
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
        _stopLooking.Set();
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

    /// <summary>
    /// The file a path really ends at, every symlink along it followed, with its size and last write time (default when
    /// it does not exist): a deploy that swaps a link (`ln -sfn v2.yaml config.yaml`, a ConfigMap's `..data`) changes
    /// the target even when the new file has the old one's size and write time. A few readlinks and one stat.
    /// </summary>
    private readonly record struct FileStamp(string? Target, long Length, long WriteTicks)
    {
        public bool Exists => WriteTicks != 0;

        public static FileStamp Of(string path)
        {
            if (!File.Exists(path)) return default; // follows links; most folders have no .env, and readlink on it would throw each look
            try
            {
                var target = RealPath(path);
                var info = new FileInfo(target);
                return info.Exists ? new FileStamp(target, info.Length, info.LastWriteTimeUtc.Ticks) : default;
            }
            catch (IOException) { return default; } // a link loop, or a part of the path gone since: nothing to load
            catch (UnauthorizedAccessException) { return default; }
        }

        /// <summary>realpath(3) over FileSystemInfo.LinkTarget: each part of the path, a link replaced by where it points.</summary>
        private static string RealPath(string path)
        {
            var full = Path.GetFullPath(path);
            var resolved = Path.GetPathRoot(full)!;
            var rest = new Queue<string>(full[resolved.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
            for (var links = 0; rest.TryDequeue(out var part);)
            {
                var candidate = Path.Combine(resolved, part);
                if (new FileInfo(candidate).LinkTarget is not { } target)
                {
                    resolved = candidate;
                    continue;
                }
                if (++links > 40) throw new IOException($"too many levels of symbolic links in {path}"); // ELOOP's limit
                var pointed = Path.GetFullPath(target, resolved); // a relative link is relative to the folder it is in
                resolved = Path.GetPathRoot(pointed)!;
                rest = new Queue<string>(pointed[resolved.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Concat(rest));
            }
            return resolved;
        }
    }
}
