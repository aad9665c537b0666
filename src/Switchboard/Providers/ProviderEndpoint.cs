using Switchboard.Models;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Switchboard.Config;

namespace Switchboard.Providers;

/// <summary>
/// One configured model's way to its upstream: the URLs, the credential, the pooled HTTP client and circuit shared
/// by every model of the same provider and base URL, and this model's own retries, breaker and cooldown.
/// </summary>
internal sealed class ProviderEndpoint
{
    public const string DefaultAnthropicVersion = "2023-06-01";
    private const string DefaultAzureApiVersion = "2024-10-21";

    /// <summary>
    /// A wildcard (<c>provider/*</c>) tracks this many model ids separately; ids past it share the wildcard's own
    /// deployment, so clients inventing model names cannot grow memory without bound.
    /// </summary>
    internal const int MaxWildcardDeployments = 256;

    private readonly string _basePath;
    private readonly ResilienceConfig _resilienceConfig;
    private readonly TimeProvider? _time;
    private readonly ConcurrentDictionary<string, ProviderResilience>? _wildcardDeployments;
    private Uri? _completionUri;
    private AuthenticationHeaderValue? _bearer;

    private readonly bool _gatewayKeysOn;

    /// <param name="gatewayKeysOn">Gateway keys are configured: passthrough_auth must not forward the header that carried one.</param>
    internal ProviderEndpoint(ModelEntry config, ProviderKind kind, HttpMessageInvoker client, EndpointCircuit circuit, ResilienceConfig resilience, TimeProvider? time, bool gatewayKeysOn = false)
    {
        _gatewayKeysOn = gatewayKeysOn;
        Circuit = circuit;
        _resilienceConfig = resilience;
        _time = time;
        Resilience = new ProviderResilience(config.Provider, config.Model, resilience, circuit, time);
        if (config.ModelId == "*") _wildcardDeployments = new(StringComparer.Ordinal);
        Config = config;
        Kind = kind;
        Client = client;
        var baseUrl = config.BaseUrl ?? kind.DefaultBaseUrl!;
        // The base_url convention (docs/configuration.md): a base_url with a path is used as given; without one, the provider's prefix comes first.
        var path = baseUrl.AbsolutePath.TrimEnd('/');
        if (config.BaseUrl is not null && path.Length == 0) path = kind.DefaultPathPrefix.TrimEnd('/');
        _basePath = baseUrl.GetLeftPart(UriPartial.Authority) + path;
    }

    public ModelEntry Config { get; }
    public ProviderKind Kind { get; }
    public HttpMessageInvoker Client { get; }
    /// <summary>The breaker shared by every model of this provider and base URL: only failures to connect open it.</summary>
    public EndpointCircuit Circuit { get; }
    /// <summary>This model's retries, circuit breaker and 429 cooldown (for a wildcard: those of ids it does not track separately).</summary>
    public ProviderResilience Resilience { get; }

    /// <summary>The deployment that serves <paramref name="modelId"/>: this model's, or for a wildcard the id's own.</summary>
    public ProviderResilience ResilienceFor(string modelId)
    {
        if (_wildcardDeployments is null) return Resilience;
        if (_wildcardDeployments.TryGetValue(modelId, out var known)) return known;
        if (_wildcardDeployments.Count >= MaxWildcardDeployments) return Resilience;
        return _wildcardDeployments.GetOrAdd(modelId,
            static (id, self) => new ProviderResilience(self.Name, $"{self.Name}/{id}", self._resilienceConfig, self.Circuit, self._time), this);
    }

    /// <summary>Every deployment of this entry with state worth showing: the model itself, then a wildcard's ids in use.</summary>
    public IEnumerable<ProviderResilience> Deployments =>
        _wildcardDeployments is null ? [Resilience] : [Resilience, .. _wildcardDeployments.Values.OrderBy(d => d.Model, StringComparer.Ordinal)];
    public string Name => Config.Provider;
    public ApiFormat Api => Config.Interface;

    /// <summary>The environment variable to set when the key is needed but missing; null when the key is usable.</summary>
    public string? MissingKeyVariable =>
        Config.PassthroughAuth ? null : Config.AccessKey switch
        {
            { IsResolved: true } => null,
            { VariableName: { } name } => name,
            null when Kind.KeyRequired && Kind.Auth != AuthStyle.None => Kind.KeyVariable ?? "the provider's API key (access_key)",
            _ => null,
        };

    /// <summary>The URL for the upstream API's main endpoint: chat/completions, responses, messages, or Gemini's generateContent.</summary>
    /// <param name="stream">Gemini only: the streaming method (streamGenerateContent?alt=sse) rather than generateContent.</param>
    public Uri GetCompletionUri(string modelId, string? query = null, bool stream = false) =>
        string.IsNullOrEmpty(query) && Api != ApiFormat.Gemini && Kind.Auth != AuthStyle.AzureApiKey
            ? _completionUri ??= BuildCompletionUri(modelId, null, false) // independent of the model: built once
            : BuildCompletionUri(modelId, query, stream);

    private Uri BuildCompletionUri(string modelId, string? query, bool stream) => Api switch
    {
        ApiFormat.Anthropic => new Uri(_basePath + "/messages" + query),
        ApiFormat.Responses => new Uri(_basePath + "/responses"),
        ApiFormat.Gemini => new Uri($"{_basePath}/models/{Uri.EscapeDataString(modelId)}:" + (stream ? "streamGenerateContent?alt=sse" : "generateContent")),
        _ when Kind.Auth == AuthStyle.AzureApiKey => new Uri(
            (_basePath.Contains("/openai/deployments/", StringComparison.Ordinal) ? _basePath : $"{_basePath}/openai/deployments/{Uri.EscapeDataString(modelId)}")
            + $"/chat/completions?api-version={Uri.EscapeDataString(Config.ApiVersion ?? DefaultAzureApiVersion)}"),
        _ => new Uri(_basePath + "/chat/completions"),
    };

    public Uri CountTokensUri => new(_basePath + "/messages/count_tokens");

    /// <summary>
    /// OpenAI's own host (whatever the provider is called), or an OpenAI-compatible server configured with
    /// <c>responses_api: true</c>: a Responses API client's request goes to its <c>/responses</c> unchanged but for the
    /// model, rather than through the Chat form. So does any endpoint configured as a Responses API upstream
    /// (<c>provider_interface: openai_responses</c>). A provider named <c>openai</c> with another base_url (a LiteLLM
    /// proxy, a self-hosted model) is not assumed to serve <c>/responses</c>: most such servers do not.
    /// </summary>
    public bool ServesResponsesApi => Api == ApiFormat.Responses || Api == ApiFormat.OpenAI && Kind.Auth == AuthStyle.Bearer
        && (Config.ResponsesApi ?? _basePath.StartsWith("https://api.openai.com/", StringComparison.OrdinalIgnoreCase));

    /// <summary>OpenAI's Responses endpoint under the base URL.</summary>
    public Uri ResponsesUri => new(_basePath + "/responses");

    /// <summary>
    /// Applies the configured credential. The client's own credentials are never forwarded, except with
    /// passthrough_auth, and never a gateway key.
    /// </summary>
    public void ApplyAuth(HttpRequestHeaders headers, IHeaderDictionary? clientHeaders = null)
    {
        if (Config.PassthroughAuth)
        {
            if (clientHeaders is not null) ForwardClientCredentials(headers, clientHeaders);
            return;
        }
        var key = Config.AccessKey?.Value;
        switch (Kind.Auth)
        {
            case AuthStyle.AnthropicApiKey:
                if (key is not null) headers.TryAddWithoutValidation("x-api-key", key);
                break;
            case AuthStyle.AzureApiKey:
                if (key is not null) headers.TryAddWithoutValidation("api-key", key);
                break;
            case AuthStyle.GoogleApiKey:
                if (key is not null) headers.TryAddWithoutValidation("x-goog-api-key", key);
                break;
            case AuthStyle.Bearer:
                if (key is not null) headers.Authorization = _bearer ??= new AuthenticationHeaderValue("Bearer", key);
                break;
        }
    }

    /// <summary>
    /// passthrough_auth: the client's own Authorization (and, toward an Anthropic-style API, its x-api-key) replaces
    /// access_key. With gateway keys on, the client sent its gateway key in x-api-key or, lacking that, in
    /// Authorization (see Identity/GatewayKeyring); that header stays here.
    /// </summary>
    private void ForwardClientCredentials(HttpRequestHeaders headers, IHeaderDictionary clientHeaders)
    {
        var apiKey = clientHeaders["x-api-key"];
        var authorization = clientHeaders.Authorization;
        var gatewayKeyInApiKey = _gatewayKeysOn && apiKey.Count > 0 && apiKey[0] is { Length: > 0 };
        if (authorization.Count > 0 && (!_gatewayKeysOn || gatewayKeyInApiKey))
            headers.TryAddWithoutValidation("Authorization", (IEnumerable<string?>)authorization);
        if (!_gatewayKeysOn && Kind.Auth == AuthStyle.AnthropicApiKey && apiKey.Count > 0)
            headers.TryAddWithoutValidation("x-api-key", (IEnumerable<string?>)apiKey);
    }

    /// <summary>The configured <c>headers</c> (after the credential, so they may replace it or User-Agent) and <c>http_host</c>.</summary>
    public void ApplyConfiguredHeaders(HttpRequestHeaders headers)
    {
        var configured = Config.Headers;
        for (var i = 0; i < configured.Count; i++) // no enumerator: this runs on every request
        {
            var (name, value) = configured[i];
            headers.Remove(name);
            headers.TryAddWithoutValidation(name, value);
        }
        if (Config.HttpHost is { } host) headers.Host = host;
    }
}
