using System.Diagnostics;
using System.Text.Json;

namespace Switchboard.Tests.TestKit;

/// <summary>
/// The real Claude Code CLI (npm @anthropic-ai/claude-code, pinned in tests/e2e/package.json and installed by
/// .ci/run), run headless with `-p … --output-format json` in a throwaway HOME and working directory.
/// </summary>
internal static class ClaudeCli
{
    public static string Binary
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("SWITCHBOARD_CLAUDE_BIN");
            if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
            var pinned = Path.Combine(RepoPaths.Root, "tests", "e2e", "node_modules", ".bin", "claude");
            if (File.Exists(pinned)) return pinned;
            throw new Xunit.Sdk.XunitException($"Claude Code is not installed at {pinned}: run `npm ci --prefix tests/e2e` (./test.sh and .ci/run do this).");
        }
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr, string WorkingDirectory)
    {
        public JsonElement Json
        {
            get
            {
                // --output-format json prints one JSON object (the last line when several are printed).
                var line = Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.TrimStart().StartsWith('{'));
                using var doc = JsonDocument.Parse(line);
                return doc.RootElement.Clone();
            }
        }
    }

    public static async Task<Result> RunAsync(Uri gateway, string prompt, IEnumerable<string>? extraArgs = null, IDictionary<string, string>? env = null, TimeSpan? timeout = null)
    {
        var home = Directory.CreateTempSubdirectory("sb-claude-home-").FullName;
        var work = Directory.CreateTempSubdirectory("sb-claude-work-").FullName;
        var start = new ProcessStartInfo(Binary)
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-p", prompt, "--output-format", "json" }.Concat(extraArgs ?? [])) start.ArgumentList.Add(arg);
        start.Environment["HOME"] = home;
        start.Environment["ANTHROPIC_BASE_URL"] = gateway.ToString().TrimEnd('/');
        start.Environment["ANTHROPIC_API_KEY"] = "sk-client-placeholder";
        start.Environment["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1";
        start.Environment["DISABLE_TELEMETRY"] = "1";
        start.Environment["DISABLE_AUTOUPDATER"] = "1";
        start.Environment["DISABLE_ERROR_REPORTING"] = "1";
        start.Environment.Remove("ANTHROPIC_AUTH_TOKEN");
        if (env is not null) foreach (var (k, v) in env) start.Environment[k] = v;

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"claude did not finish in time. stdout: {await stdout}\nstderr: {await stderr}");
        }
        return new Result(process.ExitCode, await stdout, await stderr, work);
    }
}
