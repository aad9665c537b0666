using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Switchboard.Config;
using Switchboard.Providers;

namespace Switchboard.Cli;

/// <summary>`switchboard models`: every model literal and alias a config offers, who serves it, whether its key is set.</summary>
internal static class ModelsCommand
{
    private sealed record ModelRow(string Name, string Kind, string? Target, string Provider, string Api, bool KeySet, string? MissingKeyVariable, bool IsDefault, IReadOnlyList<string> Routes);

    public static Command Create(CliContext context)
    {
        var config = CliApp.ConfigOption();
        var json = CliApp.JsonOption("the models");
        var command = new Command("models", "List the models and aliases a config offers, and whether their keys are set.") { config, json };
        command.WithExamples(
            "switchboard models",
            "switchboard models --config config.yaml --json | jq -r '.[] | select(.key_set | not) | .name'");
        command.SetAction(parse =>
        {
            var resolved = ConfigSource.Resolve(parse.GetValue(config), context);
            // Diagnostics go to stderr so --json output stays parseable.
            if (!ConfigSource.Report(resolved, context.Error) || resolved.Config is null) return ExitCodes.Failure;
            var rows = Rows(resolved.Config);
            if (parse.GetValue(json)) WriteJson(context.Out, rows);
            else WriteTable(context.Ansi, rows);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static List<ModelRow> Rows(GatewayConfig config)
    {
        using var providers = new ProviderRegistry(config);
        var rows = new List<ModelRow>();
        foreach (var endpoint in providers.All)
        {
            var p = endpoint.Config;
            rows.Add(new ModelRow(p.Model, "model", null, p.Provider, Api(endpoint), endpoint.MissingKeyVariable is null, endpoint.MissingKeyVariable,
                p.IsDefault, p.RoutingPreferences.Select(r => r.Name).ToList()));
        }
        var models = new ModelResolver(config.Providers);
        foreach (var alias in config.Aliases.Values)
        {
            // The alias is served by the model its target resolves to, as a request's model would (literal or bare id).
            var target = models.TryResolve(alias.Target, out var served, out _) ? providers.Get(served) : null;
            rows.Add(new ModelRow(alias.Alias, "alias", alias.Target, target?.Config.Provider ?? "?", target is null ? "?" : Api(target),
                target is not null && target.MissingKeyVariable is null, target?.MissingKeyVariable, false, []));
        }
        return rows;
    }

    private static string Api(ProviderEndpoint endpoint) => Pipeline.ApiNames.Of(endpoint.Api);

    private static void WriteTable(IAnsiConsole console, List<ModelRow> rows)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("name", "provider", "api", "key", "routes");
        foreach (var r in rows)
        {
            var name = Markup.Escape(r.Name) + (r.IsDefault ? " [dim](default)[/]" : "") + (r.Target is null ? "" : $" [dim]→ {Markup.Escape(r.Target)}[/]");
            var key = r.KeySet ? "[green]set[/]" : $"[red]missing[/]{(r.MissingKeyVariable is null ? "" : $" ({Markup.Escape(r.MissingKeyVariable)})")}";
            table.AddRow(name, Markup.Escape(r.Provider), r.Api, key, Markup.Escape(string.Join(", ", r.Routes)));
        }
        console.Write(table);
    }

    private static void WriteJson(TextWriter output, List<ModelRow> rows)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var r in rows)
            {
                w.WriteStartObject();
                w.WriteString("name", r.Name);
                w.WriteString("kind", r.Kind);
                if (r.Target is not null) w.WriteString("target", r.Target);
                w.WriteString("provider", r.Provider);
                w.WriteString("api", r.Api);
                w.WriteBoolean("key_set", r.KeySet);
                if (r.MissingKeyVariable is not null) w.WriteString("missing_key_variable", r.MissingKeyVariable);
                w.WriteBoolean("default", r.IsDefault);
                w.WriteStartArray("routes");
                foreach (var route in r.Routes) w.WriteStringValue(route);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
