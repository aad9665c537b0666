namespace Switchboard.Tests.Functional.Cli;

[Trait("Kind", "Functional")]
public sealed class HelpAndUsageTests
{
    /// <summary>Every command the CLI has, read from the CLI itself, so a new command is covered without editing this list.</summary>
    private static readonly string[] Commands = Switchboard.Cli.CliApp.Build(new Switchboard.Cli.CliContext(TextWriter.Null, TextWriter.Null, TextReader.Null))
        .Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToArray();

    [Fact]
    public void The_command_list_is_the_cli_s_own() =>
        Assert.Superset(new HashSet<string> { "up", "down", "status", "logs", "watch", "claude", "statusline", "init", "validate", "models", "route", "eval-router" }, Commands.ToHashSet());

    [Fact]
    public async Task Top_level_help_lists_every_command_with_a_short_description()
    {
        using var cli = new CliHarness();
        var result = await cli.RunAsync("--help");

        Assert.Equal(0, result.ExitCode);
        var commandLines = result.Out.Split('\n').SkipWhile(l => !l.StartsWith("Commands:")).Skip(1).Where(l => l.Trim().Length > 0).ToList();
        foreach (var command in Commands)
        {
            var line = Assert.Single(commandLines, l => l.TrimStart().StartsWith(command + " ", StringComparison.Ordinal));
            Assert.True(line.Length < 130, $"'{command}' has a long line in the command list: {line}");
        }
        Assert.DoesNotContain("Examples:", result.Out);
    }

    /// <summary>Commands with a required argument or option (route's prompt, eval-router's --data) included.</summary>
    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task Each_command_help_exits_0_and_ends_with_examples(string command)
    {
        using var cli = new CliHarness();
        var result = await cli.RunAsync(command, "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Error);
        Assert.Contains($"switchboard {command}", result.Out[result.Out.IndexOf("Usage:", StringComparison.Ordinal)..]);
        var examples = result.Out[result.Out.IndexOf("Examples:", StringComparison.Ordinal)..];
        Assert.Contains("switchboard " + command, examples);
    }

    public static TheoryData<string> EveryCommand() => new(Commands);

    [Theory]
    [InlineData("bogus")]
    [InlineData("status", "--no-such-option")]
    [InlineData("logs", "-n", "many")]
    [InlineData("watch", "--url", "not a url")]
    [InlineData("init", "--preset", "emacs")]
    [InlineData("route")]
    [InlineData("eval-router", "--config", "policy.yaml")]
    public async Task Usage_errors_exit_2_with_a_hint(params string[] args)
    {
        using var cli = new CliHarness();
        var result = await cli.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--help", result.Error);
    }

    [Fact]
    public async Task No_command_shows_help_as_a_usage_error()
    {
        using var cli = new CliHarness();
        var result = await cli.RunAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Commands:", result.Out);
    }

    [Fact]
    public async Task A_bad_port_is_a_usage_error()
    {
        using var cli = new CliHarness();
        var result = await cli.RunAsync("up", "--detach", "--port", "70000");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not a port number", result.Error);
    }
}
