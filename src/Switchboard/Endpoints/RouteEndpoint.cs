using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchboard.Pipeline;
using Switchboard.Routing;
using Switchboard.Runtime;

namespace Switchboard.Endpoints;

/// <summary>
/// POST /v1/route (behind the gateway key): a dry run. Takes an OpenAI or Anthropic request body (and honours x-switchboard-route),
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
            using var body = await PooledBody.ReadAsync(request.Body, request.ContentLength, snapshot.Config.Limits.MaxRequestBodyBytes, context.RequestAborted).ConfigureAwait(false);
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

    /// <summary>?api=anthropic|openai, else by the anthropic-version header.</summary>
    public static ApiFormat DetectApi(HttpRequest request) =>
        request.Query["api"].ToString() switch
        {
            "anthropic" => ApiFormat.Anthropic,
            "openai" => ApiFormat.OpenAI,
            _ => ClientApiMetadata.ByVersionHeader(request),
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
