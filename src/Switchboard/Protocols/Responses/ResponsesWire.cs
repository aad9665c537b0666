namespace Switchboard.Protocols.Responses;

/// <summary>
/// Names and ids of the OpenAI Responses API as the gateway speaks it to clients (<c>POST /v1/responses</c>).
/// </summary>
internal static class ResponsesWire
{
    /// <summary>The one string parameter a <c>custom</c> (free-form) tool is declared with toward upstreams that only know JSON functions.</summary>
    public const string CustomToolParameter = "input";

    /// <summary>Separates a <c>namespace</c> tool's name from its member's in the flattened function name (<c>[A-Za-z0-9_-]</c> only, as OpenAI requires).</summary>
    public const string NamespaceSeparator = "__";

    /// <summary>Hosted tools only OpenAI runs: dropped toward other upstreams (a 400 when tool_choice demands one).</summary>
    public static bool IsHostedTool(string type) => type is "web_search" or "web_search_preview" or "web_search_preview_2025_03_11"
        or "web_search_2025_08_26" or "file_search" or "code_interpreter" or "computer_use_preview" or "computer_use" or "image_generation" or "mcp";

    public static string NewResponseId() => "resp_" + RandomHex();

    /// <summary>An output item's id: a prefix by type ("msg", "fc", "ctc", "rs", "lsc") and random hex.</summary>
    public static string NewItemId(string prefix) => prefix + "_" + RandomHex();

    private static string RandomHex()
    {
        Span<byte> bytes = stackalloc byte[16];
        Translation.RandomIdBytes.Fill(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}

/// <summary>What kind of Responses tool an upstream function stands for, so its calls go back as the right item.</summary>
internal enum ResponsesToolKind
{
    Function,
    /// <summary>A <c>custom</c> tool: one string parameter upstream, a <c>custom_tool_call</c> with a plain <c>input</c> back.</summary>
    Custom,
    /// <summary>Codex's built-in <c>local_shell</c>: a function with the exec action's fields upstream, a <c>local_shell_call</c> back.</summary>
    LocalShell,
}

/// <summary>One upstream function name and the Responses tool it stands for.</summary>
internal readonly record struct ResponsesTool(ResponsesToolKind Kind, string Name, string? Namespace);

/// <summary>
/// The Responses tools behind the upstream's function names, made by the request translation and read by the response
/// translation (a custom tool's call must come back as a custom_tool_call). Null when every tool is a plain function.
/// </summary>
internal sealed class ResponsesToolMap
{
    private readonly Dictionary<string, ResponsesTool> _byUpstreamName = new(StringComparer.Ordinal);

    public bool IsEmpty => _byUpstreamName.Count == 0;

    internal void Add(string upstreamName, ResponsesTool tool) => _byUpstreamName[upstreamName] = tool;

    /// <summary>The Responses tool an upstream function name stands for (a plain function when unknown).</summary>
    internal static ResponsesTool Lookup(ResponsesToolMap? map, string upstreamName) =>
        map is not null && map._byUpstreamName.TryGetValue(upstreamName, out var tool) ? tool : new ResponsesTool(ResponsesToolKind.Function, upstreamName, null);
}
