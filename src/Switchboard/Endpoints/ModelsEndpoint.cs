using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchboard.Runtime;

namespace Switchboard.Endpoints;

/// <summary>GET /v1/models (behind the gateway key).</summary>
internal static class ModelsEndpoint
{
    /// <summary>Every literal and alias; Anthropic's list shape when the client sends anthropic-version.</summary>
    public static Task HandleAsync(HttpContext context, GatewayRuntime runtime)
    {
        if (context.Request.Query.ContainsKey(CodexModelCatalog.ClientVersionQuery)) return CodexModelCatalog.HandleAsync(context, runtime);
        var snapshot = runtime.Current;
        var anthropic = ClientApiMetadata.ByVersionHeader(context.Request) == ApiFormat.Anthropic;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (!anthropic) writer.WriteString("object"u8, "list"u8);
            writer.WriteStartArray("data"u8);
            var names = new List<(string Id, string Owner, string? Target)>();
            foreach (var p in snapshot.Config.Providers) names.Add((p.Model, p.Provider, null));
            foreach (var a in snapshot.Config.Aliases.Values) names.Add((a.Alias, "switchboard", a.Target));
            foreach (var (id, owner, target) in names)
            {
                writer.WriteStartObject();
                if (anthropic)
                {
                    writer.WriteString("type"u8, "model"u8);
                    writer.WriteString("id"u8, id);
                    writer.WriteString("display_name"u8, target is null ? id : $"{id} → {target}");
                    writer.WriteString("created_at"u8, runtime.StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"));
                }
                else
                {
                    writer.WriteString("id"u8, id);
                    writer.WriteString("object"u8, "model"u8);
                    writer.WriteNumber("created"u8, runtime.StartedAt.ToUnixTimeSeconds());
                    writer.WriteString("owned_by"u8, owner);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            if (anthropic)
            {
                writer.WriteBoolean("has_more"u8, false);
                if (names.Count > 0) { writer.WriteString("first_id"u8, names[0].Id); writer.WriteString("last_id"u8, names[^1].Id); }
                else { writer.WriteNull("first_id"u8); writer.WriteNull("last_id"u8); }
            }
            writer.WriteEndObject();
        }
        return EndpointResponses.WriteJsonAsync(context, buffer.WrittenMemory);
    }
}
