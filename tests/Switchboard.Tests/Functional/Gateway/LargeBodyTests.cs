using System.Net;
using System.Text;
using System.Text.Json;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>
/// Bodies the size of a long Claude Code conversation (over the 128 KiB above which a request moves off the socket
/// thread before DOM work), full of escapes: passthrough sends the client's bytes on unchanged (the peek's fast scan
/// and the splice, on the socket thread), translation and a model the config does not name move to the thread pool
/// and still answer, and broken JSON is the client's 400 before anything is sent upstream.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class LargeBodyTests : TwoUpstreamGatewayTest
{
    /// <summary>~220 KB: 120 turns whose text has newlines, quotes, tabs, backslashes and \u escapes.</summary>
    private static string Conversation(bool anthropic, string model, string lastText = "the last question")
    {
        var s = new StringBuilder();
        s.Append("{\"model\":\"").Append(model).Append("\",\"max_tokens\":1024,");
        if (anthropic) s.Append("\"system\":\"You are terse.\\nAnswer in one line.\",");
        s.Append("\"messages\":[");
        for (var i = 0; i < 120; i++)
        {
            var role = i % 2 == 0 ? "user" : "assistant";
            var text = string.Concat(Enumerable.Repeat($"line {i}: \\\"quoted\\\"\\tand a path C:\\\\src\\\\app.cs \\u00e9\\n", 30));
            s.Append("{\"role\":\"").Append(role).Append("\",\"content\":\"").Append(text).Append("\"},");
        }
        s.Append("{\"role\":\"user\",\"content\":\"").Append(lastText).Append("\"}]}");
        return s.ToString();
    }

    [Fact]
    public async Task A_large_passthrough_reaches_the_provider_byte_for_byte()
    {
        OpenAIUpstream.RespondJson(Canned.OpenAIChat());
        var body = Conversation(anthropic: false, "gpt-4.1");
        Assert.True(Encoding.UTF8.GetByteCount(body) > 200_000);
        using var response = await Gateway.Http.SendAsync(JsonPost("/v1/chat/completions", body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, OpenAIUpstream.LastRequest.Body);
    }

    [Fact]
    public async Task A_large_anthropic_request_is_translated_for_an_openai_model()
    {
        OpenAIUpstream.RespondJson(Canned.OpenAIChat(text: "translated fine"));
        using var response = await Gateway.Http.SendAsync(JsonPost("/v1/messages", Conversation(anthropic: true, "gpt-4.1", "question at the end")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("translated fine", await response.Content.ReadAsStringAsync());
        using var sent = OpenAIUpstream.LastRequest.Json;
        var messages = sent.RootElement.GetProperty("messages");
        Assert.Equal(122, messages.GetArrayLength()); // the system prompt, 120 turns, the last question
        Assert.Equal("question at the end", messages[121].GetProperty("content").ToString());
        Assert.Contains("C:\\src\\app.cs é\n", messages[1].GetProperty("content").ToString());
    }

    [Fact]
    public async Task A_large_request_for_an_unnamed_model_goes_to_the_default()
    {
        OpenAIUpstream.RespondJson(Canned.OpenAIChat());
        using var response = await Gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Conversation(anthropic: false, "some-model-nobody-configured")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var sent = OpenAIUpstream.LastRequest.Json;
        Assert.Equal("gpt-4.1", sent.RootElement.GetProperty("model").GetString());
    }

    [Theory]
    [InlineData("a bad escape \\x at the end")]
    [InlineData("a raw\ttab")]
    public async Task Broken_json_deep_in_a_large_body_is_a_400_and_nothing_goes_upstream(string lastText)
    {
        OpenAIUpstream.RespondJson(Canned.OpenAIChat());
        AnthropicUpstream.RespondJson(Canned.AnthropicMessage());
        using var response = await Gateway.Http.SendAsync(JsonPost("/v1/messages", Conversation(anthropic: true, "claude-sonnet-4-5", lastText)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_request_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("not valid JSON", error.RootElement.GetProperty("error").GetProperty("message").GetString());
        Assert.Empty(AnthropicUpstream.Requests);
        Assert.Empty(OpenAIUpstream.Requests);
    }
}
