using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchboard.Routing;

namespace Switchboard.Server;

/// <summary>
/// POST /v1/route: a dry run. Takes an OpenAI or Anthropic request body (and honours x-switchboard-route),
/// returns the decision — route, model, router, reason, latency — without calling any provider.
/// </summary>
internal static class RouteEndpoint
{
    public static async Task HandleAsync(HttpContext context, GatewayRuntime runtime)
    {
        var snapshot = runtime.Lease();
        try
        {
            var request = context.Request;
            var client = DetectApi(request);
            if (!GatewayKeys.IsAuthorized(request, snapshot.GatewayKeyHashes))
            {
                await ClientErrors.WriteAsync(context, client, 401, "Switchboard: a gateway key is required.").ConfigureAwait(false);
                return;
            }
            using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, snapshot.Config.Limits.MaxRequestBodyBytes, context.RequestAborted).ConfigureAwait(false);
            if (body is null)
            {
                await ClientErrors.WriteAsync(context, client, 413, "request body is larger than the gateway's limit.").ConfigureAwait(false);
                return;
            }
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body.Memory);
            }
            catch (JsonException ex)
            {
                await ClientErrors.WriteAsync(context, client, 400, $"request body is not valid JSON: {ex.Message}").ConfigureAwait(false);
                return;
            }
            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
                {
                    await ClientErrors.WriteAsync(context, client, 400, "'messages' is required and must be an array.").ConfigureAwait(false);
                    return;
                }
                if (client == ApiFormat.OpenAI && LooksAnthropic(root)) client = ApiFormat.Anthropic;
                var requested = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                var selection = await snapshot.Selector.SelectAsync(requested, request.Headers[ModelSelector.RouteHeader].ToString(),
                    () => RouterInputBuilder.FromRequest(client, root, snapshot.Config.Routing.TokenBudget, snapshot.Config.Routing.RouteOnUserOnly), context.RequestAborted).ConfigureAwait(false);
                var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
                using (var writer = new Utf8JsonWriter(buffer, ClientErrors.WriterOptions)) RouteDecisionJson.Write(writer, selection, requested);
                context.Response.ContentType = "application/json";
                await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
            }
        }
        finally
        {
            snapshot.ReleaseLease();
        }
    }

    private static ApiFormat DetectApi(HttpRequest request) =>
        request.Query["api"].ToString() switch
        {
            "anthropic" => ApiFormat.Anthropic,
            "openai" => ApiFormat.OpenAI,
            _ => request.Headers.ContainsKey("anthropic-version") ? ApiFormat.Anthropic : ApiFormat.OpenAI,
        };

    /// <summary>An Anthropic body sent without the header: top-level system or Anthropic-only block types.</summary>
    private static bool LooksAnthropic(JsonElement root)
    {
        if (root.TryGetProperty("system", out _) || root.TryGetProperty("stop_sequences", out _)) return true;
        foreach (var message in root.GetProperty("messages").EnumerateArray())
            if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
                foreach (var block in content.EnumerateArray())
                    if (block.ValueKind == JsonValueKind.Object && block.TryGetProperty("type", out var type) && type.GetString() is "tool_result" or "tool_use")
                        return true;
        return false;
    }
}

/// <summary>The dry-run decision as JSON, shared by POST /v1/route and `switchboard route`.</summary>
public static class RouteDecisionJson
{
    public static void Write(Utf8JsonWriter writer, ModelSelection? selection, string? requested)
    {
        writer.WriteStartObject();
        if (selection?.Route is { } route) writer.WriteString("route"u8, route); else writer.WriteNull("route"u8);
        if (selection is null) writer.WriteNull("model"u8); else writer.WriteString("model"u8, selection.Model);
        if (selection is not null) writer.WriteString("provider"u8, selection.Provider.Provider);
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
