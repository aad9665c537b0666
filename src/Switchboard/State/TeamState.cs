using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Switchboard.Caching;
using Switchboard.Config;
using Switchboard.Limits;
using Switchboard.Runtime;

namespace Switchboard.State;

/// <summary>
/// The gateway's limits and budgets (one per host): each config entry's limiters, built once per entry and looked up
/// by reference, whose in-process state outlives a reload that keeps the limit; and the engine that keeps them, in
/// process or in Redis (<c>state.redis</c>).
/// </summary>
internal sealed class TeamState : ILimitState, ICacheStores, IDisposable
{
    private readonly ConcurrentDictionary<string, GcraCell> _cells = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BudgetAccount> _budgets = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<GatewayKey, KeyPolicy> _keys = new();
    private readonly ConditionalWeakTable<ModelEntry, LimitSet> _models = new();
    private readonly ConditionalWeakTable<GatewayKey, KeyPolicy>.CreateValueCallback _buildKey;
    private readonly ConditionalWeakTable<ModelEntry, LimitSet>.CreateValueCallback _buildModel;
    private readonly Func<string, GcraCell> _cell;
    private readonly object _gate = new();
    private SharedState? _shared;

    public TeamState()
    {
        _cell = id => _cells.GetOrAdd(id, static _ => new GcraCell());
        _buildKey = key => new KeyPolicy(LimitSet.For($"key {key.Name}", key.RateLimit, _cell),
            key.Budget is { } budget ? _budgets.GetOrAdd($"{key.Name}|{budget.Usd}|{budget.Period}", _ => new BudgetAccount(key.Name, budget)) : null);
        _buildModel = entry => LimitSet.For($"model {entry.Model}", entry.RateLimit, _cell) ?? Empty;
    }

    private static readonly LimitSet Empty = new(null, null);

    public IPriceLookup Prices { get; set; } = ConfigPriceLookup.Instance;

    public KeyPolicy PolicyOf(GatewayKey key) => _keys.GetValue(key, _buildKey);

    public LimitSet LimitsOf(ModelEntry entry) => _models.GetValue(entry, _buildModel);

    /// <summary>The shared store for this config, or null when state lives in process.</summary>
    public SharedState? SharedFor(GatewaySnapshot snapshot)
    {
        var config = snapshot.Config.State;
        if (config.Redis is null) return null;
        var shared = Volatile.Read(ref _shared);
        if (shared is not null && shared.Config == config) return shared;
        lock (_gate)
        {
            if (_shared is not null && _shared.Config == config) return _shared;
            var old = _shared;
            _shared = new SharedState(config);
            // A reload that changed state: requests still on the old one finish on it before it closes.
            if (old is not null) _ = Task.Delay(TimeSpan.FromSeconds(30)).ContinueWith(_ => old.Dispose(), TaskScheduler.Default);
            return _shared;
        }
    }

    public LimitEngine EngineFor(GatewaySnapshot snapshot) => SharedFor(snapshot)?.Limits ?? (LimitEngine)InProcessLimits.Instance;

    private MemoryResponseCache? _memoryCache;

    /// <summary>The response cache for this config: Redis when shared, else this process's (sized by state.cache_max_mb).</summary>
    public IResponseCacheStore CacheFor(GatewaySnapshot snapshot)
    {
        if (SharedFor(snapshot) is { } shared) return shared.Cache;
        var max = snapshot.Config.State.CacheMaxBytes;
        var cache = Volatile.Read(ref _memoryCache);
        if (cache is not null && cache.MaxBytes == max) return cache;
        lock (_gate)
        {
            if (_memoryCache is null || _memoryCache.MaxBytes != max) _memoryCache = new MemoryResponseCache(max);
            return _memoryCache;
        }
    }

    public void Dispose()
    {
        _shared?.Dispose();
        _memoryCache?.Dispose();
    }
}
