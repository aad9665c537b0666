using System.Runtime.InteropServices;

namespace Switchboard.Cli;

/// <summary>Signals and liveness checks for a process that is not our child (a detached gateway).</summary>
internal static class ProcessProbe
{
    public const int SigTerm = 15;
    public const int SigKill = 9;
    private const int Esrch = 3;

    /// <summary>
    /// True when <paramref name="pid"/> is a running Switchboard: the process exists, is not a zombie, and —
    /// where /proc can tell — its command line names switchboard (a stale state file's pid may have been reused).
    /// </summary>
    public static bool IsRunningSwitchboard(int pid)
    {
        if (!Exists(pid)) return false;
        var commandLine = $"/proc/{pid}/cmdline";
        try
        {
            return !File.Exists(commandLine) || File.ReadAllText(commandLine).Contains("switchboard", StringComparison.OrdinalIgnoreCase);
        }
        catch (IOException)
        {
            return false; // exited while we looked
        }
    }

    /// <summary>The process exists and has not exited (a zombie nobody reaped counts as exited).</summary>
    public static bool Exists(int pid)
    {
        if (pid <= 0) return false;
        if (Kill(pid, 0) != 0 && Marshal.GetLastPInvokeError() == Esrch) return false;
        try
        {
            // /proc/PID/stat: "PID (name) STATE ..." — the name may contain spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterName = stat.LastIndexOf(')');
            return afterName < 0 || afterName + 2 >= stat.Length || stat[afterName + 2] is not ('Z' or 'X');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Without /proc (macOS) kill(pid, 0) has already answered; with it, the process just went away.
            return !Directory.Exists("/proc");
        }
    }

    /// <summary>Sends a signal; false when the process is gone or not ours to signal.</summary>
    public static bool Signal(int pid, int signal) => pid > 0 && Kill(pid, signal) == 0;

    /// <summary>Polls until the process is gone or the timeout passes; true when it is gone.</summary>
    public static async Task<bool> WaitForExitAsync(int pid, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Exists(pid))
        {
            if (DateTime.UtcNow >= deadline) return false;
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
