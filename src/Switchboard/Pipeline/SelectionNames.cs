using Switchboard.Routing;

namespace Switchboard.Pipeline;

/// <summary>How a model was selected, as logs and events spell it (no allocation per request).</summary>
internal static class SelectionNames
{
    public static string Of(SelectionKind kind) => kind switch
    {
        SelectionKind.Literal => "literal",
        SelectionKind.BareId => "bareid",
        SelectionKind.Alias => "alias",
        SelectionKind.Routed => "routed",
        SelectionKind.Default => "default",
        _ => kind.ToString().ToLowerInvariant(),
    };

    public static string Of(RouteReason reason) => reason switch
    {
        RouteReason.Matched => "matched",
        RouteReason.Other => "other",
        RouteReason.Forced => "forced",
        RouteReason.Skipped => "skipped",
        RouteReason.Timeout => "timeout",
        RouteReason.Error => "error",
        _ => reason.ToString().ToLowerInvariant(),
    };
}
