using System.CommandLine;
using System.Text.Json;
using Switchboard.Observability;

namespace Switchboard.Cli;

/// <summary>
/// `switchboard statusline`: the command behind Claude Code's statusLine setting. Claude Code runs it after each
/// message with the session as JSON on stdin; it prints one line: the route and model that answered that
/// session's latest request (never another session's). It must be quick, so the gateway gets one small GET with a
/// short timeout.
/// </summary>
internal static class StatuslineCommand
{
    /// <summary>Overrides the 300 ms the gateway gets to answer (a slow machine, a debugger).</summary>
    public const string TimeoutVariable = "SWITCHBOARD_STATUSLINE_TIMEOUT_MS";
    private static readonly TimeSpan DefaultGatewayTimeout = TimeSpan.FromMilliseconds(300);
    /// <summary>Claude Code writes the JSON and closes stdin; never hang on a stdin that stays open.</summary>
    private static readonly TimeSpan StdinTimeout = TimeSpan.FromMilliseconds(500);

    public const string Prefix = "⇄ ";

    public static Command Create(CliContext context)
    {
        var url = CliApp.UrlOption();
        var command = new Command("statusline", "Print the route and model of the latest request (for Claude Code's status line).") { url };
        command.WithExamples(
            "switchboard statusline < session.json        # what Claude Code runs; `switchboard claude` sets it up",
            """echo '{"session_id":"abc"}' | switchboard statusline""",
            """In ~/.claude/settings.json: "statusLine": {"type": "command", "command": "/path/to/switchboard statusline"}""");
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse.GetValue(url), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, Uri? url, CancellationToken cancellationToken)
    {
        var sessionId = await ReadSessionIdAsync(context).ConfigureAwait(false);
        context.Out.WriteLine(await LineAsync(context, url, sessionId, cancellationToken).ConfigureAwait(false));
        return ExitCodes.Ok; // a status line never fails the caller
    }

    private static async Task<string> LineAsync(CliContext context, Uri? url, string? sessionId, CancellationToken cancellationToken)
    {
        var gateway = GatewayLocator.Find(context, url);
        if (gateway is null) return Prefix + "switchboard: not running";
        try
        {
            using var client = new GatewayClient(gateway.BaseUrl, GatewayTimeout(context), KeysCommand.AdminKey(context));
            var latest = await client.GetLastAsync(sessionId, cancellationToken).ConfigureAwait(false);
            if (latest is not null) return Format(latest);
            // A new session shows nothing of the others: its line fills in with its own first request.
            return Prefix + (string.IsNullOrEmpty(sessionId) ? "switchboard: no requests yet" : "switchboard: no request yet in this session");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Prefix + "switchboard: not answering";
        }
        catch (Exception ex) when (GatewayClient.IsUnreachable(ex, cancellationToken) || ex is JsonException)
        {
            return Prefix + "switchboard: not running";
        }
    }

    private static TimeSpan GatewayTimeout(CliContext context) =>
        int.TryParse(context.GetEnvironmentVariable(TimeoutVariable), out var ms) && ms > 0 ? TimeSpan.FromMilliseconds(ms) : DefaultGatewayTimeout;

    /// <summary>"⇄ code generation → openai/gpt-4.1 · $0.42" (the session's spend, when it has one), or "⇄ openai/gpt-4.1" when no route chose it.</summary>
    internal static string Format(RequestEvent e)
    {
        var line = e.Route is "none" or "" ? Prefix + e.Model : $"{Prefix}{e.Route} → {e.Model}";
        if (e.SessionCostUsd is { } spent) line += " · " + WatchCommand.Money(spent);
        return e.Status >= 400 ? $"{line} (error {e.Status})" : line;
    }

    private static async Task<string?> ReadSessionIdAsync(CliContext context)
    {
        if (context.InputIsTerminal) return null; // run by hand: there is no session
        var read = context.In.ReadToEndAsync();
        if (await Task.WhenAny(read, Task.Delay(StdinTimeout)).ConfigureAwait(false) != read) return null;
        try
        {
            using var document = JsonDocument.Parse(await read.ConfigureAwait(false));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("session_id", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
