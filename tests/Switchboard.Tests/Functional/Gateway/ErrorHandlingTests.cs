using System.Net;
using System.Text;
using System.Text.Json;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>Bad input and failing upstreams: each a clear error in the client's own format with the right status.</summary>
[Trait("Kind", "Functional")]
public sealed class ErrorHandlingTests : TwoUpstreamGatewayTest
{
    protected override string ExtraConfig => """
              - model: deepseek/deepseek-chat
                access_key: $DEEPSEEK_API_KEY
              - model: mistral/mistral-large
                access_key: literal-mistral-key
                base_url: http://127.0.0.1:1/v1
            limits:
              max_request_body_bytes: 4096
            resilience:
              max_retries: 0   # these tests are about error formats; retries have their own tests
              circuit_breaker:
                minimum_throughput: 1000
            """;

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Send(HttpClient http, HttpRequestMessage request)
    {
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return (response.StatusCode, doc.RootElement.Clone());
    }

    private static void AssertAnthropicError(JsonElement body, string type, string messagePart)
    {
        Assert.Equal("error", body.GetProperty("type").GetString());
        Assert.Equal(type, body.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains(messagePart, body.GetProperty("error").GetProperty("message").GetString());
    }

    private static void AssertOpenAIError(JsonElement body, string messagePart)
    {
        Assert.False(body.TryGetProperty("type", out _));
        Assert.Contains(messagePart, body.GetProperty("error").GetProperty("message").GetString());
        Assert.True(body.GetProperty("error").TryGetProperty("type", out _));
    }

    [Fact]
    public async Task Malformed_json_is_a_400_in_each_clients_format()
    {
        var (status, body) = await Send(Gateway.Http, JsonPost("/v1/messages", """{"model": "claude-sonnet-4-5", "messages": [ """));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertAnthropicError(body, "invalid_request_error", "not valid JSON");

        (status, body) = await Send(Gateway.Http, JsonPost("/v1/chat/completions", "{\"model\": \"gpt-4.1\",, }"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertOpenAIError(body, "not valid JSON");
    }

    [Theory]
    [InlineData("/v1/messages", """{"messages":[{"role":"user","content":"hi"}],"max_tokens":5}""", "'model' is required")]
    [InlineData("/v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":5}""", "'messages' is required")]
    [InlineData("/v1/messages", """{"model":"claude-sonnet-4-5","messages":[],"max_tokens":5}""", "at least one message")]
    [InlineData("/v1/messages", """{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}],"max_tokens":0}""", "max_tokens must be at least 1")]
    [InlineData("/v1/chat/completions", """{"model":42,"messages":[{"role":"user","content":"hi"}]}""", "'model' must be a string")]
    [InlineData("/v1/chat/completions", """[1,2,3]""", "must be a JSON object")]
    public async Task Missing_or_invalid_fields_are_a_400(string path, string json, string message)
    {
        var (status, body) = await Send(Gateway.Http, JsonPost(path, json));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, body.GetProperty("error").GetProperty("message").GetString());
        Assert.Empty(OpenAIUpstream.Requests);
        Assert.Empty(AnthropicUpstream.Requests);
    }

    [Theory]
    [InlineData("""{"model":"gpt-4.1","max_tokens":5,"messages":[{"role":"user","content":42}]}""")]
    [InlineData("""{"model":"gpt-4.1","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":7}]}]}""")]
    [InlineData("""{"model":"gpt-4.1","max_tokens":5,"messages":[{"role":"wizard","content":"hi"}],"tools":"none"}""")]
    [InlineData("""{"model":"gpt-4.1","max_tokens":5,"messages":["just a string"],"system":{"odd":true}}""")]
    [InlineData("""{"model":"not-configured","max_tokens":5,"messages":[{"role":"user","content":{"nested":[1,2]}}]}""")]
    public async Task Oddly_shaped_requests_are_never_a_500(string json)
    {
        OpenAIUpstream.RespondJson(Canned.OpenAIChat());
        using var response = await Gateway.Http.SendAsync(JsonPost("/v1/messages", json));
        Assert.True((int)response.StatusCode is 200 or 400, $"status {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        if (response.StatusCode == HttpStatusCode.BadRequest) AssertAnthropicError(body.RootElement, "invalid_request_error", "");
    }

    [Fact]
    public async Task Wrong_content_type_is_a_400()
    {
        var (status, body) = await Send(Gateway.Http, JsonPost("/v1/messages", """{"model":"x","messages":[]}""", "text/plain"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertAnthropicError(body, "invalid_request_error", "Content-Type must be application/json");
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_with_or_without_content_length()
    {
        var big = "{\"model\":\"gpt-4.1\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('x', 10_000) + "\"}]}";
        var (status, body) = await Send(Gateway.Http, JsonPost("/v1/chat/completions", big));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        AssertOpenAIError(body, "larger than the gateway's limit of 4096 bytes");

        var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big))) };
        chunked.Content.Headers.ContentType = new("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        (status, body) = await Send(Gateway.Http, chunked);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        AssertAnthropicError(body, "request_too_large", "limit");
    }

    [Fact]
    public async Task Upstream_errors_keep_their_status_and_message_in_the_clients_format()
    {
        AnthropicUpstream.RespondJson("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded right now"}}""", 529);
        var (status, body) = await Send(Gateway.Http, JsonPost("/v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(529, (int)status);
        AssertAnthropicError(body, "overloaded_error", "Overloaded right now");

        OpenAIUpstream.RespondJson("<html>Bad Gateway</html>", 502);
        (status, body) = await Send(Gateway.Http, JsonPost("/v1/chat/completions", """{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(HttpStatusCode.BadGateway, status);
        AssertOpenAIError(body, "<html>Bad Gateway</html>");

        // Last: its retry-after cools gpt-4.1 down for 7 s.
        OpenAIUpstream.RespondJson("""{"error":{"message":"Rate limit reached for gpt-4.1","type":"requests","code":"rate_limit_exceeded"}}""", 429, new Dictionary<string, string> { ["retry-after"] = "7", ["x-ratelimit-reset-requests"] = "6m0s", ["x-request-id"] = "req_abc" });
        using var response = await Gateway.Http.SendAsync(JsonPost("/v1/chat/completions", """{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("7", response.Headers.GetValues("retry-after").Single());
        Assert.Equal("6m0s", response.Headers.GetValues("x-ratelimit-reset-requests").Single());
        Assert.Equal("req_abc", response.Headers.GetValues("x-request-id").Single());
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        AssertOpenAIError(doc.RootElement, "Rate limit reached for gpt-4.1");
    }

    [Fact]
    public async Task A_provider_whose_key_is_unset_says_which_variable_to_set()
    {
        var (status, body) = await Send(Gateway.Http, JsonPost("/v1/chat/completions", """{"model":"deepseek/deepseek-chat","messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertOpenAIError(body, "set the environment variable DEEPSEEK_API_KEY");
    }

    [Fact]
    public async Task An_unreachable_provider_is_a_502_naming_it()
    {
        var (status, body) = await Send(Gateway.Http, JsonPost("/v1/chat/completions", """{"model":"mistral/mistral-large","messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(HttpStatusCode.BadGateway, status);
        AssertOpenAIError(body, "provider 'mistral' is unreachable at http://127.0.0.1:1");
        await Gateway.Logs.WaitForLineAsync("upstream mistral failed");
    }

    [Fact]
    public async Task An_unknown_model_without_default_lists_the_available_models()
    {
        await using var gateway = await TestGateway.StartAsync($"model_providers:\n  - model: openai/gpt-4.1\n    base_url: {OpenAIUpstream.BaseUrl}v1\n    access_key: k\nmodel_aliases:\n  fast:\n    target: openai/gpt-4.1\n");
        var (status, body) = await Send(gateway.Http, JsonPost("/v1/messages", """{"model":"claude-opus-4-1","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertAnthropicError(body, "not_found_error", "Available models: openai/gpt-4.1, fast");
    }

    [Fact]
    public async Task Unknown_paths_and_methods_get_errors_not_empty_responses()
    {
        var (status, body) = await Send(Gateway.Http, new HttpRequestMessage(HttpMethod.Get, "/v1/messages"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, status);
        AssertAnthropicError(body, "invalid_request_error", "not allowed");
        (status, body) = await Send(Gateway.Http, new HttpRequestMessage(HttpMethod.Post, "/v1/embeddings"));
        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertOpenAIError(body, "no endpoint");
    }
}
