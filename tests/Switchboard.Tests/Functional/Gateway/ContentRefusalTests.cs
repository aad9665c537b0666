using System.Net;
using System.Text.Json;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>
/// Through the real gateway: content a target API has no equivalent for is never dropped silently. The client gets a
/// 400 in its own format naming the type (and no upstream is called), unless a fallback model can take the request.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class ContentRefusalTests : TwoUpstreamGatewayTest
{
    protected override string ExtraConfig => """
        model_aliases:
          listens-then-falls-back:
            target: anthropic/claude-sonnet-4-5
            fallbacks: [openai/gpt-4.1]
        """;

    private static JsonElement Error(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error");

    [Fact]
    public async Task An_unknown_anthropic_block_toward_an_openai_model_is_a_400_naming_it_not_a_silent_200()
    {
        OpenAIUpstream.RespondJson(Canned.OpenAIChat());
        using var response = await Gateway.Http.SendAsync(JsonPost("/v1/messages",
            """{"model":"openai/gpt-4.1","max_tokens":16,"messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"bogus_block"}]}]}"""));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("error", JsonDocument.Parse(body).RootElement.GetProperty("type").GetString());
        Assert.Equal("invalid_request_error", Error(body).GetProperty("type").GetString());
        Assert.Contains("'bogus_block'", Error(body).GetProperty("message").GetString());
        Assert.Empty(OpenAIUpstream.Requests);
    }

    [Fact]
    public async Task Openai_audio_toward_an_anthropic_model_is_a_400_in_the_openai_format()
    {
        using var response = await Gateway.Http.SendAsync(JsonPost("/v1/chat/completions",
            """{"model":"anthropic/claude-sonnet-4-5","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"UklGRiQ=","format":"wav"}}]}]}"""));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", Error(body).GetProperty("type").GetString());
        Assert.Contains("'input_audio'", Error(body).GetProperty("message").GetString());
        Assert.Empty(AnthropicUpstream.Requests);
    }

    [Fact]
    public async Task A_fallback_that_takes_the_content_answers_instead()
    {
        OpenAIUpstream.RespondJson(Canned.OpenAIChat("heard it"));
        using var response = await Gateway.Http.SendAsync(JsonPost("/v1/chat/completions",
            """{"model":"listens-then-falls-back","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"UklGRiQ=","format":"wav"}}]}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("heard it", await response.Content.ReadAsStringAsync());
        Assert.Empty(AnthropicUpstream.Requests);
        Assert.Contains("input_audio", OpenAIUpstream.LastRequest.Body); // passthrough: the audio reached a model that takes it
        var skipped = await Gateway.Logs.WaitForLineAsync("fallback: anthropic/claude-sonnet-4-5 skipped");
        Assert.Contains("'input_audio'", skipped);
    }

    [Fact]
    public async Task A_pdf_document_reaches_an_openai_model_as_a_file_part()
    {
        OpenAIUpstream.RespondJson(Canned.OpenAIChat("read it"));
        using var response = await Gateway.Http.SendAsync(JsonPost("/v1/messages",
            """{"model":"openai/gpt-4.1","max_tokens":16,"messages":[{"role":"user","content":[{"type":"document","title":"spec.pdf","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="}},{"type":"text","text":"Summarize."}]}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var sent = OpenAIUpstream.LastRequest.Json;
        var file = sent.RootElement.GetProperty("messages")[0].GetProperty("content")[0];
        Assert.Equal("file", file.GetProperty("type").GetString());
        Assert.Equal("spec.pdf", file.GetProperty("file").GetProperty("filename").GetString());
        Assert.Equal("data:application/pdf;base64,JVBERi0=", file.GetProperty("file").GetProperty("file_data").GetString());
    }
}
