using System.Text.Json;
using Switchboard.Pipeline;
using Switchboard.Pipeline.Steps;
using Switchboard.Protocols;

namespace Switchboard.Tests.Unit.Pipeline;

[Trait("Kind", "Unit")]
public sealed class AdmitStepTests
{
    private const string Config = """
        model_providers:
          - model: openai/gpt-4.1
            access_key: $OPENAI_API_KEY
            default: true
        limits:
          max_request_body_bytes: 2000
        """;

    private const string Body = """{"model":"gpt-4.1","max_tokens":5,"stream":true,"metadata":{"user_id":"user_x_account__session_abc"},"messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task A_request_it_admits_carries_what_the_peek_found()
    {
        using var request = StepHarness.Request(StepHarness.Snapshot(Config), Body);

        Assert.Equal(StepResult.Continue, await AdmitStep.Instance.RunAsync(request));
        Assert.Equal("gpt-4.1", request.RequestedModel);
        Assert.True(request.Stream);
        Assert.Equal("abc", request.SessionId);
        Assert.Equal(5, request.Peek.MaxTokens);
        Assert.Null(request.Document); // nothing needed the DOM yet
        Assert.Equal(0, request.Status);
    }

    [Fact]
    public async Task Count_tokens_is_never_a_stream()
    {
        using var request = StepHarness.Request(StepHarness.Snapshot(Config), Body, operation: Operation.CountTokens);
        Assert.Equal(StepResult.Continue, await AdmitStep.Instance.RunAsync(request));
        Assert.False(request.Stream);
    }

    [Theory]
    [InlineData("text/plain", Body, 400, "Content-Type must be application/json (got 'text/plain').", ErrorKind.InvalidRequest)]
    [InlineData("application/json", "{\"model\":", 400, "request body is not valid JSON", ErrorKind.InvalidRequest)]
    [InlineData("application/json", """{"max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""", 400, "'model' is required.", ErrorKind.InvalidRequest)]
    [InlineData("application/json", """{"model":7,"messages":[{"role":"user","content":"hi"}]}""", 400, "'model' must be a string.", ErrorKind.InvalidRequest)]
    [InlineData("application/json", """{"model":"gpt-4.1"}""", 400, "'messages' is required and must be an array.", ErrorKind.InvalidRequest)]
    [InlineData("application/json", """{"model":"gpt-4.1","messages":[]}""", 400, "'messages' must contain at least one message.", ErrorKind.InvalidRequest)]
    [InlineData("application/json", """{"model":"gpt-4.1","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}""", 400, "max_tokens must be at least 1 (got 0).", ErrorKind.InvalidRequest)]
    public async Task A_body_it_refuses_gets_the_clients_error_format(string contentType, string body, int status, string message, ErrorKind kind)
    {
        using var request = StepHarness.Request(StepHarness.Snapshot(Config), body, contentType: contentType);

        Assert.Equal(StepResult.Done, await AdmitStep.Instance.RunAsync(request));
        Assert.Equal(status, request.Status);
        Assert.Equal(kind, request.ErrorKind);
        Assert.Equal(status, request.Response.StatusCode);
        using var error = JsonDocument.Parse(StepHarness.ResponseText(request));
        Assert.Equal("error", error.RootElement.GetProperty("type").GetString()); // Anthropic's error shape: the client's API
        Assert.StartsWith(message, error.RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_body_past_the_limit_is_a_413_and_is_not_read_to_its_end()
    {
        var huge = "{\"model\":\"gpt-4.1\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('x', 5000) + "\"}]}";
        using var request = StepHarness.Request(StepHarness.Snapshot(Config), huge, client: ApiFormat.OpenAI);

        Assert.Equal(StepResult.Done, await AdmitStep.Instance.RunAsync(request));
        Assert.Equal(413, request.Status);
        Assert.Equal(ErrorKind.BodyTooLarge, request.ErrorKind);
        Assert.Null(request.Body);
        Assert.Equal(0, ((MemoryStream)request.Context.Request.Body).Position); // refused by its Content-Length, unread
        using var error = JsonDocument.Parse(StepHarness.ResponseText(request));
        Assert.Contains("limits.max_request_body_bytes", error.RootElement.GetProperty("error").GetProperty("message").GetString()); // OpenAI's shape
    }
}
