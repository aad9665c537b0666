using System.Collections.Concurrent;

namespace Switchboard.Ledger;

/// <summary>
/// Which agent asked, from its User-Agent: "claude-code/2.0.14", "codex/0.46.0", "openai-dotnet/2.5.0", or the first
/// product token ("curl/8.5.0"). Agents send the same few strings, so each is parsed once (bounded cache).
/// </summary>
internal static class AgentNames
{
    private static readonly ConcurrentDictionary<string, string?> Cache = new(StringComparer.Ordinal);
    private const int MaxCached = 1024;
    private const int MaxLength = 64;

    public static string? Of(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent)) return null;
        if (Cache.TryGetValue(userAgent, out var known)) return known;
        var agent = Parse(userAgent);
        if (Cache.Count < MaxCached) Cache.TryAdd(userAgent, agent);
        return agent;
    }

    internal static string? Parse(string userAgent)
    {
        var text = userAgent.Trim();
        var space = text.IndexOf(' ');
        var product = space < 0 ? text : text[..space];
        var slash = product.IndexOf('/');
        var name = (slash < 0 ? product : product[..slash]).ToLowerInvariant();
        var version = slash < 0 ? "" : product[(slash + 1)..];
        var rest = space < 0 ? "" : text[(space + 1)..];
        name = name switch
        {
            "claude-cli" or "claude-code" => "claude-code",
            "codex_cli_rs" or "codex_exec" or "codex-cli" or "codex" => "codex",
            // The official SDKs: "OpenAI/2.5.0 (.NET 10.0; Linux)" → openai-dotnet, "OpenAI/Python 1.99" → openai-python.
            "openai" or "anthropic" when version.Length > 0 && !char.IsAsciiDigit(version[0]) => $"{name}-{version.ToLowerInvariant()}",
            "openai" or "anthropic" when rest.Contains(".NET", StringComparison.OrdinalIgnoreCase) => name + "-dotnet",
            _ => name,
        };
        if (name.Contains('-') && version.Length > 0 && !char.IsAsciiDigit(version[0]))
        {
            // "OpenAI/Python 1.99.0": the version is the next token.
            var next = rest.Split(' ', 2)[0];
            version = next.Length > 0 && char.IsAsciiDigit(next[0]) ? next : "";
        }
        var result = version.Length > 0 ? $"{name}/{version}" : name;
        return result.Length == 0 ? null : result.Length > MaxLength ? result[..MaxLength] : result;
    }
}
