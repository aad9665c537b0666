using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;
using Switchboard.Routing;
using Switchboard.Runtime;
using Switchboard.Sessions;

namespace Switchboard.State;

/// <summary>
/// Session pins for several gateways behind one load balancer (<c>state.redis</c>): a Claude Code session whose requests
/// land on different gateways keeps one model per user turn. Each gateway answers from its own copy
/// (<see cref="InProcessSessionPinStore"/>) and writes every new pin behind to Redis, under the session's key with the
/// session time to live. A copy is stale only when another gateway routed a newer turn, so Redis is read only when the
/// copy cannot decide: no pin here, or a pin for another turn (<see cref="RefreshAsync"/>: one read per new user turn and
/// gateway). Without <c>state.redis</c>, or while Redis is away, the local copy answers alone: pins only keep a turn on
/// its model, they never refuse a request.
/// </summary>
internal sealed class SharedSessionPinStore(InProcessSessionPinStore local, TeamState state, GatewayRuntime runtime, TimeSpan timeToLive) : ISessionPinStore, IDisposable
{
    private const string KeyPrefix = "switchboard:session:";

    public int Count => local.Count;

    public bool TryGet(string key, [NotNullWhen(true)] out SessionPin? pin) => local.TryGet(key, out pin);

    public void Set(string key, SessionPin pin)
    {
        if (state.SharedFor(runtime.Current) is not { } shared)
        {
            local.Set(key, pin);
            return;
        }
        pin = pin with { WrittenAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };
        local.Set(key, pin);
        _ = WriteAsync(shared, key, pin);
    }

    public ValueTask<SessionPin?> RefreshAsync(string key, SessionPin? local, CancellationToken cancellationToken) =>
        state.SharedFor(runtime.Current) is { } shared ? ReadAsync(shared, key, local, cancellationToken) : new(local);

    private async ValueTask<SessionPin?> ReadAsync(SharedState shared, string key, SessionPin? current, CancellationToken cancellationToken)
    {
        try
        {
            var db = await shared.DatabaseAsync().ConfigureAwait(false);
            var value = await db.StringGetAsync(KeyPrefix + key).WaitAsync(shared.Timeout, cancellationToken).ConfigureAwait(false);
            if (value.IsNull || JsonSerializer.Deserialize((byte[])value!, SessionPinJsonContext.Default.SessionPin) is not { } stored) return current;
            // Only a later pin replaces this gateway's: one whose write to Redis failed (Redis away for a moment) must
            // not give way to the older pin still stored there.
            if (current is not null && stored.WrittenAtMs <= current.WrittenAtMs) return current;
            local.Set(key, stored);
            return stored;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or JsonException)
        {
            return current;
        }
    }

    private async Task WriteAsync(SharedState shared, string key, SessionPin pin)
    {
        try
        {
            var db = await shared.DatabaseAsync().ConfigureAwait(false);
            await db.StringSetAsync(KeyPrefix + key, JsonSerializer.SerializeToUtf8Bytes(pin, SessionPinJsonContext.Default.SessionPin), timeToLive).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // The local copy still holds it; another gateway routes the turn itself.
        }
    }

    public void Dispose() => local.Dispose();
}

[JsonSerializable(typeof(SessionPin))]
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
internal sealed partial class SessionPinJsonContext : JsonSerializerContext;
