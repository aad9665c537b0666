using Switchboard.Models;
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
    /// <summary>Wildcard OpenAI entries' Responses-API endpoints (same client, circuit and key), for Responses-only ids.</summary>
    private Dictionary<string, ProviderEndpoint>? _responsesTwins;

    public ProviderRegistry(GatewayConfig config, TimeProvider? time = null)
    {
        var connectTimeout = TimeSpan.FromMilliseconds(config.Resilience.ConnectTimeoutMs);
        var clients = new Dictionary<string, HttpMessageInvoker>(StringComparer.OrdinalIgnoreCase);
        var circuits = new Dictionary<string, EndpointCircuit>(StringComparer.OrdinalIgnoreCase);
        foreach (var provider in config.Providers)
        {
            var kind = ProviderCatalog.For(provider.Provider, provider.Interface);
            // scheme://host:port, never a user:password written into the base_url (the label of /metrics' breaker gauge).
            var authority = (provider.BaseUrl ?? kind.DefaultBaseUrl) is { } url ? url.Scheme + "://" + url.Authority : "";
            var poolKey = provider.Provider + " " + authority;
            if (!clients.TryGetValue(poolKey, out var client))
            {
                client = new HttpMessageInvoker(CreateHandler(connectTimeout, config.Limits.MaxUpstreamConnections), disposeHandler: true);
                clients[poolKey] = client;
                _clients.Add(client);
                circuits[poolKey] = new EndpointCircuit(provider.Provider, authority, config.Resilience, time);
            }
            _byModel[provider.Model] = new ProviderEndpoint(provider, kind, client, circuits[poolKey], config.Resilience, time, gatewayKeysOn: config.GatewayKeys.Count > 0);
            if (provider.ModelId == "*" && kind is { Name: "openai", Api: ApiFormat.OpenAI })
                (_responsesTwins ??= new(StringComparer.OrdinalIgnoreCase))[provider.Model] = new ProviderEndpoint(
                    provider with { Interface = ApiFormat.Responses }, kind with { Api = ApiFormat.Responses }, client, circuits[poolKey],
                    config.Resilience, time, gatewayKeysOn: config.GatewayKeys.Count > 0);
        }
    }

    public ProviderEndpoint Get(ModelEntry provider) => _byModel[provider.Model];

    /// <summary>
    /// The endpoint for <paramref name="modelId"/> at <paramref name="provider"/>: its own, except that the
    /// <c>openai/*</c> wildcard sends a Responses-only model id (<see cref="ProviderCatalog.IsResponsesOnly"/>) to its
    /// Responses-API twin.
    /// </summary>
    public ProviderEndpoint Get(ModelEntry provider, string modelId) =>
        _responsesTwins is not null && provider.ModelId == "*" && _responsesTwins.TryGetValue(provider.Model, out var twin)
            && ProviderCatalog.IsResponsesOnly(modelId)
            ? twin
            : _byModel[provider.Model];

    public IEnumerable<ProviderEndpoint> All => _byModel.Values;

    /// <param name="maxConnections">
    /// limits.max_upstream_connections (0: no bound): past it a request waits in the handler's queue for a free
    /// connection, inside its first-byte timeout, instead of a burst opening a socket (and buffers) per request.
    /// </param>
    internal static SocketsHttpHandler CreateHandler(TimeSpan connectTimeout, int maxConnections = 0) => new()
    {
        ConnectTimeout = connectTimeout,
        ConnectCallback = UpstreamNetworkStream.ConnectAsync, // drops its reference to a sent body (UpstreamNetworkStream)
        // Recycle connections so DNS changes are seen; keep idle ones long enough to be reused under load.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        AllowAutoRedirect = false,
        EnableMultipleHttp2Connections = true,
        MaxConnectionsPerServer = maxConnections > 0 ? maxConnections : int.MaxValue,
    };

    public void Dispose()
    {
        foreach (var client in _clients) client.Dispose();
    }
}
