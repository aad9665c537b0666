using Microsoft.AspNetCore.Http;
using System.Net;

namespace Switchboard.Tests.Functional.Teams;

/// <summary>Requests and tokens per minute, per gateway key and per model entry: exact, under a burst, in both client formats.</summary>
[Trait("Kind", "Functional")]
public sealed class RateLimitTests : TeamTest
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        OpenAIUpstream.RespondJson(Canned.OpenAIChat(prompt: 400, completion: 200));
    }

    private string KeyWithLimit(string limit) => Team.Config(OpenAIUpstream, AnthropicUpstream, extra: $"""
        gateway_keys:
          - name: team-a
            key: $TEAM_A_KEY
            rate_limit: {limit}
          - name: team-b
            key: $TEAM_B_KEY
        """);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Requests_per_minute_admit_exactly_the_limit_then_a_429_naming_it_with_retry_after(bool anthropic)
    {
        await using var gateway = await TestGateway.StartAsync(KeyWithLimit("{requests_per_minute: 3}"), Team.Env);
        HttpRequestMessage Request() => anthropic ? Team.Messages("sb-team-a-SECRET") : Team.Chat("sb-team-a-SECRET");
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, await Team.StatusAsync(gateway, Request()));

        using var refused = await gateway.Http.SendAsync(Request());
        Assert.Equal((HttpStatusCode)429, refused.StatusCode);
        var retryAfter = refused.Headers.RetryAfter?.Delta?.TotalSeconds;
        Assert.InRange(retryAfter ?? 0, 1, 21); // the next slot frees a third of a minute after the first
        var message = await Team.ErrorMessageAsync(refused, anthropic, "rate_limit_error");
        Assert.Contains("rate limit of key team-a: 3 requests per minute", message);
        // Another key is not held to team-a's limit.
        Assert.Equal(HttpStatusCode.OK, await Team.StatusAsync(gateway, anthropic ? Team.Messages("sb-team-b-SECRET") : Team.Chat("sb-team-b-SECRET")));
        Assert.Equal(3 + 1, OpenAIUpstream.Requests.Count + AnthropicUpstream.Requests.Count);
    }

    [Fact]
    public async Task A_burst_of_forty_concurrent_requests_gets_exactly_the_limit_through()
    {
        OpenAIUpstream.Handler = async (c, _) => { await Task.Delay(100); c.Response.ContentType = "application/json"; await c.Response.WriteAsync(Canned.OpenAIChat()); };
        await using var gateway = await TestGateway.StartAsync(KeyWithLimit("{requests_per_minute: 7}"), Team.Env);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Team.StatusAsync(gateway, Team.Chat("sb-team-a-SECRET"))));
        Assert.Equal(7, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(33, statuses.Count(s => s == (HttpStatusCode)429));
        Assert.Equal(7, OpenAIUpstream.Requests.Count);
    }

    [Fact]
    public async Task Tokens_per_minute_count_the_usage_reported_after_each_response()
    {
        // Each answer reports 600 tokens: under 1000 per minute, the second request still starts (500 used < 1000)… 
        await using var gateway = await TestGateway.StartAsync(KeyWithLimit("{tokens_per_minute: 1000}"), Team.Env);
        Assert.Equal(HttpStatusCode.OK, await Team.StatusAsync(gateway, Team.Chat("sb-team-a-SECRET")));
        Assert.Equal(HttpStatusCode.OK, await Team.StatusAsync(gateway, Team.Chat("sb-team-a-SECRET")));
        // …and then 1200 are used: the third is refused before anything is sent.
        using var refused = await gateway.Http.SendAsync(Team.Chat("sb-team-a-SECRET"));
        Assert.Equal((HttpStatusCode)429, refused.StatusCode);
        Assert.Contains("rate limit of key team-a: 1000 tokens per minute", await Team.ErrorMessageAsync(refused, anthropic: false));
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(2, OpenAIUpstream.Requests.Count);
    }

    [Fact]
    public async Task A_streamed_answers_tokens_count_too()
    {
        AnthropicUpstream.RespondSse(Canned.AnthropicStream()); // 14 input + 7 output
        await using var gateway = await TestGateway.StartAsync(KeyWithLimit("{tokens_per_minute: 20}"), Team.Env);
        using (var first = await gateway.Http.SendAsync(Team.Messages("sb-team-a-SECRET", stream: true)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Contains("message_stop", await first.Content.ReadAsStringAsync());
        }
        await gateway.Logs.WaitForLineAsync("caller=team-a");
        using var second = await gateway.Http.SendAsync(Team.Messages("sb-team-a-SECRET", stream: true));
        Assert.Equal((HttpStatusCode)429, second.StatusCode);
        Assert.Contains("20 tokens per minute", await Team.ErrorMessageAsync(second, anthropic: true, "rate_limit_error"));
    }

    [Fact]
    public async Task A_model_entrys_limit_holds_for_all_callers_together()
    {
        var config = Team.Config(OpenAIUpstream, AnthropicUpstream, openAIExtra: "rate_limit: {requests_per_minute: 2}", extra: """
            gateway_keys:
              - name: team-a
                key: $TEAM_A_KEY
              - name: team-b
                key: $TEAM_B_KEY
            """);
        await using var gateway = await TestGateway.StartAsync(config, Team.Env);
        Assert.Equal(HttpStatusCode.OK, await Team.StatusAsync(gateway, Team.Chat("sb-team-a-SECRET")));
        Assert.Equal(HttpStatusCode.OK, await Team.StatusAsync(gateway, Team.Chat("sb-team-b-SECRET")));
        using var refused = await gateway.Http.SendAsync(Team.Chat("sb-team-a-SECRET"));
        Assert.Equal((HttpStatusCode)429, refused.StatusCode);
        Assert.Contains("rate limit of model openai/gpt-4.1: 2 requests per minute", await Team.ErrorMessageAsync(refused, anthropic: false));
        // The other model is not limited.
        Assert.Equal(HttpStatusCode.OK, await Team.StatusAsync(gateway, Team.Messages("sb-team-a-SECRET")));
    }
}
