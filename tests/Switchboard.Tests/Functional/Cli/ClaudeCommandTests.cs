using System.Text.Json;
using Switchboard.Cli;

namespace Switchboard.Tests.Functional.Cli;

/// <summary>`switchboard claude` with a fake claude (a shell script that records its environment and arguments).</summary>
[Trait("Kind", "Functional")]
public sealed class ClaudeCommandTests
{
    private const string FakeClaude = """
        #!/bin/sh
        env > "$FAKE_CLAUDE_OUT/env"
        for arg in "$@"; do printf '%s\n' "$arg"; done > "$FAKE_CLAUDE_OUT/args"
        exit "${FAKE_CLAUDE_EXIT:-0}"
        """;

    private const string ConfigWithSmallFastAlias = """
        model_providers:
          - model: anthropic/claude-sonnet-4-5
            access_key: sk-test
            base_url: http://127.0.0.1:9
            default: true
          - model: anthropic/claude-haiku-4-5
            access_key: sk-test
            base_url: http://127.0.0.1:9
        model_aliases:
          switchboard.claude.code.small.fast:
            target: anthropic/claude-haiku-4-5
        """;

    [Fact]
    public async Task Runs_claude_against_the_gateway_with_merged_settings_and_returns_its_exit_code()
    {
        await using var gateway = await TestGateway.StartAsync(ConfigWithSmallFastAlias);
        using var cli = Harness(exitCode: 7);
        cli["ANTHROPIC_API_KEY"] = "sk-ant-must-not-reach-claude";

        var result = await cli.RunAsync("claude", "--url", gateway.BaseUrl.ToString(),
            "--settings", """{"model":"opus","env":{"API_TIMEOUT_MS":"1234"}}""", "--", "-p", "hello there", "--verbose");

        Assert.True(result.ExitCode == 7, result.ToString());
        var env = ReadEnv(cli);
        var address = gateway.BaseUrl.ToString().TrimEnd('/');
        Assert.Equal(address, env["ANTHROPIC_BASE_URL"]);
        Assert.Equal("switchboard", env["ANTHROPIC_AUTH_TOKEN"]);
        Assert.False(env.ContainsKey("ANTHROPIC_API_KEY"));
        Assert.Equal("switchboard.claude.code.small.fast", env["ANTHROPIC_SMALL_FAST_MODEL"]);
        Assert.Equal("switchboard.claude.code.small.fast", env["ANTHROPIC_DEFAULT_HAIKU_MODEL"]);
        Assert.Equal("1234", env["API_TIMEOUT_MS"]); // the user's settings env wins over ours
        Assert.Equal("1", env["DISABLE_TELEMETRY"]);
        Assert.Equal("1", env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"]);
        Assert.Equal("1", env["DISABLE_AUTOUPDATER"]);
        Assert.Equal(address, env["SWITCHBOARD_URL"]);
        Assert.Equal("1", env["CLAUDE_CODE_GATEWAY_HINT_HEADERS"]);
        Assert.Equal("1", env["CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY"]);
        Assert.False(env.ContainsKey("ANTHROPIC_DEFAULT_OPUS_MODEL")); // no claude_code section: Claude Code's own names, routed

        var args = ReadArgs(cli);
        Assert.Equal("--settings", args[0]);
        Assert.Equal(["-p", "hello there", "--verbose"], args[2..]);
        using var settings = JsonDocument.Parse(args[1]);
        Assert.Equal("opus", settings.RootElement.GetProperty("model").GetString());
        Assert.Equal("1234", settings.RootElement.GetProperty("env").GetProperty("API_TIMEOUT_MS").GetString());
        var statusLine = settings.RootElement.GetProperty("statusLine");
        Assert.Equal("command", statusLine.GetProperty("type").GetString());
        Assert.EndsWith(" statusline", statusLine.GetProperty("command").GetString());
    }

    [Fact]
    public async Task Keeps_a_status_line_the_user_already_has_and_sets_no_alias_the_config_lacks()
    {
        await using var gateway = await TestGateway.StartAsync("""
            model_providers:
              - model: openai/gpt-4.1
                access_key: sk-test
                default: true
            """);
        using var cli = Harness(exitCode: 0);

        var explicitStatusLine = await cli.RunAsync("claude", "--url", gateway.BaseUrl.ToString(),
            "--settings", """{"statusLine":{"type":"command","command":"my-line"}}""");
        Assert.True(explicitStatusLine.ExitCode == 0, explicitStatusLine.ToString());
        var args = ReadArgs(cli);
        using (var settings = JsonDocument.Parse(args[1]))
            Assert.Equal("my-line", settings.RootElement.GetProperty("statusLine").GetProperty("command").GetString());
        Assert.False(ReadEnv(cli).ContainsKey("ANTHROPIC_SMALL_FAST_MODEL"));

        // A status line in the user's own Claude Code settings: no --settings at all when none were given.
        Directory.CreateDirectory(Path.Combine(cli.Directory, ".claude"));
        await File.WriteAllTextAsync(Path.Combine(cli.Directory, ".claude", "settings.json"), """{"statusLine":{"type":"command","command":"theirs"}}""");
        var fromHome = await cli.RunAsync("claude", "--url", gateway.BaseUrl.ToString());
        Assert.Equal(0, fromHome.ExitCode);
        Assert.DoesNotContain("--settings", ReadArgs(cli));
    }

    [Fact]
    public async Task Starts_a_background_gateway_when_none_is_running()
    {
        using var cli = Harness(exitCode: 3);
        var port = cli.WriteConfig(ConfigWithSmallFastAlias);
        try
        {
            var result = await CliProcess.RunAsync(cli, "claude", "--", "--version");

            Assert.True(result.ExitCode == 3, result.ToString());
            Assert.Contains("Started Switchboard in the background", result.Error);
            Assert.Equal($"http://127.0.0.1:{port}", ReadEnv(cli)["ANTHROPIC_BASE_URL"]);
            Assert.Equal("--version", ReadArgs(cli)[^1]);
            Assert.NotNull(new GatewayStateStore(cli.StateDirectory).ReadLive());
        }
        finally
        {
            await CliProcess.RunAsync(cli, "down");
        }
    }

    [Fact]
    public async Task Uses_a_gateway_running_in_the_foreground_on_the_configs_listener()
    {
        await using var gateway = await TestGateway.StartAsync(ConfigWithSmallFastAlias);
        using var cli = Harness(exitCode: 0);
        cli.WriteConfig(ConfigWithSmallFastAlias, port: gateway.BaseUrl.Port);

        var status = await cli.RunAsync("status", "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.DoesNotContain("detached", status.Out);

        var result = await cli.RunAsync("claude");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(gateway.BaseUrl.ToString().TrimEnd('/'), ReadEnv(cli)["ANTHROPIC_BASE_URL"]);
        Assert.DoesNotContain("Started", result.Error);
        Assert.Null(new GatewayStateStore(cli.StateDirectory).Read());
    }

    [Fact]
    public async Task Without_claude_it_says_how_to_install_it()
    {
        using var cli = new CliHarness { [ClaudeBinary.OverrideVariable] = "/nonexistent/claude" };
        var result = await cli.RunAsync("claude");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(ClaudeBinary.OverrideVariable, result.Error);

        using var nowhere = new CliHarness { ["PATH"] = "/nonexistent" };
        var context = new CliContext(TextWriter.Null, TextWriter.Null, TextReader.Null, environment: nowhere.Environment, workingDirectory: nowhere.Directory);
        Assert.Null(ClaudeBinary.Find(context, repositoryRoot: null, out var problem));
        Assert.Contains("npm install -g @anthropic-ai/claude-code", problem);
    }

    [Fact]
    public async Task Takes_archgws_top_level_settings_keys_and_passes_the_rest_to_claude()
    {
        await using var gateway = await TestGateway.StartAsync(ConfigWithSmallFastAlias);
        using var cli = Harness(exitCode: 0);

        // The command archgw's docs show for `archgw cli-agent claude`.
        var result = await cli.RunAsync("claude", "--url", gateway.BaseUrl.ToString(),
            "--settings", """{"ANTHROPIC_SMALL_FAST_MODEL": "deepseek-coder-v2", "NON_INTERACTIVE_MODE": true, "model": "opus"}""");

        Assert.True(result.ExitCode == 0, result.ToString());
        var env = ReadEnv(cli);
        Assert.Equal("deepseek-coder-v2", env["ANTHROPIC_SMALL_FAST_MODEL"]); // over the config's alias, as archgw
        Assert.Equal("deepseek-coder-v2", env["ANTHROPIC_DEFAULT_HAIKU_MODEL"]);
        Assert.Equal(("true", "0", "1", "dumb"), (env["CI"], env["FORCE_COLOR"], env["NODE_NO_READLINE"], env["TERM"]));
        var args = ReadArgs(cli);
        using var settings = JsonDocument.Parse(args[1]);
        Assert.Equal("opus", settings.RootElement.GetProperty("model").GetString());
        Assert.False(settings.RootElement.TryGetProperty("ANTHROPIC_SMALL_FAST_MODEL", out _));
        Assert.False(settings.RootElement.TryGetProperty("NON_INTERACTIVE_MODE", out _));

        // Off unless asked for; and only those two keys are taken.
        cli["TERM"] = "xterm-256color";
        var interactive = await cli.RunAsync("claude", "--url", gateway.BaseUrl.ToString(), "--settings", """{"NON_INTERACTIVE_MODE": false}""");
        Assert.True(interactive.ExitCode == 0, interactive.ToString());
        Assert.Equal("xterm-256color", ReadEnv(cli)["TERM"]);
        Assert.Equal("switchboard.claude.code.small.fast", ReadEnv(cli)["ANTHROPIC_SMALL_FAST_MODEL"]);
    }

    [Fact]
    public async Task Uses_archgws_small_fast_alias_when_the_config_names_it_so()
    {
        await using var gateway = await TestGateway.StartAsync(ConfigWithSmallFastAlias.Replace("switchboard.claude.code.small.fast", "arch.claude.code.small.fast"));
        using var cli = Harness(exitCode: 0);

        var result = await cli.RunAsync("claude", "--url", gateway.BaseUrl.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("arch.claude.code.small.fast", ReadEnv(cli)["ANTHROPIC_SMALL_FAST_MODEL"]);
        Assert.Equal("arch.claude.code.small.fast", ReadEnv(cli)["ANTHROPIC_DEFAULT_HAIKU_MODEL"]);
    }

    [Fact]
    public async Task Passes_the_claude_code_sections_models_for_each_model_class()
    {
        var yaml = ConfigWithSmallFastAlias + """

              smart:
                target: anthropic/claude-sonnet-4-5
            claude_code:
              opus: smart
              sonnet: anthropic/claude-sonnet-4-5
              haiku: anthropic/claude-haiku-4-5
              subagent: claude-haiku-4-5
            """;
        await using var gateway = await TestGateway.StartAsync(yaml);
        using var cli = Harness(exitCode: 0);
        await File.WriteAllTextAsync(Path.Combine(cli.Directory, "config.yaml"), yaml);

        var result = await cli.RunAsync("claude", "--url", gateway.BaseUrl.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        var env = ReadEnv(cli);
        Assert.Equal("smart", env["ANTHROPIC_DEFAULT_OPUS_MODEL"]);
        Assert.Equal("anthropic/claude-sonnet-4-5", env["ANTHROPIC_DEFAULT_SONNET_MODEL"]);
        Assert.Equal("anthropic/claude-haiku-4-5", env["ANTHROPIC_DEFAULT_HAIKU_MODEL"]); // claude_code.haiku over the small/fast alias
        Assert.Equal("anthropic/claude-haiku-4-5", env["ANTHROPIC_SMALL_FAST_MODEL"]);
        Assert.Equal("claude-haiku-4-5", env["CLAUDE_CODE_SUBAGENT_MODEL"]);
        Assert.Equal("1", env["CLAUDE_CODE_GATEWAY_HINT_HEADERS"]);
    }

    [Fact]
    public async Task Bad_settings_are_a_usage_error()
    {
        using var cli = Harness(exitCode: 0);
        var result = await cli.RunAsync("claude", "--settings", "{not json");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--settings", result.Error);
        Assert.False(File.Exists(Path.Combine(cli.Directory, "out", "args")));
    }

    private static CliHarness Harness(int exitCode)
    {
        var cli = new CliHarness();
        var script = Path.Combine(cli.Directory, "fake-claude");
        File.WriteAllText(script, FakeClaude.Replace("\r", ""));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var output = Path.Combine(cli.Directory, "out");
        Directory.CreateDirectory(output);
        cli[ClaudeBinary.OverrideVariable] = script;
        cli["FAKE_CLAUDE_OUT"] = output;
        cli["FAKE_CLAUDE_EXIT"] = exitCode.ToString();
        return cli;
    }

    private static Dictionary<string, string> ReadEnv(CliHarness cli) =>
        File.ReadAllLines(Path.Combine(cli.Directory, "out", "env"))
            .Where(l => l.Contains('='))
            .Select(l => l.Split('=', 2))
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);

    private static string[] ReadArgs(CliHarness cli) => File.ReadAllLines(Path.Combine(cli.Directory, "out", "args"));
}
