using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Switchboard.Config;

/// <summary>Named gateway keys, rate limits, budgets, the response cache and shared state (issue #18).</summary>
internal sealed partial class ConfigLoader
{
    private static readonly HashSet<string> GatewayKeyKeys = ["name", "key", "models", "rate_limit", "budget", "expires", "admin"];

    /// <summary>One object entry of gateway_keys: <c>{name, key: $VAR, models, rate_limit, budget, expires, admin}</c>.</summary>
    private GatewayKey? ParseNamedKey(YamlMappingNode map, int position)
    {
        foreach (var (entryKey, _) in map.Children)
        {
            var name = ((YamlScalarNode)entryKey).Value ?? "";
            if (!GatewayKeyKeys.Contains(name))
                Warn(entryKey, $"gateway key field '{name}' is not one Switchboard knows; it is ignored.", SpellingFix(KeySpelling.Likely(name, GatewayKeyKeys)));
        }
        var raw = Scalar(map, "key")?.Value;
        if (string.IsNullOrEmpty(raw)) { Error(map, "a gateway key entry has no 'key'.", "add 'key: $TEAM_A_KEY' (read from the environment)."); return null; }
        var secret = ParseSecret(raw);
        if (!secret.IsResolved) { Error(map, $"gateway key ${secret.VariableName} is not set.", $"set {secret.VariableName} in the environment or in a .env file beside the config."); return null; }
        var keyName = Scalar(map, "name")?.Value?.Trim() is { Length: > 0 } given ? given : secret.VariableName ?? $"key-{position}";
        DateTimeOffset? expires = null;
        if (Scalar(map, "expires") is { } expiresNode)
        {
            if (DateTimeOffset.TryParse(expiresNode.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)) expires = at;
            else Error(expiresNode, $"expires of gateway key '{keyName}' is not a date: '{expiresNode.Value}'.", "write an ISO 8601 date or time, e.g. '2026-12-31' or '2026-12-31T18:00:00Z' (UTC unless an offset is given).");
        }
        var admin = false;
        if (Scalar(map, "admin") is { } adminNode && !TryParseBool(adminNode, out admin))
            Error(adminNode, $"admin of gateway key '{keyName}' must be true or false, not '{adminNode.Value}'.");
        return new GatewayKey(keyName, secret, LineOf(map))
        {
            Models = ParseStringList(map, "models"),
            RateLimit = ParseRateLimit(map, $"gateway key '{keyName}'"),
            Budget = ParseBudget(map, keyName),
            Expires = expires,
            Admin = admin,
        };
    }

    private RateLimitConfig? ParseRateLimit(YamlMappingNode owner, string what)
    {
        if (Child(owner, "rate_limit") is not { } node) return null;
        if (node is not YamlMappingNode map)
        {
            Error(node, $"rate_limit of {what} must be a mapping.", "write e.g.\n  rate_limit:\n    requests_per_minute: 60\n    tokens_per_minute: 200000");
            return null;
        }
        foreach (var (entryKey, _) in map.Children)
            if (((YamlScalarNode)entryKey).Value is not ("requests_per_minute" or "tokens_per_minute"))
                Warn(entryKey, $"rate_limit key '{((YamlScalarNode)entryKey).Value}' of {what} is not one Switchboard knows; it is ignored.", "use requests_per_minute and tokens_per_minute.");
        long? Positive(string key)
        {
            if (Scalar(map, key) is not { } n) return null;
            if (long.TryParse(n.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v is > 0 and <= 1_000_000_000) return v;
            Error(n, $"rate_limit.{key} of {what} must be a whole number above 0, not '{n.Value}'.");
            return null;
        }
        var requests = Positive("requests_per_minute");
        var tokens = Positive("tokens_per_minute");
        if (requests is null && tokens is null)
        {
            Warn(map, $"rate_limit of {what} sets no limit; it is ignored.", "add requests_per_minute and/or tokens_per_minute.");
            return null;
        }
        return new RateLimitConfig((int?)requests, tokens, LineOf(map));
    }

    private BudgetConfig? ParseBudget(YamlMappingNode owner, string keyName)
    {
        if (Child(owner, "budget") is not { } node) return null;
        const string Example = "write e.g.\n  budget:\n    usd: 50\n    period: month";
        if (node is not YamlMappingNode map) { Error(node, $"budget of gateway key '{keyName}' must be a mapping.", Example); return null; }
        var usdNode = Scalar(map, "usd");
        if (usdNode is null || !decimal.TryParse(usdNode.Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var usd) || usd <= 0)
        {
            Error((YamlNode?)usdNode ?? map, $"budget.usd of gateway key '{keyName}' must be a positive amount of US dollars{(usdNode is null ? "" : $", not '{usdNode.Value}'")}.", Example);
            return null;
        }
        var period = BudgetPeriod.Month;
        if (Scalar(map, "period") is { } periodNode)
        {
            switch (periodNode.Value?.ToLowerInvariant())
            {
                case "day" or "daily": period = BudgetPeriod.Day; break;
                case "week" or "weekly": period = BudgetPeriod.Week; break;
                case "month" or "monthly": period = BudgetPeriod.Month; break;
                case "total": period = BudgetPeriod.Total; break;
                default: Error(periodNode, $"budget.period of gateway key '{keyName}' must be day, week, month or total, not '{periodNode.Value}'."); return null;
            }
        }
        return new BudgetConfig(usd, period, LineOf(map));
    }

    private CacheConfig? ParseCache(YamlMappingNode owner, string what)
    {
        if (Child(owner, "cache") is not { } node) return null;
        if (node is not YamlMappingNode map || Scalar(map, "ttl_seconds") is not { } ttlNode)
        {
            Error(node, $"cache of {what} must be a mapping with ttl_seconds.", "write e.g.\n  cache:\n    ttl_seconds: 300");
            return null;
        }
        if (int.TryParse(ttlNode.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var ttl) && ttl is > 0 and <= 30 * 86_400) return new CacheConfig(ttl, LineOf(map));
        Error(ttlNode, $"cache.ttl_seconds of {what} must be a whole number from 1 to 2592000 (30 days), not '{ttlNode.Value}'.");
        return null;
    }

    private StateConfig ParseState(YamlMappingNode root)
    {
        var config = new StateConfig();
        if (Child(root, "state") is not { } node) return config;
        if (node is not YamlMappingNode map) { Error(node, "state must be a mapping.", "write e.g.\n  state:\n    redis: redis://127.0.0.1:6379"); return config; }
        config = config with { Line = LineOf(map) };
        foreach (var (entryKey, _) in map.Children)
            if (((YamlScalarNode)entryKey).Value is not ("redis" or "on_unavailable" or "timeout_ms" or "cache_max_mb" or "cache_max_entry_kb"))
                Warn(entryKey, $"state key '{((YamlScalarNode)entryKey).Value}' is not one Switchboard knows; it is ignored.", "use redis, on_unavailable, timeout_ms, cache_max_mb or cache_max_entry_kb.");
        if (Scalar(map, "redis") is { } redisNode)
        {
            var expanded = _env.Expand(redisNode.Value ?? "", out var missing);
            if (missing is not null) Error(redisNode, $"state.redis uses ${missing[0]}, which is not set.", $"set {missing[0]}.");
            else if (!Uri.TryCreate(expanded, UriKind.Absolute, out var url) || url.Scheme is not ("redis" or "rediss") || string.IsNullOrEmpty(url.Host))
                Error(redisNode, "state.redis is not a redis:// URL.", "write e.g. 'redis://127.0.0.1:6379' (rediss:// for TLS; a password as redis://:$REDIS_PASSWORD@host:6379).");
            else config = config with { Redis = url };
        }
        if (Scalar(map, "on_unavailable") is { } unavailableNode)
        {
            switch (unavailableNode.Value?.ToLowerInvariant())
            {
                case "closed": config = config with { OnUnavailable = StateUnavailable.Closed }; break;
                case "open": config = config with { OnUnavailable = StateUnavailable.Open }; break;
                default: Error(unavailableNode, $"state.on_unavailable must be closed or open, not '{unavailableNode.Value}'.", "closed refuses requests while Redis is unreachable (limits and budgets hold); open lets them through unlimited."); break;
            }
        }
        int Int(string key, int current, int min, int max)
        {
            if (Scalar(map, key) is not { } n) return current;
            if (int.TryParse(n.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max) return v;
            Error(n, $"state.{key} must be a whole number from {min} to {max}, not '{n.Value}'.");
            return current;
        }
        return config with
        {
            TimeoutMs = Int("timeout_ms", config.TimeoutMs, 10, 10_000),
            CacheMaxBytes = Int("cache_max_mb", (int)(config.CacheMaxBytes >> 20), 1, 64 * 1024) * 1024L * 1024,
            CacheMaxEntryBytes = Int("cache_max_entry_kb", config.CacheMaxEntryBytes >> 10, 1, 64 * 1024) * 1024,
        };
    }
}
