namespace Switchboard.Tests.Functional.Cli;

[Trait("Kind", "Functional")]
public sealed class LogsTests
{
    [Fact]
    public async Task Prints_the_last_lines_and_follows_new_ones()
    {
        using var cli = new CliHarness();
        Directory.CreateDirectory(cli.StateDirectory);
        var log = Path.Combine(cli.StateDirectory, "gateway.log");
        await File.WriteAllTextAsync(log, "one\ntwo\nthree\nfour\n");

        var tail = await cli.RunAsync("logs", "-n", "2");
        Assert.Equal(0, tail.ExitCode);
        Assert.Equal(["three", "four"], tail.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var live = new LiveOutput();
        using var stop = new CancellationTokenSource();
        var follow = cli.RunAsync(["logs", "-f", "-n", "1"], null, stop.Token, live);
        await LiveOutput.WaitUntilAsync(() => live.OutText.Contains("four"), "the tail");
        await File.AppendAllTextAsync(log, "five\n");
        await LiveOutput.WaitUntilAsync(() => live.OutText.Contains("five"), "the appended line");
        await stop.CancelAsync();
        var result = await follow;
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("four\nfive\n", result.Out.Replace("\r", ""));
    }

    [Fact]
    public async Task Without_a_log_it_explains()
    {
        using var cli = new CliHarness();
        var result = await cli.RunAsync("logs");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("up --detach", result.Error);
    }
}
