using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Switchboard.Config;

internal sealed partial class ConfigLoader
{
    private static readonly string[] ClaudeCodeKeys = ["opus", "sonnet", "haiku", "subagent", "session_ttl_minutes", "max_sessions"];

    /// <summary>The <c>claude_code</c> section (<see cref="ClaudeCodeConfig"/>); names are checked against the models in <see cref="ConfigValidator"/>.</summary>
    private ClaudeCodeConfig ParseClaudeCode(YamlMappingNode root)
    {
        var config = new ClaudeCodeConfig();
        var node = Child(root, "claude_code");
        if (node is null) return config;
        if (node is not YamlMappingNode map)
        {
            Error(node, "claude_code must be a mapping, e.g. `claude_code: {opus: smart-model, haiku: fast-model}`.", "see docs/configuration.md#claude_code.");
            return config;
        }
        foreach (var (entryKey, _) in map.Children)
        {
            var key = ((YamlScalarNode)entryKey).Value ?? "";
            if (Array.IndexOf(ClaudeCodeKeys, key) < 0)
                Warn(entryKey, $"claude_code key '{key}' is not one Switchboard knows; it is ignored.", SpellingFix(KeySpelling.Likely(key, ClaudeCodeKeys)) + " Known: " + string.Join(", ", ClaudeCodeKeys) + ".");
        }
        ClaudeCodeModel? Model(string key) => Scalar(map, key) is { Value: { Length: > 0 } name } scalar ? new ClaudeCodeModel(name, LineOf(scalar)) : null;
        int Positive(string key, int fallback)
        {
            if (Scalar(map, key) is not { } scalar) return fallback;
            if (int.TryParse(scalar.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1) return value;
            Error(scalar, $"claude_code.{key} must be a whole number of at least 1, not '{scalar.Value}'.", $"e.g. '{key}: {fallback}' (the default).");
            return fallback;
        }
        return config with
        {
            Opus = Model("opus"),
            Sonnet = Model("sonnet"),
            Haiku = Model("haiku"),
            Subagent = Model("subagent"),
            SessionTtlMinutes = Positive("session_ttl_minutes", ClaudeCodeConfig.DefaultSessionTtlMinutes),
            MaxSessions = Positive("max_sessions", ClaudeCodeConfig.DefaultMaxSessions),
        };
    }
}
