using System.ClientModel;
using System.Net;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using Switchboard.Config;
using Switchboard.Routing;

namespace Switchboard.Tests.Functional.Config;

/// <summary>The config `up` uses with no file: every known provider owns its literals, keyed or not.</summary>
[Trait("Kind", "Functional")]
public sealed class BuiltInConfigTests
{
    private static GatewayConfig BuiltIn(params (string Variable, string Value)[] keys) =>
        BuiltInConfig.FromEnvironment(name => keys.FirstOrDefault(k => k.Variable == name).Value).Config;

    [Fact]
    public async Task With_no_keys_a_provider_literal_names_that_providers_key()
    {
        await using var gateway = await TestGateway.StartAsync(BuiltIn());
        var chat = new ChatClient("openai/gpt-4.1", new ApiKeyCredential("client"), new OpenAIClientOptions { Endpoint = new Uri(gateway.BaseUrl, "/v1") });

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(400, error.Status);
        Assert.Contains("OPENAI_API_KEY", error.Message);
        Assert.DoesNotContain("ANTHROPIC_API_KEY", error.Message);
        Assert.DoesNotContain("anthropic/openai", error.Message);
    }

    [Theory]
    [InlineData("/v1/messages", "gemini/gemini-2.5-pro", "gemini/gemini-2.5-pro", "GEMINI_API_KEY")]
    [InlineData("/v1/messages", "deepseek/deepseek-reasoner", "deepseek/deepseek-reasoner", "DEEPSEEK_API_KEY")]
    [InlineData("/v1/chat/completions", "groq/llama-3.1-8b-instant", "groq/llama-3.1-8b-instant", "GROQ_API_KEY")]
    // Claude Code's own names belong to no provider literal: the default (Anthropic) answers and says its key.
    [InlineData("/v1/messages", "claude-sonnet-4-5", "anthropic/claude-sonnet-4-5", "ANTHROPIC_API_KEY")]
    public async Task Each_known_provider_answers_for_its_own_literals(string path, string model, string answering, string variable)
    {
        await using var gateway = await TestGateway.StartAsync(BuiltIn());

        using var response = await gateway.Http.SendAsync(JsonPost(path, $$"""{"model":"{{model}}","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}"""));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(answering, response.Headers.GetValues("x-switchboard-model").Single());
        var message = body.RootElement.GetProperty("error").GetProperty("message").GetString();
        Assert.Contains(variable, message);
    }

    [Fact]
    public void A_key_for_one_provider_does_not_capture_the_others_literals()
    {
        var selector = new ModelSelector(BuiltIn(("OPENAI_API_KEY", "sk-test")));

        Assert.Equal("anthropic", selector.SelectExplicit("anthropic/claude-sonnet-4-5")!.Entry.Provider);
        Assert.Equal("ANTHROPIC_API_KEY", selector.SelectExplicit("anthropic/claude-sonnet-4-5")!.Entry.AccessKey!.VariableName);
        Assert.False(selector.SelectExplicit("anthropic/claude-sonnet-4-5")!.Entry.AccessKey!.IsResolved);
        Assert.Equal("openai/gpt-4.1-mini", selector.SelectExplicit("openai/gpt-4.1-mini")!.Model);
        Assert.Equal("gpt-4.1", selector.SelectExplicit("gpt-4.1")!.ModelId);
    }

    [Theory]
    [InlineData(null, null, "anthropic/*")]                       // nothing set: Anthropic, which names its key
    [InlineData("OPENAI_API_KEY", null, "openai/gpt-4.1")]         // only OpenAI: its default model, not an unkeyed Anthropic
    [InlineData("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "anthropic/*")]
    [InlineData("GEMINI_API_KEY", null, "gemini/gemini-2.5-flash")]
    public void The_default_is_a_keyed_provider_when_there_is_one(string? first, string? second, string expected)
    {
        var keys = new[] { first, second }.OfType<string>().Select(v => (v, "k")).ToArray();

        var config = BuiltIn(keys);

        Assert.Equal(expected, Assert.Single(config.Providers, p => p.IsDefault).Model);
    }
}
