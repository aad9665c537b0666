using System.Net.Http.Headers;
using Switchboard.Config;

namespace Switchboard.Providers;

/// <summary>
/// One configured model's way to its upstream: the URLs, the credential, and the pooled HTTP client shared
/// by every model of the same provider and base URL.
/// </summary>
public sealed class ProviderEndpoint
{
    public const string DefaultAnthropicVersion = "2023-06-01";
    private const string DefaultAzureApiVersion = "2024-10-21";

    private readonly string _basePath;
    private Uri? _completionUri;
    private AuthenticationHeaderValue? _bearer;

    internal ProviderEndpoint(ProviderConfig config, ProviderKind kind, HttpMessageInvoker client, ProviderResilience resilience)
    {
        Resilience = resilience;
        Config = config;
        Kind = kind;
        Client = client;
        var baseUrl = config.BaseUrl ?? kind.DefaultBaseUrl!;
        // DESIGN.md's convention: a base_url with a path is used as given; without one, the provider's prefix comes first.
        var path = baseUrl.AbsolutePath.TrimEnd('/');
        if (config.BaseUrl is not null && path.Length == 0) path = kind.DefaultPathPrefix.TrimEnd('/');
        _basePath = baseUrl.GetLeftPart(UriPartial.Authority) + path;
    }

    public ProviderConfig Config { get; }
    public ProviderKind Kind { get; }
    public HttpMessageInvoker Client { get; }
    /// <summary>Retries and circuit breaker, shared by every model of this provider and base URL.</summary>
    public ProviderResilience Resilience { get; }
    public string Name => Config.Provider;
    public ApiFormat Api => Config.Interface;

    /// <summary>The environment variable to set when the key is needed but missing; null when the key is usable.</summary>
    public string? MissingKeyVariable =>
        Config.AccessKey switch
        {
            { IsResolved: true } => null,
            { VariableName: { } name } => name,
            null when Kind.KeyRequired && Kind.Auth != AuthStyle.None => Kind.KeyVariable ?? "the provider's API key (access_key)",
            _ => null,
        };

    /// <summary>The URL for the upstream API's main endpoint: chat/completions, messages, or Gemini's generateContent.</summary>
    /// <param name="stream">Gemini only: the streaming method (streamGenerateContent?alt=sse) rather than generateContent.</param>
    public Uri GetCompletionUri(string modelId, string? query = null, bool stream = false) =>
        string.IsNullOrEmpty(query) && Api != ApiFormat.Gemini && Kind.Auth != AuthStyle.AzureApiKey
            ? _completionUri ??= BuildCompletionUri(modelId, null, false) // independent of the model: built once
            : BuildCompletionUri(modelId, query, stream);

    private Uri BuildCompletionUri(string modelId, string? query, bool stream) => Api switch
    {
        ApiFormat.Anthropic => new Uri(_basePath + "/messages" + query),
        ApiFormat.Gemini => new Uri($"{_basePath}/models/{Uri.EscapeDataString(modelId)}:" + (stream ? "streamGenerateContent?alt=sse" : "generateContent")),
        _ when Kind.Auth == AuthStyle.AzureApiKey => new Uri(
            (_basePath.Contains("/openai/deployments/", StringComparison.Ordinal) ? _basePath : $"{_basePath}/openai/deployments/{Uri.EscapeDataString(modelId)}")
            + $"/chat/completions?api-version={Uri.EscapeDataString(Config.ApiVersion ?? DefaultAzureApiVersion)}"),
        _ => new Uri(_basePath + "/chat/completions"),
    };

    public Uri CountTokensUri => new(_basePath + "/messages/count_tokens");

    /// <summary>Applies the configured credential. The client's own credentials are never forwarded.</summary>
    public void ApplyAuth(HttpRequestHeaders headers)
    {
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
}
