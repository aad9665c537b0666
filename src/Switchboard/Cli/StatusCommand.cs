using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace Switchboard.Cli;

/// <summary>`switchboard status`: is a gateway running, where, on which config, how busy, which keys are missing.</summary>
internal static class StatusCommand
{
    public static Command Create(CliContext context)
    {
        var json = CliApp.JsonOption("the status");
        var url = CliApp.UrlOption();
        var command = new Command("status", "Show whether the gateway is running, and its providers.") { json, url };
        command.WithExamples(
            "switchboard status",
            "switchboard status --json | jq .requests",
            "switchboard status --url http://127.0.0.1:12000   # a foreground gateway");
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse.GetValue(json), parse.GetValue(url), cancellationToken));
        return command;
    }

    /// <summary>Exit 0 when running, 1 when not, so scripts can test it.</summary>
    private static async Task<int> RunAsync(CliContext context, bool json, Uri? url, CancellationToken cancellationToken)
    {
        var gateway = GatewayLocator.Find(context, url);
        GatewayHealth? health = null;
        if (gateway is not null)
        {
            using var client = new GatewayClient(gateway.BaseUrl, TimeSpan.FromSeconds(3), KeysCommand.AdminKey(context));
            health = await client.GetHealthAsync(cancellationToken).ConfigureAwait(false);
        }

        // Nothing answering where a foreground gateway would listen is simply "not running".
        if (gateway is { IsGuess: true } && health is null) gateway = null;
        if (json)
        {
            WriteJson(context.Out, gateway, health);
            return health is null ? ExitCodes.Failure : ExitCodes.Ok;
        }
        if (gateway is null)
        {
            context.Out.WriteLine("Switchboard is not running. Start it with `switchboard up --detach` (or `switchboard claude`).");
            return ExitCodes.Failure;
        }
        if (health is null)
        {
            context.Out.WriteLine(gateway.State is { } s
                ? $"Switchboard (pid {s.Pid}) is not answering on {gateway.BaseUrl}. See `switchboard logs`; `switchboard down` stops it."
                : $"No Switchboard answers on {gateway.BaseUrl}.");
            return ExitCodes.Failure;
        }
        WriteHuman(context, gateway, health);
        return ExitCodes.Ok;
    }

    private static void WriteHuman(CliContext context, LocatedGateway gateway, GatewayHealth health)
    {
        var console = context.Ansi;
        console.MarkupLine($"[green]●[/] Switchboard is [green]running[/]{(gateway.State is null ? "" : " in the background")}");
        var grid = new Grid().AddColumn(new GridColumn().PadLeft(2).PadRight(2)).AddColumn();
        grid.AddRow("pid", health.Pid.ToString());
        grid.AddRow("address", Markup.Escape(gateway.BaseUrl.ToString().TrimEnd('/')));
        grid.AddRow("config", Markup.Escape(health.ConfigPath ?? "built-in (providers from environment keys)"));
        grid.AddRow("uptime", Uptime(health.UptimeSeconds));
        grid.AddRow("requests", $"{health.Requests} ({(health.FailedRequests > 0 ? $"[red]{health.FailedRequests} failed[/]" : "0 failed")})");
        if (gateway.State is { } state) grid.AddRow("log", Markup.Escape(state.LogPath));
        console.Write(grid);

        var table = new Table().Border(TableBorder.Rounded).AddColumns("model", "provider", "api", "key", "circuit");
        foreach (var p in health.Providers)
            table.AddRow(Markup.Escape(p.Model), Markup.Escape(p.Provider), Markup.Escape(p.Api),
                p.KeySet ? "[green]set[/]" : $"[red]missing[/] ({Markup.Escape(p.MissingKeyVariable ?? "key")})",
                CircuitCell(p));
        console.Write(table);
    }

    /// <summary>Per deployment: an unreachable endpoint first (it stops all its models), then a 429 cooldown, then the model's own circuit.</summary>
    private static string CircuitCell(ProviderHealth p) => p switch
    {
        { EndpointCircuit: "open" or "isolated" } => "[red]endpoint open[/] (skipped)",
        { CooldownSeconds: { } left } => $"[yellow]cooling down[/] (429, {Math.Ceiling(left)} s)",
        { Circuit: "closed" } => "[green]closed[/]",
        { Circuit: "open" or "isolated" } => $"[red]{p.Circuit}[/] (skipped)",
        _ => $"[yellow]{Markup.Escape(p.Circuit)}[/]",
    };

    private static void WriteJson(TextWriter output, LocatedGateway? gateway, GatewayHealth? health)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteBoolean("running", health is not null);
            if (gateway is not null) w.WriteString("url", gateway.BaseUrl.ToString().TrimEnd('/'));
            if (gateway?.State is { } state)
            {
                w.WriteBoolean("detached", true);
                w.WriteString("log", state.LogPath);
                w.WriteString("started_at", state.StartedAt);
            }
            if (health is not null)
            {
                w.WriteNumber("pid", health.Pid);
                if (health.ConfigPath is null) w.WriteNull("config");
                else w.WriteString("config", health.ConfigPath);
                w.WriteNumber("uptime_seconds", health.UptimeSeconds);
                w.WriteNumber("requests", health.Requests);
                w.WriteNumber("failed_requests", health.FailedRequests);
                w.WriteStartArray("providers");
                foreach (var p in health.Providers)
                {
                    w.WriteStartObject();
                    w.WriteString("model", p.Model);
                    w.WriteString("provider", p.Provider);
                    w.WriteString("api", p.Api);
                    w.WriteBoolean("key_set", p.KeySet);
                    if (p.MissingKeyVariable is { } missing) w.WriteString("missing_key_variable", missing);
                    w.WriteString("circuit", p.Circuit);
                    w.WriteString("endpoint_circuit", p.EndpointCircuit);
                    if (p.CooldownSeconds is { } cooldown) w.WriteNumber("cooldown_seconds", cooldown);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    internal static string Uptime(long seconds) => seconds switch
    {
        < 60 => $"{seconds}s",
        < 3600 => $"{seconds / 60}m {seconds % 60:00}s",
        < 86400 => $"{seconds / 3600}h {seconds / 60 % 60:00}m",
        _ => $"{seconds / 86400}d {seconds / 3600 % 24}h",
    };
}
