using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Server;

/// <summary>GET /v1/models, GET /healthz, and what clients probe before they start: GET or HEAD / and /api/hello.</summary>
internal static class InfoEndpoints
{
    /// <summary>What the gateway serves, for GET / and for the 404 of a path it does not.</summary>
    public const string EndpointList = "POST /v1/messages, POST /v1/messages/count_tokens, POST /v1/chat/completions, GET /v1/models, POST /v1/route and GET /healthz";

    /// <summary>
    /// GET /: where clients should point, in plain text. HEAD / (Claude Code's connectivity check) gets the same
    /// headers and no body. Nothing here depends on the config or needs a gateway key.
    /// </summary>
    public static Task RootAsync(HttpContext context)
    {
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}";
        var text = $"""
            Switchboard is running: an LLM gateway serving the Anthropic and OpenAI APIs.
              Anthropic clients (Claude Code): ANTHROPIC_BASE_URL={baseUrl}
              OpenAI clients:                  OPENAI_BASE_URL={baseUrl}/v1
            Endpoints: {EndpointList}.

            """;
        return WriteAsync(context, "text/plain; charset=utf-8", System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>GET or HEAD /api/hello: Claude Code probes it (HEAD) to check that its base URL answers.</summary>
    public static Task HelloAsync(HttpContext context) => WriteAsync(context, "application/json", """{"status":"ok"}"""u8.ToArray());
    /// <summary>Every literal and alias; Anthropic's list shape when the client sends anthropic-version.</summary>
    public static Task ModelsAsync(HttpContext context, GatewayRuntime runtime)
    {
        var snapshot = runtime.Current;
        var anthropic = context.Request.Headers.ContainsKey("anthropic-version");
        if (!GatewayKeys.IsAuthorized(context.Request, snapshot.GatewayKeyHashes))
            return ClientErrors.WriteAsync(context, anthropic ? ApiFormat.Anthropic : ApiFormat.OpenAI, 401, "Switchboard: a gateway key is required (send it as `Authorization: Bearer KEY` or `x-api-key: KEY`).");
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
        return WriteJsonAsync(context, buffer.WrittenMemory);
    }

    public static Task HealthAsync(HttpContext context, GatewayRuntime runtime, RequestEventHub events)
    {
        var snapshot = runtime.Current;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("status"u8, "ok"u8);
            writer.WriteNumber("pid"u8, Environment.ProcessId);
            writer.WriteNumber("uptime_seconds"u8, (long)(DateTimeOffset.UtcNow - runtime.StartedAt).TotalSeconds);
            writer.WriteNumber("requests"u8, events.Served);
            writer.WriteNumber("failed_requests"u8, events.Failed);
            writer.WriteNumber("config_reloads"u8, runtime.Reloads);
            if (snapshot.Config.SourcePath is { } path) writer.WriteString("config"u8, path);
            if (context.Request.Query.ContainsKey("verbose"))
            {
                // One entry per deployment (a model at a provider and base URL; a wildcard's ids in use each get their own).
                writer.WriteStartArray("providers"u8);
                foreach (var endpoint in snapshot.Providers.All)
                {
                    foreach (var deployment in endpoint.Deployments)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("model"u8, deployment.Model);
                        writer.WriteString("provider"u8, endpoint.Name);
                        writer.WriteString("api"u8, CompletionPipeline.ApiName(endpoint.Api));
                        writer.WriteBoolean("key_set"u8, endpoint.MissingKeyVariable is null);
                        if (endpoint.MissingKeyVariable is { } missing) writer.WriteString("missing_key_variable"u8, missing);
                        writer.WriteString("circuit"u8, CircuitName(deployment.State));
                        writer.WriteString("endpoint_circuit"u8, CircuitName(endpoint.Circuit.State));
                        if (deployment.Cooldown?.RetryAfter is { } cooling)
                            writer.WriteNumber("cooldown_seconds"u8, Math.Round(cooling.TotalSeconds, 1));
                        writer.WriteEndObject();
                    }
                }
                writer.WriteEndArray();
                WriteRuntime(writer);
            }
            writer.WriteEndObject();
        }
        return WriteJsonAsync(context, buffer.WrittenMemory);
    }

    private static string CircuitName(Polly.CircuitBreaker.CircuitState state) => state switch
    {
        Polly.CircuitBreaker.CircuitState.Closed => "closed",
        Polly.CircuitBreaker.CircuitState.Open => "open",
        Polly.CircuitBreaker.CircuitState.HalfOpen => "halfopen",
        _ => "isolated",
    };

    /// <summary>The process's own health: memory, garbage collections and their pauses, threads (what bench/ reads between runs).</summary>
    private static void WriteRuntime(Utf8JsonWriter writer)
    {
        var gc = GC.GetGCMemoryInfo();
        writer.WriteStartObject("runtime"u8);
        writer.WriteNumber("working_set_bytes"u8, Environment.WorkingSet);
        writer.WriteNumber("gc_heap_bytes"u8, GC.GetTotalMemory(forceFullCollection: false));
        writer.WriteNumber("gc_committed_bytes"u8, gc.TotalCommittedBytes);
        writer.WriteStartArray("gc_collections"u8);
        for (var generation = 0; generation <= GC.MaxGeneration; generation++) writer.WriteNumberValue(GC.CollectionCount(generation));
        writer.WriteEndArray();
        writer.WriteNumber("gc_pause_total_ms"u8, Math.Round(GC.GetTotalPauseDuration().TotalMilliseconds, 3));
        writer.WriteNumber("allocated_bytes"u8, GC.GetTotalAllocatedBytes());
        writer.WriteNumber("thread_pool_threads"u8, ThreadPool.ThreadCount);
        writer.WriteNumber("thread_pool_completed_items"u8, ThreadPool.CompletedWorkItemCount);
        writer.WriteBoolean("inline_socket_io"u8, Environment.GetEnvironmentVariable(InlineSocketIo.Variable) == "1");
        if (gc.Index > 0)
        {
            writer.WriteStartObject("last_gc"u8);
            writer.WriteNumber("generation"u8, gc.Generation);
            writer.WriteNumber("pause_ms"u8, Math.Round(gc.PauseDurations[0].TotalMilliseconds + gc.PauseDurations[1].TotalMilliseconds, 3));
            writer.WriteNumber("promoted_bytes"u8, gc.PromotedBytes);
            writer.WriteNumber("heap_size_bytes"u8, gc.HeapSizeBytes);
            writer.WriteBoolean("concurrent"u8, gc.Concurrent);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    private static Task WriteJsonAsync(HttpContext context, ReadOnlyMemory<byte> json) => WriteAsync(context, "application/json", json);

    /// <summary>The body with its type and length; for HEAD, the same headers and no body.</summary>
    private static Task WriteAsync(HttpContext context, string contentType, ReadOnlyMemory<byte> body)
    {
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
