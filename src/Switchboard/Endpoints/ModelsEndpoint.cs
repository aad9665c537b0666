using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchboard.Pipeline;
using Switchboard.Runtime;
using Switchboard.Sessions;

namespace Switchboard.Endpoints;

/// <summary>GET /v1/models (behind the gateway key).</summary>
internal static class ModelsEndpoint
{
    /// <summary>Anthropic's page size when the client gives no limit, and the most it may ask for.</summary>
    private const int DefaultLimit = 20, MaxLimit = 1000;

    private readonly record struct Entry(string Id, string Owner, string DisplayName, string? Description = null);

    /// <summary>
    /// Every literal and alias. With anthropic-version (Anthropic's list shape, what Claude Code's model discovery reads),
    /// also the choices its /model picker can offer (<see cref="ClaudeCodeChoices"/>): preference routing, each route,
    /// and the names it would otherwise filter out; paged as Anthropic pages (<c>limit</c>, <c>after_id</c>, <c>before_id</c>).
    /// </summary>
    public static Task HandleAsync(HttpContext context, GatewayRuntime runtime)
    {
        if (context.Request.Query.ContainsKey(CodexModelCatalog.ClientVersionQuery)) return CodexModelCatalog.HandleAsync(context, runtime);
        var snapshot = runtime.Current;
        var anthropic = ClientApiMetadata.ByVersionHeader(context.Request) == ApiFormat.Anthropic;
        var entries = new List<Entry>();
        foreach (var p in snapshot.Config.Providers) entries.Add(new(p.Model, p.Provider, p.Model));
        foreach (var a in snapshot.Config.Aliases.Values) entries.Add(new(a.Alias, "switchboard", $"{a.Alias} → {a.Target}"));
        if (!anthropic) return WriteOpenAIAsync(context, runtime, entries);

        var named = entries.Count;
        if (snapshot.Selector.Policy is { } policy && snapshot.Selector.Router is not null)
        {
            entries.Add(new(ClaudeCodeChoices.Auto, "switchboard", "Switchboard: routed by preference", "each user turn goes to the route that fits it; its tool loop stays on that model"));
            foreach (var route in policy.Routes)
                entries.Add(new(ClaudeCodeChoices.RouteId(route.Name), "switchboard", $"Route: {route.Name} → {route.Model}", route.Description));
        }
        for (var i = 0; i < named; i++)
            if (!ClaudeCodeChoices.ClaudeCodeShows(entries[i].Id))
                entries.Add(entries[i] with { Id = ClaudeCodeChoices.ModelId(entries[i].Id), Description = "through Switchboard" });

        var query = context.Request.Query;
        var limit = DefaultLimit;
        if (query["limit"].ToString() is { Length: > 0 } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
            return ClientErrors.WriteAsync(context, ApiFormat.Anthropic, 400, $"limit must be a whole number from 1 to {MaxLimit} (got '{limitText}').");
        // Anthropic's paging: after_id pages forward, before_id backward; an id not in the list gives an empty page.
        int start = 0, end = entries.Count;
        if (query["before_id"].ToString() is { Length: > 0 } beforeId)
        {
            end = entries.FindIndex(e => e.Id == beforeId);
            if (end < 0) end = 0;
            start = Math.Max(0, end - limit);
        }
        else if (query["after_id"].ToString() is { Length: > 0 } afterId)
        {
            var at = entries.FindIndex(e => e.Id == afterId);
            start = at < 0 ? entries.Count : at + 1;
        }
        end = Math.Min(end, start + limit);
        var hasMore = query["before_id"].Count > 0 ? start > 0 : end < entries.Count;
        return WriteAnthropicAsync(context, runtime, entries, start, end, hasMore);
    }

    private static Task WriteAnthropicAsync(HttpContext context, GatewayRuntime runtime, List<Entry> entries, int start, int end, bool hasMore)
    {
        var created = runtime.StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("data"u8);
            for (var i = start; i < end; i++)
            {
                var entry = entries[i];
                writer.WriteStartObject();
                writer.WriteString("type"u8, "model"u8);
                writer.WriteString("id"u8, entry.Id);
                writer.WriteString("display_name"u8, entry.DisplayName);
                writer.WriteString("created_at"u8, created);
                if (entry.Description is not null) writer.WriteString("description"u8, entry.Description); // Claude Code's picker shows it
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteBoolean("has_more"u8, hasMore);
            if (end > start) { writer.WriteString("first_id"u8, entries[start].Id); writer.WriteString("last_id"u8, entries[end - 1].Id); }
            else { writer.WriteNull("first_id"u8); writer.WriteNull("last_id"u8); }
            writer.WriteEndObject();
        }
        return EndpointResponses.WriteJsonAsync(context, buffer.WrittenMemory);
    }

    private static Task WriteOpenAIAsync(HttpContext context, GatewayRuntime runtime, List<Entry> entries)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("object"u8, "list"u8);
            writer.WriteStartArray("data"u8);
            foreach (var entry in entries)
            {
                writer.WriteStartObject();
                writer.WriteString("id"u8, entry.Id);
                writer.WriteString("object"u8, "model"u8);
                writer.WriteNumber("created"u8, runtime.StartedAt.ToUnixTimeSeconds());
                writer.WriteString("owned_by"u8, entry.Owner);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return EndpointResponses.WriteJsonAsync(context, buffer.WrittenMemory);
    }
}
