using System.Text.Json;
using Switchboard.Routing;

namespace Switchboard.Endpoints;

/// <summary>The dry-run decision as JSON, shared by POST /v1/route and `switchboard route`.</summary>
internal static class RouteDecisionJson
{
    public static void Write(Utf8JsonWriter writer, ModelSelection? selection, string? requested)
    {
        writer.WriteStartObject();
        if (selection?.Route is { } route) writer.WriteString("route"u8, route); else writer.WriteNull("route"u8);
        if (selection is null) writer.WriteNull("model"u8); else writer.WriteString("model"u8, selection.Model);
        if (selection is not null) writer.WriteString("provider"u8, selection.Entry.Provider);
        writer.WriteString("router"u8, selection?.Router ?? "none");
        writer.WriteString("reason"u8, Reason(selection));
        if (selection?.ReasonDetail is { } detail) writer.WriteString("detail"u8, detail);
        writer.WriteString("requested_model"u8, requested ?? "");
        writer.WriteNumber("latency_ms"u8, Math.Round(selection?.RoutingMs ?? 0, 3));
        writer.WriteEndObject();
    }

    /// <summary>matched, other, forced, skipped, timeout, error; or literal, bare_id, alias, default when no router ran.</summary>
    public static string Reason(ModelSelection? selection) => selection switch
    {
        null => "no_model",
        { Reason: { } reason } => reason.ToString().ToLowerInvariant(),
        { Kind: SelectionKind.BareId } => "bare_id",
        { Kind: var kind } => kind.ToString().ToLowerInvariant(),
    };
}
