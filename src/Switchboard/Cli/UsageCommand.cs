using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Spectre.Console;
using Switchboard.Endpoints;
using Switchboard.Ledger.Queries;

namespace Switchboard.Cli;

/// <summary>
/// `switchboard usage`: what the ledger says a running gateway's traffic cost, grouped by model, route, key, session,
/// day, provider or agent (GET /switchboard/usage). --json prints the gateway's answer unchanged.
/// </summary>
internal static class UsageCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static Command Create(CliContext context)
    {
        var since = new Option<string>("--since") { Description = "From when: a span back from now (30m, 24h, 7d, 2w) or an ISO date or time.", DefaultValueFactory = _ => "7d" };
        var until = new Option<string?>("--until") { Description = "Until when (default: now); same forms as --since." };
        var by = new Option<string>("--by") { Description = $"Group by {string.Join(", ", UsageQuery.Groupings)}.", DefaultValueFactory = _ => "model" };
        by.AcceptOnlyFromAmong(UsageQuery.Groupings);
        var json = CliApp.JsonOption("the usage report");
        var url = CliApp.UrlOption();
        var command = new Command("usage", "Show requests, tokens, cost and latency from the gateway's usage ledger.") { since, until, by, json, url };
        command.WithExamples(
            "switchboard usage                       # the last 7 days, by model",
            "switchboard usage --since 24h --by route",
            "switchboard usage --since 2026-11-01 --by day --json | jq '.total.cost_usd'");
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse.GetValue(since)!, parse.GetValue(until), parse.GetValue(by)!, parse.GetValue(json), parse.GetValue(url), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string since, string? until, string by, bool json, Uri? url, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        if (UsageWindow.Parse(since, until, now, out var error) is null)
        {
            context.Error.WriteLine(error);
            return ExitCodes.Usage;
        }
        var gateway = GatewayLocator.Find(context, url);
        if (gateway is null)
        {
            context.Error.WriteLine("No gateway is running: start one with `switchboard up --detach`, or pass --url.");
            return ExitCodes.Failure;
        }
        var path = $"{UsageEndpoints.UsagePath}?since={Uri.EscapeDataString(since)}&by={Uri.EscapeDataString(by)}" + (until is null ? "" : "&until=" + Uri.EscapeDataString(until));
        string body;
        HttpStatusCode status;
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = gateway.BaseUrl, Timeout = Timeout };
            using var response = await http.GetAsync(path, cancellationToken).ConfigureAwait(false);
            status = response.StatusCode;
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (GatewayClient.IsUnreachable(ex, cancellationToken))
        {
            context.Error.WriteLine($"No gateway answers at {gateway.BaseUrl}: is it running? (`switchboard status`)");
            return ExitCodes.Failure;
        }
        if (status != HttpStatusCode.OK)
        {
            context.Error.WriteLine(ErrorOf(body) ?? $"The gateway at {gateway.BaseUrl} answered {(int)status} to {UsageEndpoints.UsagePath}: is it a Switchboard with a ledger?");
            return ExitCodes.Failure;
        }
        if (json)
        {
            context.Out.WriteLine(body);
            return ExitCodes.Ok;
        }
        UsageReport? report;
        try
        {
            report = JsonSerializer.Deserialize(body, UsageJsonContext.Default.UsageReport);
        }
        catch (JsonException)
        {
            report = null;
        }
        if (report is null)
        {
            context.Error.WriteLine($"The gateway at {gateway.BaseUrl} did not answer with a usage report.");
            return ExitCodes.Failure;
        }
        WriteTable(context.Ansi, report);
        return ExitCodes.Ok;
    }

    private static string? ErrorOf(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, UsageJsonContext.Default.UsageError)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void WriteTable(IAnsiConsole console, UsageReport report)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"[grey]{Markup.Escape(report.Since)} → {Markup.Escape(report.Until)}[/]")
            .AddColumn(report.By)
            .AddColumn(new TableColumn("requests").RightAligned())
            .AddColumn(new TableColumn("errors").RightAligned())
            .AddColumn(new TableColumn("input").RightAligned())
            .AddColumn(new TableColumn("cached").RightAligned())
            .AddColumn(new TableColumn("output").RightAligned())
            .AddColumn(new TableColumn("cost").RightAligned())
            .AddColumn(new TableColumn("p50").RightAligned())
            .AddColumn(new TableColumn("p95").RightAligned())
            .AddColumn(new TableColumn("ttfb p50").RightAligned())
            .AddColumn(new TableColumn("tok/s").RightAligned());
        foreach (var row in report.Rows) table.AddRow(Cells(Markup.Escape(row.Key ?? "-"), row));
        if (report.Rows.Count != 1) table.AddRow(Cells("[bold]total[/]", report.Total));
        console.Write(table);
        if (report.Total.UnpricedRequests > 0)
            console.MarkupLine($"[yellow]{report.Total.UnpricedRequests} request(s) to models without a price are not in the cost[/] (add `pricing:` to their model entries).");
    }

    private static string[] Cells(string key, UsageFigures f) =>
    [
        key, N(f.Requests), f.Errors == 0 ? "0" : $"[red]{N(f.Errors)}[/]", N(f.InputTokens), N(f.CacheReadTokens), N(f.OutputTokens),
        f.CostUsd is { } cost ? WatchCommand.Money(cost) + (f.UnpricedRequests > 0 ? "+" : "") : "[grey]unpriced[/]",
        Ms(f.LatencyP50Ms), Ms(f.LatencyP95Ms), Ms(f.TtfbP50Ms),
        f.OutputTokensPerSecond is { } tps ? tps.ToString("0", CultureInfo.InvariantCulture) : "-",
    ];

    private static string N(long n) => n.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Ms(double ms) => ms < 1000 ? ms.ToString("0", CultureInfo.InvariantCulture) + " ms" : (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s";
}
