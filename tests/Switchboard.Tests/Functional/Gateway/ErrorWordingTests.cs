using System.ClientModel;
using System.Net;
using System.Text.Json;
using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using OpenAI;
using OpenAI.Chat;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>
/// Issue #11 item 5: upstream errors in words clients can act on. A context-length error from any provider reaches each
/// client in its own protocol's wording (Claude Code compacts on Anthropic's, OpenAI clients match the code), and an
/// error from a provider speaking the client's own protocol passes through byte for byte.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class ErrorWordingTests : IAsyncLifetime
{
    private FakeUpstream _openAI = null!;
    private FakeUpstream _anthropic = null!;
    private FakeUpstream _gemini = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _openAI = await FakeUpstream.StartAsync();
        _anthropic = await FakeUpstream.StartAsync();
        _gemini = await FakeUpstream.StartAsync();
        var env = new Dictionary<string, string>(Yaml.Keys) { ["GEMINI_API_KEY"] = "AIza-test" };
        _gateway = await TestGateway.StartAsync(Yaml.TwoProviders(_openAI.BaseUrl, _anthropic.BaseUrl, $"""
              - model: gemini/gemini-2.5-pro
                provider_interface: gemini
                access_key: $GEMINI_API_KEY
                base_url: {_gemini.BaseUrl.ToString().TrimEnd('/')}
            resilience:
              max_retries: 0
            """), env);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _openAI.DisposeAsync();
        await _anthropic.DisposeAsync();
        await _gemini.DisposeAsync();
    }

    private AnthropicClient AnthropicSdk() => new() { ApiKey = "client", BaseUrl = _gateway.BaseUrl.ToString().TrimEnd('/'), MaxRetries = 0 };

    private ChatClient OpenAISdk(string model) =>
        new(model, new ApiKeyCredential("client"), new OpenAIClientOptions { Endpoint = new Uri(_gateway.BaseUrl, "/v1"), RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });

    private async Task<string> AnthropicSdkError(string model)
    {
        var ex = await Assert.ThrowsAnyAsync<AnthropicApiException>(() => AnthropicSdk().Messages.Create(new MessageCreateParams
        {
            Model = model,
            MaxTokens = 4000,
            Messages = [new UserMessageParam { Content = "a very long conversation" }],
        }));
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        return ex.Message;
    }

    private static async Task<(HttpStatusCode Status, string Body)> Send(TestGateway gateway, string path, string body)
    {
        using var response = await gateway.Http.SendAsync(JsonPost(path, body));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static JsonElement Error(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error").Clone();

    [Fact]
    public async Task An_openai_context_length_error_reaches_an_anthropic_client_as_prompt_is_too_long()
    {
        _openAI.RespondJson("""{"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""", 400);

        Assert.Contains("prompt is too long: 130512 tokens > 128000 maximum", await AnthropicSdkError("gpt-4.1"));

        var (status, body) = await Send(_gateway, "/v1/messages", """{"model":"gpt-4.1","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("error", JsonDocument.Parse(body).RootElement.GetProperty("type").GetString());
        Assert.Equal("invalid_request_error", Error(body).GetProperty("type").GetString());
        Assert.Equal("prompt is too long: 130512 tokens > 128000 maximum", Error(body).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Prompt_plus_max_tokens_over_the_context_reaches_an_anthropic_client_in_anthropics_words_for_that()
    {
        // vLLM's wording, in a 400 without OpenAI's code.
        _openAI.RespondJson("""{"error":{"message":"This model's maximum context length is 32768 tokens. However, you requested 33000 tokens (29000 in the messages, 4000 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","param":null,"code":400}}""", 400);
        Assert.Contains("input length and `max_tokens` exceed context limit: 29000 + 4000 > 32768, decrease input length or `max_tokens` and try again", await AnthropicSdkError("gpt-4.1"));
    }

    [Fact]
    public async Task A_gemini_context_length_error_reaches_each_client_in_its_own_words()
    {
        _gemini.RespondJson("""{"error":{"code":400,"message":"The input token count (1200293) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}""", 400);

        Assert.Contains("prompt is too long: 1200293 tokens > 1048576 maximum", await AnthropicSdkError("gemini/gemini-2.5-pro"));

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => OpenAISdk("gemini/gemini-2.5-pro").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(400, ex.Status);
        Assert.Contains("context_length_exceeded", ex.Message);
        var (_, body) = await Send(_gateway, "/v1/chat/completions", """{"model":"gemini/gemini-2.5-pro","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal("This model's maximum context length is 1048576 tokens. However, your messages resulted in 1200293 tokens. Please reduce the length of the messages.",
            Error(body).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Anthropics_prompt_is_too_long_reaches_an_openai_client_as_context_length_exceeded()
    {
        _anthropic.RespondJson("""{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210118 tokens > 200000 maximum"},"request_id":"req_011CSMpBih64Gz42SHKqX8mZ"}""", 400);

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => OpenAISdk("claude-sonnet-4-5").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(400, ex.Status);
        Assert.Contains("context_length_exceeded", ex.Message);

        var (status, body) = await Send(_gateway, "/v1/chat/completions", """{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = Error(body);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("messages", error.GetProperty("param").GetString());
        Assert.Equal("This model's maximum context length is 200000 tokens. However, your messages resulted in 210118 tokens. Please reduce the length of the messages.",
            error.GetProperty("message").GetString());

        _anthropic.RespondJson("""{"type":"error","error":{"type":"invalid_request_error","message":"input length and `max_tokens` exceed context limit: 197000 + 8192 > 200000, decrease input length or `max_tokens` and try again"}}""", 400);
        (_, body) = await Send(_gateway, "/v1/chat/completions", """{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal("This model's maximum context length is 200000 tokens. However, you requested 205192 tokens (197000 in the messages, 8192 in the completion). Please reduce the length of the messages or completion.",
            Error(body).GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}""", 400,
        """{"error":{"message":"Invalid 'tools[0].function.name': string does not match pattern.","type":"invalid_request_error","param":"tools[0].function.name","code":"invalid_value"}}""")]
    [InlineData("/v1/chat/completions", """{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}""", 400,
        """{"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""")]
    [InlineData("/v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""", 400,
        """{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210118 tokens > 200000 maximum"},"request_id":"req_011CSMpBih64Gz42SHKqX8mZ"}""")]
    [InlineData("/v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""", 529,
        """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_01"}""")]
    public async Task Same_protocol_errors_pass_through_byte_for_byte(string path, string request, int upstreamStatus, string upstreamBody)
    {
        (path.Contains("chat") ? _openAI : _anthropic).RespondJson(upstreamBody, upstreamStatus);
        var (status, body) = await Send(_gateway, path, request);
        Assert.Equal(upstreamStatus, (int)status);
        Assert.Equal(upstreamBody, body);
    }

    [Fact]
    public async Task Anthropics_529_reaches_an_openai_client_as_a_503_it_knows_to_retry()
    {
        _anthropic.RespondJson("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", 529);
        var (status, body) = await Send(_gateway, "/v1/chat/completions", """{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Overloaded", Error(body).GetProperty("message").GetString());
    }
}
