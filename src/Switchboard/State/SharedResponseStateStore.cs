using StackExchange.Redis;
using Switchboard.Protocols.Responses;
using Switchboard.Runtime;

namespace Switchboard.State;

/// <summary>
/// Stored responses (<c>previous_response_id</c>) for several gateways behind one load balancer (<c>state.redis</c>):
/// each gateway keeps its own (<see cref="InMemoryResponseStateStore"/>) and writes every stored conversation behind to
/// Redis with the same hour to live; a gateway reads Redis only for an id it does not hold. Without <c>state.redis</c>,
/// or while Redis is away, each gateway knows its own responses only (a follow-up elsewhere gets the usual 400).
/// </summary>
internal sealed class SharedResponseStateStore(InMemoryResponseStateStore local, TeamState state, GatewayRuntime runtime, TimeSpan timeToLive) : IResponseStateStore
{
    private const string KeyPrefix = "switchboard:response:";

    /// <summary>
    /// A client may send its follow-up as soon as it reads a stream's last event, while that stream's write to Redis is
    /// still on its way: one more read after this pause before the id counts as unknown (only ids this gateway lacks pay it).
    /// </summary>
    private static readonly TimeSpan SecondLook = TimeSpan.FromMilliseconds(50);

    public bool TryGet(string responseId, out ReadOnlyMemory<byte> items) => local.TryGet(responseId, out items);

    /// <summary>
    /// Conversations larger than this stay in their gateway only: each stored response holds its whole conversation, so
    /// a long one would grow Redis quadratically, crowding out the limits and budgets kept there (whose keys an
    /// allkeys-lru Redis would then evict). A follow-up on another gateway gets the usual "not found".
    /// </summary>
    public const int MaxSharedBytes = 1024 * 1024;

    public void Put(string responseId, ReadOnlyMemory<byte> items)
    {
        local.Put(responseId, items);
        if (items.Length <= MaxSharedBytes && state.SharedFor(runtime.Current) is { } shared) _ = WriteAsync(shared, responseId, items.ToArray());
    }

    public async ValueTask<SharedLookup> GetSharedAsync(string responseId, CancellationToken cancellationToken)
    {
        if (state.SharedFor(runtime.Current) is not { } shared) return SharedLookup.NotFound;
        for (var look = 0; look < 2; look++)
        {
            if (look > 0) await Task.Delay(SecondLook, cancellationToken).ConfigureAwait(false);
            try
            {
                var db = await shared.DatabaseAsync().ConfigureAwait(false);
                var value = await db.StringGetAsync(KeyPrefix + responseId).WaitAsync(shared.Timeout, cancellationToken).ConfigureAwait(false);
                if (value.IsNull) continue;
                var items = (byte[])value!;
                local.Put(responseId, items);
                return new SharedLookup(items, Unavailable: false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                return new SharedLookup(null, Unavailable: true);
            }
        }
        return SharedLookup.NotFound;
    }

    private async Task WriteAsync(SharedState shared, string responseId, byte[] items)
    {
        try
        {
            var db = await shared.DatabaseAsync().ConfigureAwait(false);
            await db.StringSetAsync(KeyPrefix + responseId, items, timeToLive).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // This gateway still holds it; a follow-up elsewhere gets the usual "not found".
        }
    }
}
