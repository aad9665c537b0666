using System.Net;
using Switchboard.Config;

namespace Switchboard.Providers;

/// <summary>
/// Every configured model's endpoint, keyed by literal. Models of one provider at one base URL share a
/// single SocketsHttpHandler, so connections are pooled per upstream, and one <see cref="EndpointCircuit"/>;
/// each model has its own retries, breaker and cooldown.
/// </summary>
internal sealed class ProviderRegistry : IDisposable
{
    private readonly Dictionary<string, ProviderEndpoint> _byModel = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<HttpMessageInvoker> _clients = [];

    public ProviderRegistry(GatewayConfig config, TimeProvider? time = null)
    {
        var connectTimeout = TimeSpan.FromMilliseconds(config.Resilience.ConnectTimeoutMs);
        var clients = new Dictionary<string, HttpMessageInvoker>(StringComparer.OrdinalIgnoreCase);
        var circuits = new Dictionary<string, EndpointCircuit>(StringComparer.OrdinalIgnoreCase);
        foreach (var provider in config.Providers)
        {
            var kind = ProviderCatalog.Find(provider.Provider) is { } known && known.Api == provider.Interface
                ? known
                : ProviderCatalog.Custom(provider.Provider, provider.Interface);
            var authority = (provider.BaseUrl ?? kind.DefaultBaseUrl)?.GetLeftPart(UriPartial.Authority) ?? "";
            var poolKey = provider.Provider + " " + authority;
            if (!clients.TryGetValue(poolKey, out var client))
            {
                client = new HttpMessageInvoker(CreateHandler(connectTimeout), disposeHandler: true);
                clients[poolKey] = client;
                _clients.Add(client);
                circuits[poolKey] = new EndpointCircuit(provider.Provider, authority, config.Resilience, time);
            }
            _byModel[provider.Model] = new ProviderEndpoint(provider, kind, client, circuits[poolKey], config.Resilience, time, gatewayKeysOn: config.GatewayKeys.Count > 0);
        }
    }

    public ProviderEndpoint Get(ModelEntry provider) => _byModel[provider.Model];

    public IEnumerable<ProviderEndpoint> All => _byModel.Values;

    internal static SocketsHttpHandler CreateHandler(TimeSpan connectTimeout) => new()
    {
        ConnectTimeout = connectTimeout,
        // Recycle connections so DNS changes are seen; keep idle ones long enough to be reused under load.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        AllowAutoRedirect = false,
        EnableMultipleHttp2Connections = true,
        MaxConnectionsPerServer = int.MaxValue,
    };

    public void Dispose()
    {
        foreach (var client in _clients) client.Dispose();
    }
}
