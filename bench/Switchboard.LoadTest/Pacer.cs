using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Switchboard.LoadTest;

/// <summary>
/// Starts work on a precise schedule (request i at start + i/rate), one wake-up per request, on a dedicated thread.
/// Why not <c>await Task.Delay(1)</c> in a loop: on this machine the runtime's timer fires every ~4 ms (p50; p99
/// ~10 ms), so a "1,000/s" loop released requests in bursts of 4–8, which queue behind each other in whatever is
/// measured. clock_nanosleep with an absolute CLOCK_MONOTONIC deadline wakes within ~0.1 ms and never drifts.
/// (Stopwatch on Linux is CLOCK_MONOTONIC in nanoseconds, so its timestamps are the deadlines.)
/// </summary>
internal static class Pacer
{
    /// <summary>Calls <paramref name="start"/>(index, lag ms behind schedule) for each of <paramref name="count"/> slots; completes after the last.</summary>
    public static Task RunAsync(int count, double rate, Action<int, double> start)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                var origin = Stopwatch.GetTimestamp();
                var ticksPerSlot = Stopwatch.Frequency / rate;
                for (var i = 0; i < count; i++)
                {
                    var due = origin + (long)(i * ticksPerSlot);
                    SleepUntil(due);
                    start(i, (Stopwatch.GetTimestamp() - due) * 1000.0 / Stopwatch.Frequency);
                }
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }) { IsBackground = true, Name = "pacer" };
        thread.Start();
        return done.Task;
    }

    private static void SleepUntil(long timestamp)
    {
        if (Stopwatch.GetTimestamp() >= timestamp) return;
        if (!OperatingSystem.IsLinux() || Stopwatch.Frequency != 1_000_000_000)
        {
            while (Stopwatch.GetTimestamp() < timestamp) Thread.Sleep(1);
            return;
        }
        var deadline = new Timespec { Seconds = timestamp / 1_000_000_000, Nanoseconds = timestamp % 1_000_000_000 };
        while (clock_nanosleep(ClockMonotonic, TimerAbsTime, ref deadline, IntPtr.Zero) == Eintr) { }
    }

    private const int ClockMonotonic = 1, TimerAbsTime = 1, Eintr = 4;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int clock_nanosleep(int clockId, int flags, ref Timespec request, IntPtr remain);
}
