using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Protocols.Translation;

/// <summary>
/// OpenAI limits function names to 64 characters; Anthropic allows longer ones (Claude Code's MCP tools are named
/// "mcp__server__tool" and can pass 64). Longer names are shortened deterministically on the way out and restored in
/// the response. One map per request: the request translator makes it, the response translator uses it.
/// </summary>
internal sealed class ToolNameMap
{
    /// <summary>OpenAI's limit for function names.</summary>
    public const int MaxOpenAINameLength = 64;

    private readonly Dictionary<string, string> _originalByShort = new(StringComparer.Ordinal);

    /// <summary>Whether any name was shortened (if not, the map need not be kept).</summary>
    public bool IsEmpty => _originalByShort.Count == 0;

    /// <summary>The name to send upstream: unchanged if short enough, else a prefix and a hash of the full name.</summary>
    public string ToUpstream(string name)
    {
        if (name.Length <= MaxOpenAINameLength) return name;
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
        string shortName = string.Concat(name.AsSpan(0, MaxOpenAINameLength - 9), "_", hash);
        _originalByShort[shortName] = name;
        return shortName;
    }

    /// <summary>The client's name for a name the upstream used.</summary>
    public string ToClient(string upstreamName) => _originalByShort.GetValueOrDefault(upstreamName, upstreamName);

    internal static string ToClient(ToolNameMap? map, string name) => map is null ? name : map.ToClient(name);
}
