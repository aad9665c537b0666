using System.Globalization;
using Switchboard.Models;
using YamlDotNet.RepresentationModel;

namespace Switchboard.Config;

/// <summary>The <c>ledger:</c> section and each model entry's <c>pricing:</c>.</summary>
internal sealed partial class ConfigLoader
{
    private LedgerConfig ParseLedger(YamlMappingNode root, string? sourcePath)
    {
        var config = new LedgerConfig();
        var node = Child(root, "ledger");
        if (node is null) return config;
        if (node is not YamlMappingNode map)
        {
            Error(node, "ledger must be a mapping.", "e.g. 'ledger: {retention_days: 90}', or 'ledger: {enabled: false}' to keep no ledger.");
            return config;
        }
        config = config with { Line = LineOf(map) };
        foreach (var (entryKey, _) in map.Children)
        {
            var key = ((YamlScalarNode)entryKey).Value ?? "";
            if (key is not ("enabled" or "path" or "postgres" or "retention_days"))
                Warn(entryKey, $"ledger key '{key}' is not one Switchboard knows; it is ignored.", SpellingFix(KeySpelling.Likely(key, ["enabled", "path", "postgres", "retention_days"])));
        }
        if (Scalar(map, "enabled") is { } enabledNode)
        {
            if (TryParseBool(enabledNode, out var enabled)) config = config with { Enabled = enabled };
            else Error(enabledNode, $"ledger.enabled must be true or false, not '{enabledNode.Value}'.");
        }
        if (Scalar(map, "path") is { } pathNode)
        {
            var expanded = _env.Expand(pathNode.Value ?? "", out var missing);
            if (missing is not null) Error(pathNode, $"ledger.path uses ${missing[0]}, which is not set.", $"set {missing[0]}, or write the path out.");
            else if (expanded.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0 || expanded.Length == 0)
                Error(pathNode, $"ledger.path '{pathNode.Value}' is not a valid file path.", "e.g. 'ledger.path: /var/lib/switchboard/ledger.db'.");
            else
            {
                var baseDir = sourcePath is null ? Directory.GetCurrentDirectory() : System.IO.Path.GetDirectoryName(sourcePath)!;
                config = config with { Path = System.IO.Path.GetFullPath(expanded, baseDir) };
            }
        }
        if (Scalar(map, "postgres") is { } pgNode)
        {
            var secret = ParseSecret(pgNode.Value ?? "");
            if (!secret.IsResolved) Error(pgNode, $"ledger.postgres uses ${secret.VariableName}, which is not set.", $"set {secret.VariableName} to the connection string (Host=…;Database=…;Username=…;Password=…).");
            else if (!LooksLikeConnectionString(secret.Value!))
                Error(pgNode, "ledger.postgres is not a PostgreSQL connection string.", "write it as 'Host=db.internal;Port=5432;Database=switchboard;Username=switchboard;Password=$PGPASSWORD' (Npgsql's keywords), or as $VAR.");
            else config = config with { Postgres = secret };
            if (config.Path is not null && config.Postgres is not null)
                Warn(pgNode, "ledger.path and ledger.postgres are both set: the ledger is kept in PostgreSQL and the path is ignored.", "remove one of them.");
        }
        if (Scalar(map, "retention_days") is { } daysNode)
        {
            if (int.TryParse(daysNode.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is >= 1 and <= 36_500) config = config with { RetentionDays = days };
            else Error(daysNode, $"ledger.retention_days must be a whole number of days from 1 to 36500, not '{daysNode.Value}'.", "e.g. 'retention_days: 90' (the default); daily totals are kept beyond it.");
        }
        return config;
    }

    /// <summary>Npgsql's form: key=value pairs separated by semicolons, with a host.</summary>
    private static bool LooksLikeConnectionString(string value) =>
        value.Contains('=') && (value.Contains("host", StringComparison.OrdinalIgnoreCase) || value.Contains("server", StringComparison.OrdinalIgnoreCase));

    private static readonly string[] PricingKeys = ["input", "output", "cache_read", "cache_write"];

    /// <summary>
    /// <c>pricing: {input, output, cache_read, cache_write}</c>, USD per million tokens; input and output are required, a
    /// cache price left out is the input price.
    /// </summary>
    private ModelPrice? ParsePricing(YamlMappingNode entry)
    {
        var node = Child(entry, "pricing");
        if (node is null) return null;
        if (node is not YamlMappingNode map)
        {
            Error(node, "pricing must be a mapping of USD per million tokens.", "e.g. 'pricing: {input: 3, output: 15, cache_read: 0.3, cache_write: 3.75}'.");
            return null;
        }
        foreach (var (entryKey, _) in map.Children)
        {
            var key = ((YamlScalarNode)entryKey).Value ?? "";
            if (!PricingKeys.Contains(key))
                Error(entryKey, $"pricing key '{key}' is not one Switchboard knows.", SpellingFix(KeySpelling.Likely(key, [.. PricingKeys])).Replace("remove it, or", "use input, output, cache_read or cache_write;"));
        }
        decimal? Price(string key)
        {
            if (Scalar(map, key) is not { } valueNode) return null;
            if (decimal.TryParse(valueNode.Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var price) && price <= 1_000_000m) return price;
            Error(valueNode, $"pricing.{key} must be a price in USD per million tokens (a number of at least 0), not '{valueNode.Value}'.", "e.g. 'input: 2.5'.");
            return null;
        }
        var input = Price("input");
        var output = Price("output");
        var cacheRead = Price("cache_read");
        var cacheWrite = Price("cache_write");
        if (Scalar(map, "input") is null || Scalar(map, "output") is null)
        {
            Error(map, "pricing needs both input and output (USD per million tokens).", "e.g. 'pricing: {input: 0, output: 0}' for a model that costs nothing.");
            return null;
        }
        return input is { } i && output is { } o ? new ModelPrice(i, o, cacheRead ?? i, cacheWrite ?? i) : null;
    }
}
