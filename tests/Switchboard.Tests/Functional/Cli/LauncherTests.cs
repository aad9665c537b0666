using System.Collections;
using System.Net;

namespace Switchboard.Tests.Functional.Cli;

/// <summary>The first command of the README, as a newcomer runs it: the repository's `./switchboard` launcher.</summary>
[Trait("Kind", "Functional")]
public sealed class LauncherTests
{
    /// <summary>
    /// `./switchboard up` builds the CLI when its build is missing or stale (ReadyToRun, or a plain build when that
    /// cannot be had), starts the gateway with no config and no keys, names the keys it looked for, answers /healthz,
    /// and stops cleanly on SIGTERM. On a fresh clone (CI) this includes the build itself.
    /// </summary>
    [Fact]
    public async Task The_readme_launcher_builds_starts_the_gateway_and_names_the_missing_keys()
    {
        // A directory with no config.yaml; HOME stays as it is, so the build finds the usual NuGet package cache.
        var workingDirectory = Directory.CreateTempSubdirectory("sb-launcher-");
        try
        {
            var env = new Dictionary<string, string?>();
            foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
                if (((string)variable.Key).EndsWith("_API_KEY", StringComparison.Ordinal)) env[(string)variable.Key] = null;
            var port = GatewayProcess.FreePort();

            await using var gateway = GatewayProcess.StartProgram(Path.Combine(RepoPaths.Root, "switchboard"), ["up", "--port", port.ToString()], env, workingDirectory.FullName);
            // Standard error's own line: the keys are named before it on the same pipe. (The log's "listening on" line
            // comes on standard output, which a loaded machine can deliver before standard error's earlier lines.)
            // A cold ReadyToRun build on a fresh 2-core machine, beside the rest of the suite: it took over 8 min on a
            // loaded one. A build that fails ends the wait at once (the launcher exits).
            await gateway.WaitForOutputAsync("Switchboard is listening on", TimeSpan.FromMinutes(20));
            Assert.Contains("ANTHROPIC_API_KEY", gateway.Output);
            Assert.Contains("OPENAI_API_KEY", gateway.Output);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            using (var health = await http.GetAsync("/healthz")) Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            // A request now gets a clear error naming the variable to set, in the client's own format.
            using (var request = await http.PostAsync("/v1/messages", new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json")))
            {
                var body = await request.Content.ReadAsStringAsync();
                Assert.Contains("ANTHROPIC_API_KEY", body);
                Assert.Contains("\"type\":\"error\"", body);
            }

            gateway.Signal(GatewayProcess.SIGTERM);
            Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            workingDirectory.Delete(recursive: true);
        }
    }
}
