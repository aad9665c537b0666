
namespace Switchboard.Models;

/// <summary>How an upstream wants its credential.</summary>
internal enum AuthStyle
{
    None,
    /// <summary>Authorization: Bearer KEY (OpenAI and nearly every compatible server).</summary>
    Bearer,
    /// <summary>x-api-key: KEY plus anthropic-version.</summary>
    AnthropicApiKey,
    /// <summary>api-key: KEY (Azure OpenAI).</summary>
    AzureApiKey,
    /// <summary>x-goog-api-key: KEY (Gemini's native API).</summary>
    GoogleApiKey,
}

/// <summary>What Switchboard knows about a provider: protocol, default endpoint, auth, and the usual key variable.</summary>
internal sealed record ProviderKind(
    string Name,
    ApiFormat Api,
    Uri? DefaultBaseUrl,
    string DefaultPathPrefix,
    AuthStyle Auth,
    string? KeyVariable,
    bool KeyRequired = true);

internal static class ProviderCatalog
{
    private static readonly Dictionary<string, ProviderKind> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["openai"] = new("openai", ApiFormat.OpenAI, new("https://api.openai.com/v1"), "/v1", AuthStyle.Bearer, "OPENAI_API_KEY"),
        ["anthropic"] = new("anthropic", ApiFormat.Anthropic, new("https://api.anthropic.com/v1"), "/v1", AuthStyle.AnthropicApiKey, "ANTHROPIC_API_KEY"),
        ["deepseek"] = new("deepseek", ApiFormat.OpenAI, new("https://api.deepseek.com/v1"), "/v1", AuthStyle.Bearer, "DEEPSEEK_API_KEY"),
        ["xai"] = new("xai", ApiFormat.OpenAI, new("https://api.x.ai/v1"), "/v1", AuthStyle.Bearer, "XAI_API_KEY"),
        ["mistral"] = new("mistral", ApiFormat.OpenAI, new("https://api.mistral.ai/v1"), "/v1", AuthStyle.Bearer, "MISTRAL_API_KEY"),
        ["groq"] = new("groq", ApiFormat.OpenAI, new("https://api.groq.com/openai/v1"), "/openai/v1", AuthStyle.Bearer, "GROQ_API_KEY"),
        ["together_ai"] = new("together_ai", ApiFormat.OpenAI, new("https://api.together.xyz/v1"), "/v1", AuthStyle.Bearer, "TOGETHER_API_KEY"),
        ["openrouter"] = new("openrouter", ApiFormat.OpenAI, new("https://openrouter.ai/api/v1"), "/api/v1", AuthStyle.Bearer, "OPENROUTER_API_KEY"),
        ["gemini"] = new("gemini", ApiFormat.OpenAI, new("https://generativelanguage.googleapis.com/v1beta/openai"), "/v1beta/openai", AuthStyle.Bearer, "GEMINI_API_KEY"),
        ["moonshotai"] = new("moonshotai", ApiFormat.OpenAI, new("https://api.moonshot.ai/v1"), "/v1", AuthStyle.Bearer, "MOONSHOT_API_KEY"),
        ["dashscope"] = new("dashscope", ApiFormat.OpenAI, new("https://dashscope-intl.aliyuncs.com/compatible-mode/v1"), "/compatible-mode/v1", AuthStyle.Bearer, "DASHSCOPE_API_KEY"),
        ["zhipu"] = new("zhipu", ApiFormat.OpenAI, new("https://open.bigmodel.cn/api/paas/v4"), "/api/paas/v4", AuthStyle.Bearer, "ZHIPU_API_KEY"),
        ["ollama"] = new("ollama", ApiFormat.OpenAI, new("http://127.0.0.1:11434/v1"), "/v1", AuthStyle.Bearer, null, KeyRequired: false),
        ["azure_openai"] = new("azure_openai", ApiFormat.OpenAI, null, "", AuthStyle.AzureApiKey, "AZURE_OPENAI_API_KEY"),
    };

    public static IEnumerable<ProviderKind> All => Known.Values;

    public static ProviderKind? Find(string provider) => Known.GetValueOrDefault(provider);

    /// <summary>
    /// How an entry of <paramref name="provider"/> speaking <paramref name="api"/> is called: the catalog's kind when the
    /// protocol matches; a known OpenAI-protocol provider asked for the Responses API keeps its endpoint, auth and key
    /// (OpenAI serves both at the same /v1); anything else is <see cref="Custom"/>.
    /// </summary>
    public static ProviderKind For(string provider, ApiFormat api) => Find(provider) switch
    {
        { } known when known.Api == api => known,
        { Api: ApiFormat.OpenAI } known when api == ApiFormat.Responses => known with { Api = api },
        _ => Custom(provider, api),
    };

    /// <summary>
    /// OpenAI models served only at /v1/responses (no Chat Completions): an <c>openai</c> entry for one of them
    /// speaks the Responses API unless provider_interface says otherwise, and so does the <c>openai/*</c> wildcard
    /// for such an id. Matched by name: the codex family, the -pro reasoning models, deep research and computer use.
    /// </summary>
    public static bool IsResponsesOnly(string modelId)
    {
        ReadOnlySpan<char> m = modelId.AsSpan(modelId.LastIndexOf('/') + 1);
        return m.Contains("-codex", StringComparison.OrdinalIgnoreCase)
            || m.StartsWith("codex-", StringComparison.OrdinalIgnoreCase)
            || m.StartsWith("o1-pro", StringComparison.OrdinalIgnoreCase)
            || m.StartsWith("o3-pro", StringComparison.OrdinalIgnoreCase)
            || (m.StartsWith("gpt-5", StringComparison.OrdinalIgnoreCase) && m.Contains("-pro", StringComparison.OrdinalIgnoreCase))
            || m.Contains("deep-research", StringComparison.OrdinalIgnoreCase)
            || m.Contains("computer-use", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// A provider Switchboard does not know, declared with provider_interface and base_url: it speaks that
    /// interface, sends a Bearer key when one is configured, and uses "/v1" when base_url has no path.
    /// </summary>
    public static ProviderKind Custom(string provider, ApiFormat api)
    {
        if (api == ApiFormat.Gemini)
        {
            // Gemini's native API (provider_interface: gemini): provider "gemini"/"google" knows Google's endpoint and key.
            bool google = provider.Equals("gemini", StringComparison.OrdinalIgnoreCase) || provider.Equals("google", StringComparison.OrdinalIgnoreCase);
            return new(provider, api, google ? GeminiNativeBaseUrl : null, "/v1beta", AuthStyle.GoogleApiKey,
                google ? "GEMINI_API_KEY" : null, KeyRequired: google);
        }
        // OpenAI-compatible servers (and OpenAI Responses ones) take a Bearer key.
        return new(provider, api, null, "/v1", api == ApiFormat.Anthropic ? AuthStyle.AnthropicApiKey : AuthStyle.Bearer, null, KeyRequired: false);
    }

    /// <summary>Where Gemini's native generateContent API lives; models are under /models/{id}.</summary>
    public static readonly Uri GeminiNativeBaseUrl = new("https://generativelanguage.googleapis.com/v1beta");

    public static bool TryParseInterface(string? value, out ApiFormat api)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "openai": api = ApiFormat.OpenAI; return true;
            case "anthropic" or "claude": api = ApiFormat.Anthropic; return true;
            case "gemini": api = ApiFormat.Gemini; return true;
            case "openai_responses" or "responses": api = ApiFormat.Responses; return true;
            default: api = ApiFormat.OpenAI; return false;
        }
    }
}
