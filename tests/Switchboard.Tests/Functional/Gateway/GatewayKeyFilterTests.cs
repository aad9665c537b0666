using System.Net;
using System.Text.Json;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>One gateway-key check stands in front of every API endpoint, and of nothing else.</summary>
[Trait("Kind", "Functional")]
public sealed class GatewayKeyFilterTests
{
    private const string Config = """
        model_providers:
          - model: openai/gpt-4.1
            access_key: $OPENAI_API_KEY
            base_url: http://127.0.0.1:9/v1
            default: true
        gateway_keys:
          - sb-the-key
        """;

    public static TheoryData<string, string, string?, bool> ApiEndpoints => new()
    {
        // method, path, anthropic-version header, whether the answer is in Anthropic's format
        { "POST", "/v1/messages", null, true },
        { "POST", "/v1/messages?beta=true", null, true },
        { "POST", "/v1/messages/count_tokens", null, true },
        { "POST", "/v1/chat/completions", null, false },
        { "POST", "/chat/completions", null, false },
        { "GET", "/v1/models", null, false },
        { "GET", "/v1/models", "2023-06-01", true },
        { "POST", "/v1/route", null, false },
        { "POST", "/v1/route?api=anthropic", null, true },
    };

    [Theory]
    [MemberData(nameof(ApiEndpoints))]
    public async Task Every_api_endpoint_refuses_a_request_without_a_key_in_its_clients_format(string method, string path, string? anthropicVersion, bool anthropicFormat)
    {
        await using var gateway = await TestGateway.StartAsync(Config, Yaml.Keys);
        using var request = method == "GET" ? new HttpRequestMessage(HttpMethod.Get, path) : JsonPost(path, """{"model":"gpt-4.1","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""");
        if (anthropicVersion is not null) request.Headers.Add("anthropic-version", anthropicVersion);
        request.Headers.Add("x-api-key", "sb-not-the-key");

        using var response = await gateway.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = body.RootElement.GetProperty("error");
        Assert.Equal("authentication_error", error.GetProperty("type").GetString());
        Assert.Equal(anthropicFormat, body.RootElement.TryGetProperty("type", out _)); // Anthropic's {"type":"error","error":…}; OpenAI's has no top-level type
        Assert.Contains("a gateway key is required", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/")]
    [InlineData("/api/hello")]
    public async Task Health_probes_need_no_key(string path)
    {
        await using var gateway = await TestGateway.StartAsync(Config, Yaml.Keys);
        using var response = await gateway.Http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode}");
    }

    [Fact]
    public async Task The_key_opens_the_api_endpoints_that_do_not_call_a_provider()
    {
        await using var gateway = await TestGateway.StartAsync(Config, Yaml.Keys);
        using var models = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        models.Headers.Authorization = new("Bearer", "sb-the-key");
        using (var response = await gateway.Http.SendAsync(models)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var route = JsonPost("/v1/route", """{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}""");
        route.Headers.Add("x-api-key", "sb-the-key");
        using (var response = await gateway.Http.SendAsync(route)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
