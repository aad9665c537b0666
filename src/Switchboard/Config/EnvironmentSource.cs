namespace Switchboard.Config;

/// <summary>
/// Where $VAR and ${VAR} come from: the process environment first, then a .env file beside the config.
/// </summary>
internal sealed class EnvironmentSource
{
    private readonly Func<string, string?> _environment;
    private readonly IReadOnlyDictionary<string, string> _dotEnv;

    public EnvironmentSource(Func<string, string?>? environment = null, IReadOnlyDictionary<string, string>? dotEnv = null)
    {
        _environment = environment ?? Environment.GetEnvironmentVariable;
        _dotEnv = dotEnv ?? new Dictionary<string, string>();
    }

    public static EnvironmentSource ForConfigFile(string? configPath, Func<string, string?>? environment = null)
    {
        if (configPath is null) return new EnvironmentSource(environment);
        var dotEnvPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(configPath)) ?? ".", ".env");
        return new EnvironmentSource(environment, File.Exists(dotEnvPath) ? ParseDotEnv(File.ReadAllText(dotEnvPath)) : null);
    }

    public string? Get(string name)
    {
        var value = _environment(name);
        if (!string.IsNullOrEmpty(value)) return value;
        return _dotEnv.TryGetValue(name, out var fromFile) && fromFile.Length > 0 ? fromFile : null;
    }

    /// <summary>KEY=VALUE lines; optional "export ", quotes, and # comments.</summary>
    public static Dictionary<string, string> ParseDotEnv(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (line.StartsWith("export ", StringComparison.Ordinal)) line = line[7..].TrimStart();
            var eq = line.IndexOf('=');
            if (eq <= 0) continue;
            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
                value = value[1..^1];
            else if (value.IndexOf(" #", StringComparison.Ordinal) is var hash and >= 0)
                value = value[..hash].TrimEnd();
            result[key] = value;
        }
        return result;
    }

    /// <summary>
    /// Expands $VAR / ${VAR} in a value. Returns the names that were not set, so the caller decides
    /// whether that is an error now (a URL) or only when a request needs it (a key).
    /// </summary>
    public string Expand(string value, out List<string>? missing)
    {
        missing = null;
        if (value.IndexOf('$') < 0) return value;
        var sb = new System.Text.StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c != '$' || i + 1 >= value.Length) { sb.Append(c); continue; }
            string name;
            if (value[i + 1] == '{')
            {
                var close = value.IndexOf('}', i + 2);
                if (close < 0) { sb.Append(c); continue; }
                name = value[(i + 2)..close];
                i = close;
            }
            else
            {
                var end = i + 1;
                while (end < value.Length && (char.IsAsciiLetterOrDigit(value[end]) || value[end] == '_')) end++;
                if (end == i + 1) { sb.Append(c); continue; }
                name = value[(i + 1)..end];
                i = end - 1;
            }
            var resolved = Get(name);
            if (resolved is null) (missing ??= []).Add(name);
            else sb.Append(resolved);
        }
        return sb.ToString();
    }
}
