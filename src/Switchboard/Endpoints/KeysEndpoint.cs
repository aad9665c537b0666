using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Limits;
using Switchboard.Runtime;
using Switchboard.State;

namespace Switchboard.Endpoints;

/// <summary>
/// GET /switchboard/keys: each gateway key by name (never the key) with its scope, limits, this gateway's usage and
/// its budget's spend and what remains (from the shared store when there is one). A non-admin key sees itself only.
/// </summary>
internal static class KeysEndpoint
{
    public const string Path = "/switchboard/keys";

    public static void Map(RouteGroupBuilder admin, IServiceProvider services)
    {
        var runtime = services.GetRequiredService<GatewayRuntime>();
        var state = services.GetRequiredService<TeamState>();
        var usage = services.GetServices<Pipeline.ICompletionSink>().OfType<KeyUsageSink>().First();
        admin.MapGet(Path, (HttpContext c) => HandleAsync(c, runtime, state, usage));
    }

    private static async Task HandleAsync(HttpContext context, GatewayRuntime runtime, TeamState state, KeyUsageSink usage)
    {
        var snapshot = runtime.Current;
        var viewer = AdminScope.ViewerOf(context);
        var engine = state.EngineFor(snapshot);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("state"u8, snapshot.Config.State.Redis is null ? "process" : "redis");
            writer.WriteStartArray("keys"u8);
            var now = DateTimeOffset.UtcNow;
            foreach (var caller in snapshot.Keyring.Callers)
            {
                if (!viewer.Sees(caller.Name)) continue;
                var key = caller.Key;
                writer.WriteStartObject();
                writer.WriteString("name"u8, key.Name);
                writer.WriteBoolean("admin"u8, key.Admin);
                writer.WriteStartArray("models"u8);
                foreach (var model in key.Models) writer.WriteStringValue(model);
                writer.WriteEndArray();
                if (key.Expires is { } expires)
                {
                    writer.WriteString("expires"u8, expires);
                    writer.WriteBoolean("expired"u8, caller.IsExpired(now));
                }
                if (key.RateLimit is { } limit)
                {
                    writer.WriteStartObject("rate_limit"u8);
                    if (limit.RequestsPerMinute is { } rpm) writer.WriteNumber("requests_per_minute"u8, rpm);
                    if (limit.TokensPerMinute is { } tpm) writer.WriteNumber("tokens_per_minute"u8, tpm);
                    writer.WriteEndObject();
                }
                var used = usage.Of(key.Name);
                writer.WriteStartObject("usage"u8);
                writer.WriteNumber("requests"u8, used?.Requests ?? 0);
                writer.WriteNumber("refused"u8, used?.Refused ?? 0);
                writer.WriteNumber("cache_hits"u8, used?.CacheHits ?? 0);
                writer.WriteNumber("input_tokens"u8, used?.InputTokens ?? 0);
                writer.WriteNumber("output_tokens"u8, used?.OutputTokens ?? 0);
                writer.WriteEndObject();
                if (state.PolicyOf(key).Budget is { } budget)
                {
                    writer.WriteStartObject("budget"u8);
                    writer.WriteNumber("usd"u8, budget.Config.Usd);
                    writer.WriteString("period"u8, budget.Config.Period.ToString().ToLowerInvariant());
                    try
                    {
                        var (spent, committed) = await engine.BudgetAsync(budget, context.RequestAborted).ConfigureAwait(false);
                        writer.WriteNumber("spent_usd"u8, spent / 1e6);
                        writer.WriteNumber("reserved_usd"u8, Math.Max(0, committed - spent) / 1e6);
                        writer.WriteNumber("remaining_usd"u8, Math.Max(0, budget.CapMicros - committed) / 1e6);
                    }
                    catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
                    {
                        writer.WriteString("error"u8, "the shared state store (Redis) cannot be reached");
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        await EndpointResponses.WriteJsonAsync(context, buffer.WrittenMemory).ConfigureAwait(false);
    }
}
