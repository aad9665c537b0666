using Switchboard.Config;
using Switchboard.Providers;

namespace Switchboard.Tests.Unit.Providers;

[Trait("Kind", "Unit")]
public sealed class ProviderEndpointTests
{
    private static ProviderEndpoint Endpoint(string yamlProvider, Dictionary<string, string>? env = null)
    {
        var load = ConfigLoader.LoadText("model_providers:\n" + yamlProvider, env: new EnvironmentSource(n => env?.GetValueOrDefault(n)));
        Assert.True(load.Succeeded, string.Join("\n", load.Diagnostics));
        return new ProviderRegistry(load.Config!).All.Single();
    }

    [Theory]
    [InlineData("  - model: openai/gpt-4.1", "https://api.openai.com/v1/chat/completions")]
    [InlineData("  - model: anthropic/claude-sonnet-4-5", "https://api.anthropic.com/v1/messages")]
    [InlineData("  - model: groq/llama", "https://api.groq.com/openai/v1/chat/completions")]
    [InlineData("  - model: gemini/gemini-2.5-flash", "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions")]
    [InlineData("  - model: ollama/qwen2.5-coder:7b\n    base_url: http://127.0.0.1:11434", "http://127.0.0.1:11434/v1/chat/completions")]
    [InlineData("  - model: ollama/qwen2.5-coder:7b\n    base_url: http://127.0.0.1:11434/v1", "http://127.0.0.1:11434/v1/chat/completions")]
    [InlineData("  - model: groq/llama\n    base_url: https://api.groq.com/openai/v1/", "https://api.groq.com/openai/v1/chat/completions")]
    [InlineData("  - model: vllm/qwen\n    provider_interface: openai\n    base_url: http://127.0.0.1:8000", "http://127.0.0.1:8000/v1/chat/completions")]
    [InlineData("  - model: anthropic/claude-sonnet-4-5\n    base_url: http://127.0.0.1:9000", "http://127.0.0.1:9000/v1/messages")]
    [InlineData("  - model: azure_openai/my-deploy\n    base_url: https://res.openai.azure.com\n    api_version: 2024-06-01", "https://res.openai.azure.com/openai/deployments/my-deploy/chat/completions?api-version=2024-06-01")]
    public void Builds_the_endpoint_url_by_the_base_url_convention(string provider, string expected)
    {
        var endpoint = Endpoint(provider);
        Assert.Equal(expected, endpoint.GetCompletionUri(endpoint.Config.ModelId).ToString());
    }

    [Fact]
    public void Applies_each_providers_auth_style_with_the_configured_key()
    {
        var env = new Dictionary<string, string> { ["K"] = "secret-k" };
        var cases = new (string Yaml, string Header, string Value)[]
        {
            ("  - model: openai/gpt-4.1\n    access_key: $K", "Authorization", "Bearer secret-k"),
            ("  - model: anthropic/claude\n    access_key: $K", "x-api-key", "secret-k"),
            ("  - model: azure_openai/d\n    base_url: https://r.openai.azure.com\n    access_key: $K", "api-key", "secret-k"),
        };
        foreach (var (yaml, header, value) in cases)
        {
            using var request = new HttpRequestMessage();
            Endpoint(yaml, env).ApplyAuth(request.Headers);
            Assert.Equal(value, request.Headers.GetValues(header).Single());
        }
    }

    [Fact]
    public void A_missing_key_names_the_variable_to_set()
    {
        Assert.Equal("OPENAI_API_KEY", Endpoint("  - model: openai/gpt-4.1\n    access_key: $OPENAI_API_KEY").MissingKeyVariable);
        Assert.Equal("DEEPSEEK_API_KEY", Endpoint("  - model: deepseek/deepseek-chat").MissingKeyVariable);
        Assert.Null(Endpoint("  - model: ollama/llama3").MissingKeyVariable);
    }
}
