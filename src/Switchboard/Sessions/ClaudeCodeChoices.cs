using Switchboard.Config;
using Switchboard.Routing;

namespace Switchboard.Sessions;

/// <summary>
/// The gateway's models as Claude Code's <c>/model</c> picker can offer them. With
/// <c>CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY=1</c> Claude Code reads <c>GET /v1/models?limit=1000</c> and keeps
/// only ids that contain "claude" or "anthropic", so the gateway's other names get an id under
/// <see cref="Prefix"/>: <c>switchboard.claude/auto</c> (preference routing), <c>switchboard.claude/route/NAME</c> (one
/// route, forced) and <c>switchboard.claude/ALIAS-OR-LITERAL</c>. A request naming one is read back here.
/// </summary>
internal static class ClaudeCodeChoices
{
    public const string Prefix = "switchboard.claude/";
    public const string Auto = Prefix + "auto";
    public const string RoutePrefix = Prefix + "route/";

    /// <summary>The alias Claude Code's small/fast (haiku-class) calls use when the config defines it.</summary>
    public const string SmallFastAlias = "switchboard.claude.code.small.fast";

    /// <summary>archgw's name for the same alias, which its configs define; used when the config has no <see cref="SmallFastAlias"/>.</summary>
    public const string ArchgwSmallFastAlias = "arch.claude.code.small.fast";

    /// <summary>Whether Claude Code's discovery keeps <paramref name="id"/> as it is.</summary>
    public static bool ClaudeCodeShows(string id) =>
        id.Contains("claude", StringComparison.OrdinalIgnoreCase) || id.Contains("anthropic", StringComparison.OrdinalIgnoreCase);

    /// <summary>A route's id: spaces become dashes ("code generation" → switchboard.claude/route/code-generation).</summary>
    public static string RouteId(string route) => RoutePrefix + route.Replace(' ', '-');

    public static string ModelId(string name) => ClaudeCodeShows(name) ? name : Prefix + name;

    /// <summary>
    /// A picker choice back into what the selector reads: the model name to select, and the route to force (null:
    /// none). False when <paramref name="requested"/> is no choice of ours (or names a route that no longer exists).
    /// </summary>
    public static bool TryRead(string requested, RoutePolicy? policy, out string model, out string? forcedRoute)
    {
        model = requested;
        forcedRoute = null;
        if (!requested.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        if (requested.StartsWith(RoutePrefix, StringComparison.Ordinal))
        {
            var slug = requested.AsSpan(RoutePrefix.Length);
            foreach (var route in policy?.Routes ?? [])
                if (slug.Equals(route.Name.Replace(' ', '-'), StringComparison.OrdinalIgnoreCase)) { forcedRoute = route.Name; return true; }
            return false;
        }
        if (requested.Equals(Auto, StringComparison.Ordinal)) return false; // a name nothing serves: preference routing decides
        model = requested[Prefix.Length..];
        return true;
    }

    /// <summary>The small/fast model for auxiliary requests: claude_code.haiku, else the small/fast alias (Switchboard's, archgw's).</summary>
    public static string? SmallFastName(GatewayConfig config) =>
        config.ClaudeCode.Haiku?.Name
        ?? (config.Aliases.ContainsKey(SmallFastAlias) ? SmallFastAlias
            : config.Aliases.ContainsKey(ArchgwSmallFastAlias) ? ArchgwSmallFastAlias : null);
}
