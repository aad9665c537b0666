using StackExchange.Redis;
using Switchboard.Caching;

namespace Switchboard.State;

/// <summary>
/// The response cache in Redis, shared by every gateway on it: each answer under its key with the ttl as its expiry
/// (bound Redis's memory with its own maxmemory and an LRU policy). An unreachable Redis is a miss, never an error:
/// the cache only saves work.
/// </summary>
internal sealed class RedisResponseCache(SharedState shared) : IResponseCacheStore
{
    public async ValueTask<CachedAnswer?> GetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var db = await shared.DatabaseAsync().ConfigureAwait(false);
            var value = await db.StringGetAsync(key).WaitAsync(shared.Timeout, cancellationToken).ConfigureAwait(false);
            return value.IsNull ? null : CachedAnswer.FromBytes((byte[]?)value);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            return null;
        }
    }

    public void Set(string key, CachedAnswer answer, TimeSpan ttl) => _ = SetAsync(key, answer.ToBytes(), ttl);

    private async Task SetAsync(string key, byte[] value, TimeSpan ttl)
    {
        try
        {
            var db = await shared.DatabaseAsync().ConfigureAwait(false);
            await db.StringSetAsync(key, value, ttl).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
        }
    }
}
