using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Switchboard.Cli;

namespace Switchboard.Tests.Functional.Cli;

/// <summary>`up --detach`, `status`, `logs`, `down` with the real CLI as child processes and a private state directory.</summary>
[Trait("Kind", "Functional")]
public sealed class DetachedGatewayTests
{
    private const string Config = """
        model_providers:
          - model: openai/gpt-4.1
            access_key: $OPENAI_API_KEY
            base_url: http://127.0.0.1:9/v1
            default: true
          - model: anthropic/claude-sonnet-4-5
            access_key: $ANTHROPIC_API_KEY
        """;

    [Fact]
    public async Task Up_detach_then_status_then_down_round_trip()
    {
        using var cli = new CliHarness(new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk-test" });
        var port = cli.WriteConfig(Config);
        var store = new GatewayStateStore(cli.StateDirectory);
        try
        {
            var up = await CliProcess.RunAsync(cli, "up", "--detach");
            Assert.True(up.ExitCode == 0, up.ToString());
            Assert.Contains($"http://127.0.0.1:{port}", up.Out);
            var state = store.Read();
            Assert.NotNull(state);
            Assert.Equal(port, state.Port);
            Assert.Equal(Path.Combine(cli.Directory, "config.yaml"), state.ConfigPath);
            Assert.True(ProcessProbe.IsRunningSwitchboard(state.Pid));

            var status = await CliProcess.RunAsync(cli, "status", "--json");
            Assert.True(status.ExitCode == 0, status.ToString());
            using (var json = JsonDocument.Parse(status.Out))
            {
                var root = json.RootElement;
                Assert.True(root.GetProperty("running").GetBoolean());
                Assert.Equal(state.Pid, root.GetProperty("pid").GetInt32());
                Assert.Equal($"http://127.0.0.1:{port}", root.GetProperty("url").GetString());
                Assert.Equal(0, root.GetProperty("requests").GetInt64());
                var providers = root.GetProperty("providers").EnumerateArray().ToDictionary(p => p.GetProperty("model").GetString()!, p => p.GetProperty("key_set").GetBoolean());
                Assert.True(providers["openai/gpt-4.1"]);
                Assert.False(providers["anthropic/claude-sonnet-4-5"]);
            }

            var human = await cli.RunAsync("status");
            Assert.Equal(0, human.ExitCode);
            Assert.Contains("running", human.Out);
            Assert.Contains("missing (ANTHROPIC_API_KEY)", human.Out);

            var second = await CliProcess.RunAsync(cli, "up", "--detach", "--port", FreePort().ToString());
            Assert.Equal(1, second.ExitCode);
            Assert.Contains("already running", second.Error);

            var logs = await cli.RunAsync("logs", "-n", "100");
            Assert.Equal(0, logs.ExitCode);
            Assert.Contains($"listening on http://127.0.0.1:{port}", logs.Out);

            var down = await CliProcess.RunAsync(cli, "down");
            Assert.True(down.ExitCode == 0, down.ToString());
            Assert.Contains("stopped", down.Out);
            Assert.False(ProcessProbe.Exists(state.Pid));
            Assert.Null(store.Read());

            var after = await cli.RunAsync("status");
            Assert.Equal(1, after.ExitCode);
            Assert.Contains("not running", after.Out);
            var downAgain = await cli.RunAsync("down");
            Assert.Equal(0, downAgain.ExitCode);
            Assert.Contains("not running", downAgain.Out);
        }
        finally
        {
            if (store.Read() is { } leftover) ProcessProbe.Signal(leftover.Pid, ProcessProbe.SigKill);
        }
    }

    [Fact]
    public async Task Up_detach_with_a_bad_config_explains_and_starts_nothing()
    {
        using var cli = new CliHarness();
        await File.WriteAllTextAsync(Path.Combine(cli.Directory, "broken.yaml"), """
            model_providers:
              - model: openai/gpt-4.1
                default: maybe
            """);

        var result = await cli.RunAsync("up", "--detach", "--config", "broken.yaml", "--port", FreePort().ToString());
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("default must be true or false", result.Error);
        Assert.Contains("nothing was started", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.False(File.Exists(Path.Combine(cli.StateDirectory, "gateway.json")));
    }

    [Fact]
    public async Task Up_detach_on_a_port_in_use_says_so()
    {
        using var cli = new CliHarness();
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var result = await cli.RunAsync("up", "--detach", "--port", port.ToString());
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("already in use", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.False(File.Exists(Path.Combine(cli.StateDirectory, "gateway.json")));
    }

    [Fact]
    public async Task A_stale_state_file_means_not_running_and_is_cleaned_up()
    {
        using var cli = new CliHarness();
        cli.WriteConfig();
        var store = new GatewayStateStore(cli.StateDirectory);
        store.Write(new GatewayState(int.MaxValue - 1, 1, "http://127.0.0.1:1", null, store.LogPath, DateTimeOffset.UtcNow));

        var status = await cli.RunAsync("status", "--json");
        Assert.Equal(1, status.ExitCode);
        Assert.Contains("\"running\": false", status.Out);
        Assert.Null(store.Read());

        store.Write(new GatewayState(int.MaxValue - 1, 1, "http://127.0.0.1:1", null, store.LogPath, DateTimeOffset.UtcNow));
        var down = await cli.RunAsync("down");
        Assert.Equal(0, down.ExitCode);
        Assert.Contains("not running", down.Out);
        Assert.Null(store.Read());
    }

    private static int FreePort() => CliHarness.FreePort();
}
