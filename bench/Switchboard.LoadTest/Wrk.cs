using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Switchboard.LoadTest;

/// <summary>
/// Maximum throughput with Debian's wrk (closed loop: each connection sends its next request when the last one
/// answered, so it finds the saturation point; its latencies suffer from coordinated omission and are not used).
/// </summary>
internal static partial class Wrk
{
    public const int Threads = 2, Connections = 32;

    public static async Task<(double RequestsPerSecond, int NonSuccess)> RunAsync(Target target, string workDir, TimeSpan duration)
    {
        var bodyPath = Path.Combine(workDir, $"wrk-{Guid.NewGuid():N}.json");
        var scriptPath = Path.ChangeExtension(bodyPath, ".lua");
        await File.WriteAllBytesAsync(bodyPath, target.Body);
        var lua = new System.Text.StringBuilder();
        lua.AppendLine("wrk.method = \"POST\"");
        lua.AppendLine($"local f = io.open(\"{bodyPath}\", \"rb\"); wrk.body = f:read(\"*a\"); f:close()");
        lua.AppendLine("wrk.headers[\"Content-Type\"] = \"application/json\"");
        foreach (var (name, value) in target.Headers) lua.AppendLine($"wrk.headers[\"{name}\"] = \"{value}\"");
        await File.WriteAllTextAsync(scriptPath, lua.ToString());

        try
        {
            var info = new ProcessStartInfo("wrk", ["-t", Threads.ToString(), "-c", Connections.ToString(), "-d", $"{(int)duration.TotalSeconds}s", "-s", scriptPath, target.Url.ToString()])
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(info)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            var rps = RequestsPerSec().Match(output) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
            var errors = NonSuccess().Match(output) is { Success: true } e ? int.Parse(e.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            if (double.IsNaN(rps)) Console.Error.WriteLine("wrk output not understood:\n" + output + await process.StandardError.ReadToEndAsync());
            return (rps, errors);
        }
        finally
        {
            File.Delete(bodyPath);
            File.Delete(scriptPath);
        }
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSec();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+([0-9]+)")]
    private static partial Regex NonSuccess();
}

internal static class Machine
{
    public static string Describe()
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var memKb = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return $"{Environment.ProcessorCount} cores (nproc), {cpu}, {long.Parse(memKb) / 1024.0 / 1024.0:0.0} GiB RAM, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
    }

    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    /// <summary>A tool's output (its standard error instead when <paramref name="stderr"/>, as `nginx -v` prints there), or "" if it cannot run.</summary>
    public static string Run(string file, string args, bool stderr = false)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var error = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return stderr ? error.Result : output;
        }
        catch (Exception)
        {
            return "";
        }
    }
}
