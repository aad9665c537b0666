using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>Retries, circuit breaking, access control and config reload against real fake upstreams.</summary>
[Trait("Kind", "Functional")]
public sealed class ReliabilityTests
{
    private const string Chat = """{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}""";

    private static string OpenAIOnly(Uri upstream, string extra = "") => $"""
        model_providers:
          - model: openai/gpt-4.1
            access_key: $OPENAI_API_KEY
            base_url: {upstream}v1
            default: true
        resilience:
          initial_backoff_ms: 20
          max_backoff_ms: 200
        {extra}
        """;

    [Fact]
    public async Task Transient_upstream_failures_are_retried_before_any_byte_reaches_the_client()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var calls = 0;
        upstream.Handler = async (c, _) =>
        {
            switch (Interlocked.Increment(ref calls))
            {
                case 1:
                    c.Response.StatusCode = 429;
                    c.Response.Headers["retry-after-ms"] = "50";
                    await c.Response.WriteAsync("""{"error":{"message":"slow down"}}""");
                    break;
                case 2:
                    c.Response.StatusCode = 503;
                    await c.Response.WriteAsync("""{"error":{"message":"overloaded"}}""");
                    break;
                default:
                    c.Response.ContentType = "application/json";
                    await c.Response.WriteAsync(Canned.OpenAIChat("third time lucky"));
                    break;
            }
        };
        await using var gateway = await TestGateway.StartAsync(OpenAIOnly(upstream.BaseUrl), Yaml.Keys);
        using var response = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("third time lucky", await response.Content.ReadAsStringAsync());
        Assert.Equal(3, upstream.Requests.Count);
    }

    [Fact]
    public async Task Client_errors_are_not_retried_and_retries_are_bounded()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson("""{"error":{"message":"bad tool schema"}}""", 400);
        await using var gateway = await TestGateway.StartAsync(OpenAIOnly(upstream.BaseUrl), Yaml.Keys);
        using (var response = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat)))
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single(upstream.Requests);

        upstream.RespondJson("""{"error":{"message":"down"}}""", 500);
        using (var response = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat)))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Contains("down", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(1 + 3, upstream.Requests.Count); // first attempt + max_retries (2)
    }

    [Fact]
    public async Task A_retry_after_beyond_the_time_budget_is_not_waited_for()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson("""{"error":{"message":"quota"}}""", 429, new Dictionary<string, string> { ["retry-after"] = "3600" });
        await using var gateway = await TestGateway.StartAsync(OpenAIOnly(upstream.BaseUrl), Yaml.Keys);
        var started = DateTime.UtcNow;
        using var response = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat));
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task A_failing_provider_opens_its_circuit_and_is_skipped_until_it_cools_down()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson("""{"error":{"message":"boom"}}""", 500);
        await using var gateway = await TestGateway.StartAsync(OpenAIOnly(upstream.BaseUrl, """
              max_retries: 0
              circuit_breaker:
                minimum_throughput: 3
                break_seconds: 5
            """), Yaml.Keys);
        for (var i = 0; i < 3; i++)
        {
            using var failing = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat));
            Assert.Equal(HttpStatusCode.InternalServerError, failing.StatusCode);
        }
        using (var skipped = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, skipped.StatusCode);
            Assert.Contains("circuit open", await skipped.Content.ReadAsStringAsync());
        }
        Assert.Equal(3, upstream.Requests.Count);
        using (var health = JsonDocument.Parse(await gateway.Http.GetStringAsync("/healthz?verbose=true")))
            Assert.Equal("open", health.RootElement.GetProperty("providers")[0].GetProperty("circuit").GetString());

        // 5 s of break, not 1: on a loaded machine the skipped request and the health check above must land inside it.
        // Then requests are skipped until the break ends and one probes the recovered upstream.
        upstream.RespondJson(Canned.OpenAIChat("recovered"));
        Assert.True(await Poll.UntilAsync(async () =>
        {
            using var probe = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat));
            if (probe.StatusCode != HttpStatusCode.OK) Assert.Equal(HttpStatusCode.ServiceUnavailable, probe.StatusCode);
            return probe.StatusCode == HttpStatusCode.OK;
        }, everyMs: 250), "the circuit never let a probe through");
        Assert.Equal(4, upstream.Requests.Count); // skipped requests never reached it
        using (var health = JsonDocument.Parse(await gateway.Http.GetStringAsync("/healthz?verbose=true")))
            Assert.Equal("closed", health.RootElement.GetProperty("providers")[0].GetProperty("circuit").GetString());
    }

    [Fact]
    public async Task Gateway_keys_are_required_when_configured()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Canned.OpenAIChat());
        var env = new Dictionary<string, string>(Yaml.Keys) { ["TEAM_KEY"] = "sb-team-key-1" };
        await using var gateway = await TestGateway.StartAsync(OpenAIOnly(upstream.BaseUrl, "gateway_keys:\n  - $TEAM_KEY\n  - sb-second-key"), env);

        using (var anonymous = await gateway.Http.SendAsync(JsonPost("/v1/messages", """{"model":"gpt-4.1","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            using var body = JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync());
            Assert.Equal("authentication_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
        }
        var wrong = JsonPost("/v1/chat/completions", Chat);
        wrong.Headers.Authorization = new("Bearer", "sb-team-key-2");
        using (var response = await gateway.Http.SendAsync(wrong)) Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        var bearer = JsonPost("/v1/chat/completions", Chat);
        bearer.Headers.Authorization = new("Bearer", "sb-team-key-1");
        using (var response = await gateway.Http.SendAsync(bearer)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var apiKey = JsonPost("/v1/chat/completions", Chat);
        apiKey.Headers.Add("x-api-key", "sb-second-key");
        using (var response = await gateway.Http.SendAsync(apiKey)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The gateway key is the client's credential: it never travels upstream.
        Assert.All(upstream.Requests, r => Assert.Equal("Bearer " + Yaml.Keys["OPENAI_API_KEY"], r.Header("authorization")));
        using (var health = await gateway.Http.GetAsync("/healthz")) Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using (var models = await gateway.Http.GetAsync("/v1/models")) Assert.Equal(HttpStatusCode.Unauthorized, models.StatusCode);
    }

    [Fact]
    public async Task A_failing_model_falls_back_across_providers_and_apis()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        openAI.RespondJson("""{"error":{"message":"upstream on fire"}}""", 503);
        anthropic.RespondJson(Canned.AnthropicMessage("claude saved the day"));
        await using var gateway = await TestGateway.StartAsync($"""
            model_providers:
              - model: openai/gpt-4.1
                access_key: $OPENAI_API_KEY
                base_url: {openAI.BaseUrl}v1
                default: true
                fallbacks: [backup]
              - model: anthropic/claude-sonnet-4-5
                access_key: $ANTHROPIC_API_KEY
                base_url: {anthropic.BaseUrl}
            model_aliases:
              backup:
                target: anthropic/claude-sonnet-4-5
            resilience:
              max_retries: 1
              initial_backoff_ms: 10
            """, Yaml.Keys);

        using var response = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", Chat));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("anthropic/claude-sonnet-4-5", response.Headers.GetValues("x-switchboard-model").Single());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("claude saved the day", body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(2, openAI.Requests.Count); // first attempt + one retry, then the fallback
        Assert.Equal("claude-sonnet-4-5", anthropic.LastRequest.Json.RootElement.GetProperty("model").GetString());
        var skipped = await gateway.Logs.WaitForLineAsync("fallback: openai/gpt-4.1 skipped (HTTP 503 after retries); trying anthropic/claude-sonnet-4-5");
        var id = response.Headers.GetValues("x-switchboard-request-id").Single();
        Assert.Contains(id, skipped);
        Assert.Contains("+fallback status=200", await gateway.Logs.WaitForLineAsync($"request {id} api="));
    }

    /// <summary>OpenAI's n &gt; 1 has no Anthropic equivalent: an Anthropic candidate is skipped for a fallback that can answer, and with none the client is told what to change (never one choice where it asked for two).</summary>
    [Fact]
    public async Task A_request_a_model_cannot_serve_goes_to_a_fallback_that_can_or_gets_a_clear_400()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        openAI.RespondJson(Canned.OpenAIChat("two choices"));
        anthropic.RespondJson(Canned.AnthropicMessage("one choice"));
        await using var gateway = await TestGateway.StartAsync($"""
            model_providers:
              - model: anthropic/claude-sonnet-4-5
                access_key: $ANTHROPIC_API_KEY
                base_url: {anthropic.BaseUrl}
                default: true
                fallbacks: [openai/gpt-4.1]
              - model: anthropic/claude-haiku-4-5
                access_key: $ANTHROPIC_API_KEY
                base_url: {anthropic.BaseUrl}
              - model: openai/gpt-4.1
                access_key: $OPENAI_API_KEY
                base_url: {openAI.BaseUrl}v1
            """, Yaml.Keys);

        const string TwoChoices = """{"model":"anthropic/claude-sonnet-4-5","n":2,"messages":[{"role":"user","content":"hi"}]}""";
        using (var response = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", TwoChoices)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("openai/gpt-4.1", response.Headers.GetValues("x-switchboard-model").Single());
            Assert.Equal(2, openAI.LastRequest.Json.RootElement.GetProperty("n").GetInt32());
            Assert.Empty(anthropic.Requests);
            await gateway.Logs.WaitForLineAsync("fallback: anthropic/claude-sonnet-4-5 skipped (n > 1 asks for several choices");
        }

        using (var response = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", TwoChoices.Replace("claude-sonnet-4-5", "claude-haiku-4-5"))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var message = error.RootElement.GetProperty("error").GetProperty("message").GetString();
            Assert.Contains("n > 1", message);
            Assert.Contains("Send n: 1", message);
            Assert.Empty(anthropic.Requests);
        }

        // 2.0 is two as well.
        using (var response = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", TwoChoices.Replace("claude-sonnet-4-5", "claude-haiku-4-5").Replace("\"n\":2", "\"n\":2.0"))))
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        // n: 1 is simply the default.
        using (var response = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", TwoChoices.Replace("\"n\":2", "\"n\":1"))))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("anthropic/claude-sonnet-4-5", response.Headers.GetValues("x-switchboard-model").Single());
        }
    }

    [Fact]
    public async Task When_every_candidate_fails_the_last_error_reaches_the_client()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        openAI.RespondJson("""{"error":{"message":"primary down"}}""", 500);
        await using var gateway = await TestGateway.StartAsync($"""
            model_providers:
              - model: openai/gpt-4.1
                access_key: k
                base_url: {openAI.BaseUrl}v1
                default: true
                fallbacks: [mistral/mistral-large]
              - model: mistral/mistral-large
                access_key: k
                base_url: http://127.0.0.1:1/v1
            resilience:
              max_retries: 0
            """);
        using var response = await gateway.Http.SendAsync(JsonPost("/v1/messages", """{"model":"gpt-4.1","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("error", body.RootElement.GetProperty("type").GetString());
        Assert.Contains("mistral", body.RootElement.GetProperty("error").GetProperty("message").GetString());
    }
}
