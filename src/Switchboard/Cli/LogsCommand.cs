using System.CommandLine;

namespace Switchboard.Cli;

/// <summary>`switchboard logs`: the background gateway's output (one line per request, warnings, errors).</summary>
internal static class LogsCommand
{
    public static Command Create(CliContext context)
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines as they are written (Ctrl+C to stop)." };
        var lines = new Option<int>("--lines", "-n") { Description = "How many of the last lines to print first.", DefaultValueFactory = _ => 40 };
        var command = new Command("logs", "Show the background gateway's log.") { follow, lines };
        command.WithExamples(
            "switchboard logs            # the last 40 lines",
            "switchboard logs -n 200",
            "switchboard logs -f         # follow, like tail -f");
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse.GetValue(follow), parse.GetValue(lines), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, bool follow, int lines, CancellationToken cancellationToken)
    {
        if (lines < 0)
        {
            context.Error.WriteLine($"--lines {lines} must be 0 or more.");
            return ExitCodes.Usage;
        }
        var store = GatewayStateStore.For(context);
        var path = store.Read()?.LogPath ?? store.LogPath;
        if (!File.Exists(path))
        {
            context.Error.WriteLine($"No log yet at {path}: logs come from a gateway started with `switchboard up --detach` (a foreground `up` logs to its terminal).");
            return ExitCodes.Failure;
        }
        // Remember where the file ended before printing its tail, so following neither repeats nor skips a line.
        var end = new FileInfo(path).Length;
        foreach (var line in LogFile.Tail(path, lines, end)) context.Out.WriteLine(line);
        if (!follow) return ExitCodes.Ok;
        using var interrupt = Interrupt.Listen(cancellationToken);
        try
        {
            await LogFile.FollowAsync(path, end, context.Out, interrupt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (interrupt.Token.IsCancellationRequested)
        {
        }
        return ExitCodes.Ok;
    }
}
