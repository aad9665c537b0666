using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Pipeline;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>Every finished request reaches each completion sink once, with what a usage ledger needs to know about it.</summary>
[Trait("Kind", "Functional")]
public sealed class CompletionSinkTests
{
    /// <summary>Keeps what it is given, as a ledger would.</summary>
    private sealed class CapturingSink : ICompletionSink
    {
        public ConcurrentQueue<CompletedRequest> Completed { get; } = new();
        public void OnCompleted(in CompletedRequest request) => Completed.Enqueue(request);

        /// <summary>
        /// The sinks run one after another on the request's thread, the request log's first: its line can be seen before
        /// this sink has the request (seen on a loaded machine), so a test waits here rather than on the log.
        /// </summary>
        public Task WaitForAsync(int count) => LiveOutput.WaitUntilAsync(() => Completed.Count >= count, $"{count} completed requests in the sink");
    }

    private sealed class ThrowingSink : ICompletionSink
    {
        public void OnCompleted(in CompletedRequest request) => throw new InvalidOperationException("sink on fire");
    }

    private static string TwoModels(Uri openAI, Uri anthropic) => $"""
        model_providers:
          - model: openai/gpt-4.1
            access_key: $OPENAI_API_KEY
            base_url: {openAI}v1
            default: true
            fallbacks: [anthropic/claude-sonnet-4-5]
          - model: anthropic/claude-sonnet-4-5
            access_key: $ANTHROPIC_API_KEY
            base_url: {anthropic}
        gateway_keys:
          - $TEAM_KEY
        resilience:
          max_retries: 0
        """;

    private static readonly Dictionary<string, string> Env = new(Yaml.Keys) { ["TEAM_KEY"] = "sb-team-secret" };

    [Fact]
    public async Task A_fallback_answer_reaches_the_sink_once_with_its_caller_and_every_attempt()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        openAI.RespondJson("""{"error":{"message":"upstream on fire"}}""", 503);
        anthropic.RespondJson(Canned.AnthropicMessage("claude saved the day", input: 21, output: 4));
        var sink = new CapturingSink();
        await using var gateway = await TestGateway.StartAsync(TwoModels(openAI.BaseUrl, anthropic.BaseUrl), Env, s => s.AddSingleton<ICompletionSink>(sink));

        var post = JsonPost("/v1/chat/completions", """{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}""");
        post.Headers.Authorization = new("Bearer", "sb-team-secret");
        post.Headers.UserAgent.ParseAdd("claude-cli/2.1.30");
        post.Headers.Add("x-claude-code-session-id", "session-7");
        using var response = await gateway.Http.SendAsync(post);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = response.Headers.GetValues("x-switchboard-request-id").Single();
        await gateway.Logs.WaitForLineAsync($"request {id} api=");
        await sink.WaitForAsync(1);

        var completed = Assert.Single(sink.Completed);
        Assert.Equal(id, completed.RequestId);
        Assert.Equal("TEAM_KEY", completed.Caller);
        Assert.Equal("session-7", completed.SessionId);
        Assert.Equal(ApiFormat.OpenAI, completed.ClientApi);
        Assert.Equal(Operation.ChatCompletions, completed.Operation);
        Assert.Equal("claude-cli/2.1.30", completed.UserAgent);
        Assert.Equal("gpt-4.1", completed.RequestedModel);
        Assert.Equal("openai/gpt-4.1", completed.Choice!.Model);
        Assert.Equal("anthropic/claude-sonnet-4-5", completed.Model);
        Assert.Equal("anthropic", completed.Provider);
        Assert.Equal("bareid+fallback", completed.Selection);
        Assert.Equal(200, completed.Status);
        Assert.Equal(ErrorKind.None, completed.ErrorKind);
        Assert.Null(completed.Error);
        Assert.Equal(21, completed.Usage.InputTokens);
        Assert.Equal(4, completed.Usage.OutputTokens);
        Assert.False(completed.Stream);
        Assert.True(completed.LatencyMs >= completed.TtfbMs && completed.TtfbMs > 0);

        var attempts = completed.Attempts.ToArray();
        Assert.Equal(2, attempts.Length);
        Assert.Equal(("openai/gpt-4.1", "openai", AttemptOutcome.Failed, 503), (attempts[0].Model, attempts[0].Provider, attempts[0].Outcome, attempts[0].Status));
        Assert.Equal("HTTP 503 after retries", attempts[0].Reason);
        Assert.Equal(("anthropic/claude-sonnet-4-5", "anthropic", AttemptOutcome.Answered, 200), (attempts[1].Model, attempts[1].Provider, attempts[1].Outcome, attempts[1].Status));
        Assert.All(attempts, a => Assert.True(a.DurationMs > 0));
    }

    [Fact]
    public async Task A_refused_key_and_a_refused_body_are_completed_requests_too_and_a_sink_that_throws_stops_no_other()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var sink = new CapturingSink();
        await using var gateway = await TestGateway.StartAsync(TwoModels(upstream.BaseUrl, upstream.BaseUrl), Env,
            s => s.AddSingleton<ICompletionSink, ThrowingSink>().AddSingleton<ICompletionSink>(sink));

        using (var refused = await gateway.Http.SendAsync(JsonPost("/v1/messages", """{"model":"gpt-4.1","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""")))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var bad = JsonPost("/v1/messages", """{"model":"gpt-4.1","messages":[]}""");
        bad.Headers.Add("x-api-key", "sb-team-secret");
        using (var response = await gateway.Http.SendAsync(bad)) Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        await gateway.Logs.WaitForLineAsync("status=400");
        await sink.WaitForAsync(2);
        Assert.Equal(2, sink.Completed.Count);
        var unauthorized = sink.Completed.First();
        Assert.Equal((401, ErrorKind.Unauthorized, null, "-"), (unauthorized.Status, unauthorized.ErrorKind, unauthorized.Caller, unauthorized.Model));
        Assert.Equal(0, unauthorized.Attempts.Count);
        var invalid = sink.Completed.Last();
        Assert.Equal((400, ErrorKind.InvalidRequest, "TEAM_KEY"), (invalid.Status, invalid.ErrorKind, invalid.Caller));
        Assert.Empty(upstream.Requests);
        Assert.Contains(gateway.Logs.Lines, l => l.Contains("completion sink ThrowingSink failed"));
        Assert.DoesNotContain(gateway.Logs.Lines, l => l.Contains("sb-team-secret"));
    }
}
