using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Cli;

/// <summary>
/// The settings `switchboard claude` hands to Claude Code's --settings: the user's own (JSON text or a file, as
/// Claude Code accepts), plus Switchboard's status line unless some settings already define one.
/// </summary>
internal static class ClaudeSettings
{
    /// <summary>Reads --settings: JSON text, or the path of a JSON file. False (with a message) when it is neither.</summary>
    public static bool TryParse(string? value, CliContext context, out JsonObject? settings, out string error)
    {
        settings = null;
        error = "";
        if (string.IsNullOrWhiteSpace(value)) return true;
        var text = value;
        if (!value.TrimStart().StartsWith('{'))
        {
            var path = context.FullPath(value);
            if (!File.Exists(path))
            {
                error = $"--settings must be a JSON object or the path of a settings file; '{value}' is neither.";
                return false;
            }
            text = File.ReadAllText(path);
        }
        try
        {
            if (JsonNode.Parse(text) is JsonObject parsed)
            {
                settings = parsed;
                return true;
            }
            error = "--settings must be a JSON object, e.g. '{\"model\": \"sonnet\"}'.";
        }
        catch (JsonException ex)
        {
            error = $"--settings is not valid JSON: {ex.Message}";
        }
        return false;
    }

    /// <summary>
    /// True when the user already chose a status line: in --settings, in their Claude Code settings
    /// ($CLAUDE_CONFIG_DIR or ~/.claude), or in this project's .claude/settings(.local).json.
    /// </summary>
    public static bool DefinesStatusLine(JsonObject? settings, CliContext context)
    {
        if (settings?.ContainsKey("statusLine") == true) return true;
        var configDir = context.GetEnvironmentVariable("CLAUDE_CONFIG_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(context.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".claude");
        string[] files =
        [
            Path.Combine(configDir, "settings.json"),
            context.FullPath(Path.Combine(".claude", "settings.json")),
            context.FullPath(Path.Combine(".claude", "settings.local.json")),
        ];
        return files.Any(FileDefinesStatusLine);
    }

    private static bool FileDefinesStatusLine(string path)
    {
        try
        {
            return File.Exists(path) && JsonNode.Parse(File.ReadAllText(path)) is JsonObject o && o.ContainsKey("statusLine");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return false; // Claude Code will complain about its own broken file; ours is only a courtesy
        }
    }

    /// <summary>The user's settings (a copy) with Switchboard's status line command added.</summary>
    public static JsonObject WithStatusLine(JsonObject? settings, string command)
    {
        var merged = settings?.DeepClone().AsObject() ?? [];
        merged["statusLine"] = new JsonObject { ["type"] = "command", ["command"] = command, ["padding"] = 0 };
        return merged;
    }

    /// <summary>The settings' "env" entries: Claude Code applies them over its environment, and so do we.</summary>
    public static IEnumerable<KeyValuePair<string, string>> EnvironmentOf(JsonObject? settings)
    {
        if (settings?["env"] is not JsonObject env) yield break;
        foreach (var (name, value) in env)
        {
            if (value is null) continue;
            yield return new(name, value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString());
        }
    }

    /// <summary>What archgw's `cli-agent claude` takes from the top level of --settings.</summary>
    public readonly record struct ArchgwKeys(string? SmallFastModel, bool NonInteractive);

    /// <summary>
    /// Removes ANTHROPIC_SMALL_FAST_MODEL and NON_INTERACTIVE_MODE from the top level of the settings, as archgw's
    /// `cli-agent claude` does (Claude Code would ignore them as settings), and returns them; the rest is passed on.
    /// Settings left empty become null.
    /// </summary>
    public static ArchgwKeys TakeArchgwKeys(ref JsonObject? settings)
    {
        if (settings is null) return default;
        string? smallFast = null;
        if (settings.Remove("ANTHROPIC_SMALL_FAST_MODEL", out var model) && model is not null)
            smallFast = model.GetValueKind() == JsonValueKind.String ? model.GetValue<string>() : model.ToJsonString();
        var nonInteractive = settings.Remove("NON_INTERACTIVE_MODE", out var mode) && IsOn(mode);
        if (settings.Count == 0) settings = null;
        return new ArchgwKeys(string.IsNullOrWhiteSpace(smallFast) ? null : smallFast, nonInteractive);
    }

    /// <summary>true, "true"/"1"/"yes"/"on", or a non-zero number; anything else (false, "false", 0, "") is off.</summary>
    private static bool IsOn(JsonNode? value) => value?.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.String => value.GetValue<string>().Trim().ToLowerInvariant() is "true" or "1" or "yes" or "on",
        JsonValueKind.Number => value.GetValue<double>() != 0,
        _ => false,
    };
}
