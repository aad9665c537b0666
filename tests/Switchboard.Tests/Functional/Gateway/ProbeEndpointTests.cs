using System.Net;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>
/// Claude Code checks that its base URL answers with HEAD / and HEAD /api/hello before it starts, and reads
/// anything but a 2xx as "cannot connect". Both answer 200, with gateway keys on too, and reveal nothing of the config.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class ProbeEndpointTests
{
    private const string Config = """
        model_providers:
          - model: openai/gpt-4.1
            access_key: sk-upstream-SECRET
            base_url: http://127.0.0.1:9/v1
            default: true
        gateway_keys:
          - gw-key-SECRET
        """;

    [Theory]
    [InlineData("/")]
    [InlineData("/api/hello")]
    public async Task Head_probes_answer_200_without_a_body(string path)
    {
        await using var gateway = await TestGateway.StartAsync(Config);

        using var head = await gateway.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        using var get = await gateway.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal((await get.Content.ReadAsByteArrayAsync()).Length, head.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Get_root_says_where_clients_should_point_and_nothing_of_the_config()
    {
        await using var gateway = await TestGateway.StartAsync(Config);
        var baseUrl = gateway.BaseUrl.ToString().TrimEnd('/');

        using var response = await gateway.Http.GetAsync("/");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains($"ANTHROPIC_BASE_URL={baseUrl}", text);
        Assert.Contains($"OPENAI_BASE_URL={baseUrl}/v1", text);
        Assert.Contains("POST /v1/messages", text);
        Assert.DoesNotContain("SECRET", text);
        Assert.DoesNotContain("gpt-4.1", text);
    }

    [Fact]
    public async Task Get_api_hello_is_json_ok_and_other_methods_are_405()
    {
        await using var gateway = await TestGateway.StartAsync(Config);

        using var hello = await gateway.Http.GetAsync("/api/hello");
        using var post = await gateway.Http.PostAsync("/", new StringContent("{}"));

        Assert.Equal("""{"status":"ok"}""", await hello.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }
}
