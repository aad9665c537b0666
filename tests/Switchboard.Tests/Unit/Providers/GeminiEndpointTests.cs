using Switchboard.Config;
using Switchboard.Providers;

namespace Switchboard.Tests.Unit.Providers;

/// <summary>provider_interface: gemini — native generateContent URLs and the x-goog-api-key header.</summary>
[Trait("Kind", "Unit")]
public sealed class GeminiEndpointTests
{
    private static ProviderEndpoint Endpoint(string yamlProvider, Dictionary<string, string>? env = null)
    {
        var load = ConfigLoader.LoadText("model_providers:\n" + yamlProvider, env: new EnvironmentSource(n => env?.GetValueOrDefault(n)));
        Assert.True(load.Succeeded, string.Join("\n", load.Diagnostics));
        return new ProviderRegistry(load.Config!).All.Single();
    }

    [Theory]
    [InlineData("", false, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent")]
    [InlineData("", true, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse")]
    [InlineData("\n    base_url: http://127.0.0.1:9000", false, "http://127.0.0.1:9000/v1beta/models/gemini-2.5-pro:generateContent")]
    [InlineData("\n    base_url: https://proxy.example.com/google/v1beta/", true, "https://proxy.example.com/google/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse")]
    public void Builds_native_gemini_urls_by_the_base_url_convention(string extra, bool stream, string expected)
    {
        var endpoint = Endpoint("  - model: gemini/gemini-2.5-pro\n    provider_interface: gemini" + extra);
        Assert.Equal(ApiFormat.Gemini, endpoint.Api);
        Assert.Equal(expected, endpoint.GetCompletionUri(endpoint.Config.ModelId, stream: stream).ToString());
    }

    [Fact]
    public void Without_provider_interface_gemini_stays_on_the_openai_compatible_endpoint()
    {
        var endpoint = Endpoint("  - model: gemini/gemini-2.5-flash");
        Assert.Equal(ApiFormat.OpenAI, endpoint.Api);
        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/openai/chat/completions", endpoint.GetCompletionUri("gemini-2.5-flash", stream: true).ToString());
    }

    [Fact]
    public void Sends_the_key_as_x_goog_api_key_and_names_the_variable_when_missing()
    {
        using var request = new HttpRequestMessage();
        Endpoint("  - model: gemini/gemini-2.5-pro\n    provider_interface: gemini\n    access_key: $K", new() { ["K"] = "AIza-k" }).ApplyAuth(request.Headers);
        Assert.Equal("AIza-k", request.Headers.GetValues("x-goog-api-key").Single());
        Assert.Null(request.Headers.Authorization);
        Assert.Equal("GEMINI_API_KEY", Endpoint("  - model: gemini/gemini-2.5-pro\n    provider_interface: gemini").MissingKeyVariable);
    }
}
