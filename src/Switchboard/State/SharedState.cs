using StackExchange.Redis;
using Switchboard.Config;

namespace Switchboard.State;

/// <summary>
/// The state several gateways share (<c>state.redis</c>): one connection to Redis (StackExchange.Redis), the limits
/// and budgets on it (<see cref="RedisLimits"/>) and the response cache (<see cref="RedisResponseCache"/>). Every call
/// is bounded by <c>state.timeout_ms</c> and fails fast while Redis is away, so a request never hangs on it.
/// </summary>
internal sealed class SharedState : IDisposable
{
    private readonly Task<ConnectionMultiplexer> _connection;

    public SharedState(StateConfig config)
    {
        Config = config;
        Timeout = TimeSpan.FromMilliseconds(config.TimeoutMs);
        _connection = ConnectionMultiplexer.ConnectAsync(OptionsFor(config));
        Limits = new RedisLimits(this);
        Cache = new RedisResponseCache(this);
    }

    public StateConfig Config { get; }
    public TimeSpan Timeout { get; }
    public RedisLimits Limits { get; }
    public RedisResponseCache Cache { get; }

    internal static ConfigurationOptions OptionsFor(StateConfig config)
    {
        var url = config.Redis!;
        var options = new ConfigurationOptions
        {
            AbortOnConnectFail = false,          // start even while Redis is away; reconnect in the background
            BacklogPolicy = BacklogPolicy.FailFast, // while disconnected, fail at once instead of queueing
            ConnectTimeout = Math.Max(1000, config.TimeoutMs),
            SyncTimeout = config.TimeoutMs,
            AsyncTimeout = config.TimeoutMs,
            ConnectRetry = 1,
            ReconnectRetryPolicy = new LinearRetry(500),
            Ssl = url.Scheme == "rediss",
            ClientName = "switchboard",
        };
        options.EndPoints.Add(url.Host, url.IsDefaultPort || url.Port <= 0 ? 6379 : url.Port);
        if (url.UserInfo is { Length: > 0 } userInfo)
        {
            var colon = userInfo.IndexOf(':');
            if (colon > 0) options.User = Uri.UnescapeDataString(userInfo[..colon]);
            options.Password = Uri.UnescapeDataString(colon >= 0 ? userInfo[(colon + 1)..] : userInfo);
        }
        if (url.AbsolutePath.Trim('/') is { Length: > 0 } db && int.TryParse(db, out var index)) options.DefaultDatabase = index;
        return options;
    }

    /// <summary>Waits (at most <paramref name="limit"/>) for the first connection; false when Redis is not there.</summary>
    public async Task<bool> ConnectAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        try
        {
            var connection = await _connection.WaitAsync(limit).ConfigureAwait(false);
            while (!connection.IsConnected && DateTime.UtcNow < deadline) await Task.Delay(25).ConfigureAwait(false);
            return connection.IsConnected;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The database, once connected; throws (fast) while Redis cannot be reached.</summary>
    public async ValueTask<IDatabase> DatabaseAsync()
    {
        var connection = _connection.IsCompletedSuccessfully ? _connection.Result : await _connection.WaitAsync(Timeout).ConfigureAwait(false);
        if (!connection.IsConnected) throw new RedisException("Redis is not connected");
        return connection.GetDatabase();
    }

    public void Dispose()
    {
        if (_connection.IsCompletedSuccessfully) _connection.Result.Dispose();
        else _connection.ContinueWith(t => { if (t.IsCompletedSuccessfully) t.Result.Dispose(); }, TaskScheduler.Default);
    }

    /// <summary>What a request is told while Redis is away and state.on_unavailable is closed. Never the URL (it may hold a password).</summary>
    public const string UnavailableMessage = "Switchboard: the shared state store (Redis) cannot be reached, and state.on_unavailable is closed: requests with limits or budgets are refused until it is back.";
}
