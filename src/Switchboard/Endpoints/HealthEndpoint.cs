using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Observability;
using Switchboard.Pipeline;
using Switchboard.Runtime;

namespace Switchboard.Endpoints;

/// <summary>
/// GET /healthz: liveness and counts, open to anyone; <c>?verbose=true</c> adds each deployment (key set, circuits,
/// 429 cooldown) and the process's runtime health.
/// </summary>
internal static class HealthEndpoint
{
    public static async Task HandleAsync(HttpContext context, GatewayRuntime runtime, RequestEventHub events)
    {
        // The verbose view (config path, providers, keys set) is an admin's when gateway keys are configured.
        if (context.Request.Query.ContainsKey("verbose") && !await AdminScope.RequireAdminAsync(context, runtime).ConfigureAwait(false)) return;
        await WriteAsync(context, runtime, events).ConfigureAwait(false);
    }

    private static Task WriteAsync(HttpContext context, GatewayRuntime runtime, RequestEventHub events)
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
            writer.WriteNumber("requests_in_flight"u8, runtime.Admission.InFlight);
            writer.WriteNumber("requests_shed"u8, runtime.Admission.Shed); // refused at limits.max_concurrent_requests
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
                        writer.WriteString("api"u8, ApiNames.Of(endpoint.Api));
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
                WriteRuntime(writer, context.RequestServices.GetService<IdleTrimStatus>());
            }
            writer.WriteEndObject();
        }
        return EndpointResponses.WriteJsonAsync(context, buffer.WrittenMemory);
    }

    private static string CircuitName(Polly.CircuitBreaker.CircuitState state) => state switch
    {
        Polly.CircuitBreaker.CircuitState.Closed => "closed",
        Polly.CircuitBreaker.CircuitState.Open => "open",
        Polly.CircuitBreaker.CircuitState.HalfOpen => "halfopen",
        _ => "isolated",
    };

    /// <summary>The process's own health: memory, garbage collections and their pauses, threads (what bench/ reads between runs).</summary>
    private static void WriteRuntime(Utf8JsonWriter writer, IdleTrimStatus? trim)
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
        if (GcSettings.Gen0Budget() is { } gen0Budget) writer.WriteNumber("gc_gen0_max_budget_bytes"u8, gen0Budget);
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
        // The idle trim (`switchboard up` only): how often it gave memory back, whether it failed, and its last result.
        writer.WriteStartObject("idle_trim"u8);
        writer.WriteBoolean("enabled"u8, trim is not null);
        if (trim is not null)
        {
            writer.WriteNumber("trims"u8, trim.Trims);
            writer.WriteNumber("failures"u8, trim.Failures);
            if (trim.Last is { } last)
            {
                writer.WriteStartObject("last"u8);
                writer.WriteString("at"u8, last.At);
                writer.WriteNumber("working_set_before_bytes"u8, last.WorkingSetBefore);
                writer.WriteNumber("working_set_after_collection_bytes"u8, last.WorkingSetAfterCollect);
                writer.WriteNumber("working_set_after_bytes"u8, last.WorkingSetAfter);
                writer.WriteNumber("pause_ms"u8, Math.Round(last.Pause.TotalMilliseconds, 3));
                writer.WriteEndObject();
            }
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
