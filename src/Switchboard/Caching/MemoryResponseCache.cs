using Microsoft.Extensions.Caching.Memory;

namespace Switchboard.Caching;

/// <summary>
/// The response cache in this process: Microsoft.Extensions.Caching.Memory with a size limit in bytes (each entry
/// counts its body), so memory stays bounded whatever is cached; past the limit the cache compacts.
/// </summary>
internal sealed class MemoryResponseCache(long maxBytes) : IResponseCacheStore, IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = maxBytes, CompactionPercentage = 0.25 });

    public long MaxBytes { get; } = maxBytes;

    public ValueTask<CachedAnswer?> GetAsync(string key, CancellationToken cancellationToken) => new(_cache.Get<CachedAnswer>(key));

    public void Set(string key, CachedAnswer answer, TimeSpan ttl) =>
        _cache.Set(key, answer, new MemoryCacheEntryOptions { Size = answer.Body.Length + 64, AbsoluteExpirationRelativeToNow = ttl });

    public void Dispose() => _cache.Dispose();
}
