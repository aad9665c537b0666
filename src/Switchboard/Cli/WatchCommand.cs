using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using Switchboard.Observability;

namespace Switchboard.Cli;

/// <summary>
/// `switchboard watch`: one line per finished request, live, from the gateway's /switchboard/events stream.
/// Survives gateway restarts: it reconnects (re-reading the state file, so a new port is found too).
/// </summary>
internal static class WatchCommand
{
    /// <summary>The gateway pings every 15 s; three missed pings mean the connection is dead even if TCP has not noticed.</summary>
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private const string NotRunning = "Switchboard is not running. Start it with `switchboard up --detach` (or `switchboard up` in another terminal), or pass --url.";

    public static Command Create(CliContext context)
    {
        var json = CliApp.JsonOption("each event (one JSON object per line)");
        var url = CliApp.UrlOption();
        var session = new Option<string?>("--session") { Description = "Only this client session's requests (Claude Code's session id, as its status line gets it)." };
        var command = new Command("watch", "Show routing decisions live: requested model → answering model, route, latency.") { json, url, session };
        command.WithExamples(
            "switchboard watch",
            "switchboard watch --url http://127.0.0.1:12000     # a foreground gateway",
            "switchboard watch --json | jq -c '{model, route, latency_ms}'",
            "switchboard watch --session 2f0c…                  # one Claude Code session");
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse.GetValue(url), parse.GetValue(json), parse.GetValue(session), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, Uri? url, bool json, string? session, CancellationToken cancellationToken)
    {
        using var interrupt = Interrupt.Listen(cancellationToken);
        cancellationToken = interrupt.Token;
        var everConnected = false;
        var saidWaiting = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var gateway = GatewayLocator.Find(context, url);
            if (gateway is null && !everConnected)
            {
                context.Error.WriteLine(NotRunning);
                return ExitCodes.Failure;
            }
            if (gateway is not null)
            {
                try
                {
                    using var client = new GatewayClient(gateway.BaseUrl, Timeout.InfiniteTimeSpan, KeysCommand.AdminKey(context));
                    await using var stream = await client.OpenEventStreamAsync(cancellationToken).ConfigureAwait(false);
                    var address = gateway.BaseUrl.ToString().TrimEnd('/');
                    context.Error.WriteLine(everConnected ? $"Reconnected to {address}." : $"Watching {address} (Ctrl+C to stop)…");
                    everConnected = true;
                    saidWaiting = false;
                    await ReadEventsAsync(context, stream, json, string.IsNullOrWhiteSpace(session) ? null : session.Trim(), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (GatewayClient.IsUnreachable(ex, cancellationToken) || ex is TimeoutException)
                {
                    if (!everConnected)
                    {
                        context.Error.WriteLine(gateway.IsGuess
                            ? NotRunning
                            : $"Cannot reach Switchboard at {gateway.BaseUrl.ToString().TrimEnd('/')}: {ex.Message}");
                        return ExitCodes.Failure;
                    }
                }
            }
            if (!saidWaiting)
            {
                context.Error.WriteLine("The gateway went away; waiting for it to come back…");
                saidWaiting = true;
            }
            try
            {
                await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return ExitCodes.Ok;
    }

    /// <summary>Reads `data:` lines until the stream ends; comments (`: ping`) only prove the connection is alive.</summary>
    private static async Task ReadEventsAsync(CliContext context, Stream stream, bool json, string? session, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (true)
        {
            string? line;
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                idle.CancelAfter(IdleTimeout);
                try
                {
                    line = await reader.ReadLineAsync(idle.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"nothing from the gateway for {IdleTimeout.TotalSeconds:0} s.");
                }
            }
            if (line is null) return;
            if (!line.StartsWith("data:", StringComparison.Ordinal)) continue;
            var data = line.AsSpan(5).TrimStart(' ');
            if (json && session is null)
            {
                context.Out.WriteLine(data);
                context.Out.Flush();
                continue;
            }
            RequestEvent? e;
            try
            {
                e = JsonSerializer.Deserialize(data, AdminJsonContext.Default.RequestEvent);
            }
            catch (JsonException)
            {
                continue; // a newer gateway's event this CLI cannot read: skip it rather than stop watching
            }
            if (e is null || (session is not null && e.SessionId != session)) continue;
            if (json)
            {
                context.Out.WriteLine(data);
                context.Out.Flush();
            }
            else context.Ansi.MarkupLine(Format(e));
        }
    }

    /// <summary>One event as a line of Spectre markup: time, client API, requested → answering model, route, provider, status, latency, tokens.</summary>
    internal static string Format(RequestEvent e)
    {
        var status = e.Status switch
        {
            < 300 => $"[green]{e.Status}[/]",
            < 500 and not 499 => $"[yellow]{e.Status}[/]",
            _ => $"[red]{e.Status}[/]",
        };
        var route = e.Route is "none" or "" ? "[grey]none[/]" : $"[magenta]{Markup.Escape(e.Route)}[/]";
        var line = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"[grey]{e.Time.ToLocalTime():HH:mm:ss}[/]  ")
            .Append(CultureInfo.InvariantCulture, $"[cyan]{Markup.Escape(e.ClientApi),-9}[/]  ")
            .Append(Markup.Escape(string.IsNullOrEmpty(e.RequestedModel) ? "?" : e.RequestedModel))
            .Append(" [grey]→[/] ")
            .Append(CultureInfo.InvariantCulture, $"[bold]{Markup.Escape(e.Model)}[/]  ")
            .Append(route).Append(e.Background ? " [grey](background)[/]  " : "  ")
            .Append(CultureInfo.InvariantCulture, $"[blue]{Markup.Escape(e.Provider)}[/]  ")
            .Append(status).Append("  ")
            .Append(Latency(e.LatencyMs));
        if (e.InputTokens is not null || e.OutputTokens is not null)
            line.Append(CultureInfo.InvariantCulture, $"  [grey]{e.InputTokens?.ToString(CultureInfo.InvariantCulture) ?? "-"} in / {e.OutputTokens?.ToString(CultureInfo.InvariantCulture) ?? "-"} out[/]");
        if (e.CostUsd is { } cost)
            line.Append(CultureInfo.InvariantCulture, $"  [green]{Money(cost)}[/]");
        if (e.Error is { Length: > 0 } error)
            line.Append(CultureInfo.InvariantCulture, $"  [red]{Markup.Escape(error.Length > 100 ? error[..100] + "…" : error)}[/]");
        return line.ToString();
    }

    /// <summary>"$0.42", "$0.0031", "$0.000012": enough digits to see a small request's cost.</summary>
    internal static string Money(decimal usd) => usd switch
    {
        0 => "$0",
        >= 0.01m or <= -0.01m => string.Create(CultureInfo.InvariantCulture, $"${usd:0.00}"),
        >= 0.0001m => string.Create(CultureInfo.InvariantCulture, $"${usd:0.0000}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"${usd:0.000000}"),
    };

    private static string Latency(double ms) =>
        ms < 1000 ? string.Create(CultureInfo.InvariantCulture, $"{ms:0} ms") : string.Create(CultureInfo.InvariantCulture, $"{ms / 1000:0.00} s");
}
