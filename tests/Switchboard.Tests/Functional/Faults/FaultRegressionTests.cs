using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Tests.Functional.Faults;

/// <summary>One focused test per bug the fault, hostile-input and fuzz suites found (each failed before its fix).</summary>
[Trait("Kind", "Functional")]
public sealed class FaultRegressionTests : IAsyncLifetime
{
    private FakeUpstream _openAI = null!;
    private FakeUpstream _anthropic = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _openAI = await FakeUpstream.StartAsync();
        _anthropic = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync(Yaml.TwoProviders(_openAI.BaseUrl, _anthropic.BaseUrl, """
            resilience:
              max_retries: 0
              first_byte_timeout_ms: 2000
              stream_idle_timeout_ms: 1500
            """), Yaml.Keys); // idle 1.5 s, not 0.3 s: a loaded machine's 50 ms pause between an upstream's writes (below) can outlast 0.3 s
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _openAI.DisposeAsync();
        await _anthropic.DisposeAsync();
    }

    private const string Chat = """{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}""";
    private const string AnthropicToOpenAI = """{"model":"gpt-4.1","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""";

    private void AssertNoInternalErrors() =>
        Assert.DoesNotContain(_gateway.Logs.Lines, l => l.Contains("failed inside the gateway", StringComparison.Ordinal));

    [Theory]
    [InlineData("/v1/chat/completions", Chat)]               // passthrough
    [InlineData("/v1/messages", AnthropicToOpenAI)]          // translated
    public async Task A_json_body_that_stalls_after_the_headers_is_a_504_not_a_hang(string path, string body)
    {
        _openAI.Handler = async (c, _) =>
        {
            c.Response.ContentType = "application/json";
            c.Response.ContentLength = 1000;
            await c.Response.WriteAsync("{\"id\":\"chatcmpl-1\",\"choices\":[");
            await c.Response.Body.FlushAsync();
            await Task.Delay(Timeout.Infinite, c.RequestAborted); // never finishes on its own
        };
        var watch = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await _gateway.Http.SendAsync(JsonPost(path, body), cts.Token);
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode); // the gateway's idle timeout cut it, not the client
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        Assert.Contains("stopped in the middle of its response", await response.Content.ReadAsStringAsync());
        AssertNoInternalErrors();
    }

    [Theory]
    [InlineData("/v1/chat/completions", Chat)]
    [InlineData("/v1/messages", AnthropicToOpenAI)]
    public async Task A_json_body_cut_off_by_a_reset_is_a_502_not_a_gateway_500(string path, string body)
    {
        _openAI.Handler = async (c, _) =>
        {
            c.Response.ContentType = "application/json";
            c.Response.ContentLength = 1000;
            await c.Response.WriteAsync("{\"id\":\"chatcmpl-1\",\"choices\":[");
            await c.Response.Body.FlushAsync();
            await Task.Delay(50);
            c.Abort();
        };
        using var response = await _gateway.Http.SendAsync(JsonPost(path, body));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("broke off its response", await response.Content.ReadAsStringAsync());
        AssertNoInternalErrors();
    }

    [Fact]
    public async Task A_passthrough_200_that_is_not_json_is_a_502_in_the_clients_format()
    {
        _anthropic.RespondJson("<html>upstream proxy error</html>");
        using var response = await _gateway.Http.SendAsync(JsonPost("/v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Null(ResponseJudge.JudgeJsonError(WireApi.Anthropic, await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task A_passthrough_stream_event_that_is_not_json_ends_the_stream_with_an_error_event()
    {
        var chunks = Canned.OpenAIStream().ToList();
        _openAI.RespondSse([chunks[0], chunks[1], "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}\n\n", .. chunks.Skip(2)]);
        using var response = await _gateway.Http.SendAsync(JsonPost("/v1/chat/completions", """{"model":"gpt-4.1","stream":true,"messages":[{"role":"user","content":"hi"}]}"""));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(ResponseJudge.StreamVerdict.EndedWithError, ResponseJudge.JudgeStream(WireApi.OpenAI, text));
        Assert.Contains("\"Hel\"", text); // the whole events before the broken one still arrive
        Assert.DoesNotContain("\"content\":\"x\"", text);
    }

    [Fact]
    public async Task Odd_block_shapes_in_a_streamed_anthropic_request_to_an_openai_model_are_not_a_500()
    {
        // The input-token estimate for message_start read block types with GetString (a 500 for {"type":{}}).
        _openAI.RespondSse(Canned.OpenAIStream());
        using var response = await _gateway.Http.SendAsync(JsonPost("/v1/messages",
            """{"model":"gpt-4.1","max_tokens":16,"stream":true,"messages":[42,{"role":"user","content":[{"type":{"a":1}},{"type":"text","text":"hi"}]}],"tools":[7]}"""));
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        AssertNoInternalErrors();
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"claude-sonnet-4-5","messages":[42]}""")]
    [InlineData("/v1/messages", """{"model":"gpt-4.1","max_tokens":16,"messages":[42]}""")]
    public async Task A_request_of_the_wrong_shape_for_translation_is_a_400_naming_the_problem(string path, string body)
    {
        using var response = await _gateway.Http.SendAsync(JsonPost(path, body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        Assert.Contains("cannot be translated", doc.RootElement.GetProperty("error").GetProperty("message").GetString());
        Assert.Empty(_anthropic.Requests);
        Assert.Empty(_openAI.Requests);
        AssertNoInternalErrors();
    }

    [Fact]
    public async Task Request_nesting_between_65_and_128_levels_is_translated_not_a_500()
    {
        _openAI.RespondJson(Canned.OpenAIChat());
        var deep = new string('[', 100) + new string(']', 100);
        using var response = await _gateway.Http.SendAsync(JsonPost("/v1/messages", $$"""{"model":"gpt-4.1","max_tokens":16,"x":{{deep}},"messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
