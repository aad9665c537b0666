using System.Diagnostics;
using System.Net;

namespace Switchboard.Tests.Functional.Teams;

/// <summary>
/// state.redis: two gateways on one real redis-server hold one rate limit, one budget and one cache between them; with
/// Redis gone they refuse (closed) or pass (open) at once, never hanging.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class SharedStateTests : TeamTest
{
    private RedisServer? _redis;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        if (RedisServer.Binary is not null) _redis = await RedisServer.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        if (_redis is not null) await _redis.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>A generous timeout: on a loaded machine a slow answer from Redis must not pass for Redis being away (that case is the stopped-Redis test's).</summary>
    private string State(string onUnavailable = "closed") => $"""
        state:
          redis: {_redis!.Url}
          on_unavailable: {onUnavailable}
          timeout_ms: 2000
        """;

    private string RateLimited(string onUnavailable = "closed") => Team.Config(OpenAIUpstream, AnthropicUpstream, openAIExtra: "cache: {ttl_seconds: 60}", extra: $"""
        gateway_keys:
          - name: team-a
            key: $TEAM_A_KEY
            rate_limit: {"{"}requests_per_minute: 4{"}"}
        {State(onUnavailable)}
        """);

    [RedisFact]
    public async Task Two_gateways_on_one_redis_hold_one_rate_limit_between_them()
    {
        await using var a = await TestGateway.StartAsync(RateLimited(), Team.Env);
        await using var b = await TestGateway.StartAsync(RateLimited(), Team.Env);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++) statuses.Add(await Team.StatusAsync(i % 2 == 0 ? a : b, Team.Messages("sb-team-a-SECRET", text: $"turn {i}")));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, (HttpStatusCode)429, (HttpStatusCode)429], statuses);
        Assert.Equal(4, AnthropicUpstream.Requests.Count);
    }

    [RedisFact]
    public async Task Two_gateways_on_one_redis_hold_one_budget_under_thirty_concurrent_requests()
    {
        var reserved = BudgetTests.ReservedTokens(Team.Chat("sb-team-b-SECRET", maxTokens: BudgetTests.MaxTokens));
        BudgetTests.SlowWorstCase(OpenAIUpstream, reserved);
        var config = BudgetTests.Config(OpenAIUpstream, AnthropicUpstream, reserved, fits: 5, stateExtra: State());
        await using var a = await TestGateway.StartAsync(config, Team.Env);
        await using var b = await TestGateway.StartAsync(config, Team.Env);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Team.StatusAsync(i % 2 == 0 ? a : b, Team.Chat("sb-team-b-SECRET", maxTokens: BudgetTests.MaxTokens))));

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(5, OpenAIUpstream.Requests.Count);
        // Settling is sent after the response; both gateways then read the one spend from Redis.
        await Poll.UntilAsync(async () => (await BudgetTests.BudgetOfAsync(b, "team-b")).GetProperty("spent_usd").GetDouble() >= 5 * reserved / 1e6);
        Assert.Equal(5 * reserved / 1e6, (await BudgetTests.BudgetOfAsync(a, "team-b")).GetProperty("spent_usd").GetDouble(), 9);
        Assert.Equal(5 * reserved / 1e6, (await BudgetTests.BudgetOfAsync(b, "team-b")).GetProperty("spent_usd").GetDouble(), 9);
    }

    [RedisFact]
    public async Task The_cache_is_shared_through_redis()
    {
        var config = Team.Config(OpenAIUpstream, AnthropicUpstream, openAIExtra: "cache: {ttl_seconds: 60}", extra: State());
        await using var a = await TestGateway.StartAsync(config, Team.Env);
        await using var b = await TestGateway.StartAsync(config, Team.Env);
        using (var miss = await a.Http.SendAsync(Team.Chat(""))) Assert.Equal("miss", miss.Headers.GetValues("x-switchboard-cache").Single());
        string? cache = null;
        await Poll.UntilAsync(async () => // the entry is written after the response, without waiting for Redis
        {
            using var response = await b.Http.SendAsync(Team.Chat(""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            cache = response.Headers.GetValues("x-switchboard-cache").Single();
            return cache == "hit";
        });
        Assert.Equal("hit", cache);
        Assert.InRange(OpenAIUpstream.Requests.Count, 1, 3); // b may miss while its connection to Redis comes up
    }

    /// <summary>
    /// Claude Code behind a balancer: a turn routed on one gateway keeps its model on the other, although the tool
    /// loop's body alone would route elsewhere; a new turn routed on the second is what the first then holds.
    /// </summary>
    [RedisFact]
    public async Task Two_gateways_on_one_redis_hold_a_sessions_turn_on_one_model()
    {
        AnthropicUpstream.RespondJson(Canned.AnthropicMessage("Fixed."));
        var config = ClaudeCodeShapes.GatewayConfig(OpenAIUpstream.BaseUrl, AnthropicUpstream.BaseUrl, smallFast: true) + "\n" + State();
        await using var a = await TestGateway.StartAsync(config, Yaml.Keys);
        await using var b = await TestGateway.StartAsync(config, Yaml.Keys);
        using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_redis!.Port}");
        var session = Guid.NewGuid().ToString();
        var pinKey = "switchboard:session:" + session;
        const string Opus = "claude-opus-5-5";

        Assert.Equal(("anthropic/claude-sonnet-4-5", "debugging"), await SessionTurnAsync(a, ClaudeCodeShapes.Body(Opus, ClaudeCodeShapes.User(ClaudeCodeShapes.Debugging)), session, "prompt-1"));
        await WaitForPinAsync(redis, pinKey, "prompt-1");
        var drifted = ClaudeCodeShapes.Body(Opus, ClaudeCodeShapes.User(ClaudeCodeShapes.Debugging), ClaudeCodeShapes.AssistantToolUse("toolu_01", "sig-1"),
            ClaudeCodeShapes.ToolResult("toolu_01"), ClaudeCodeShapes.User(ClaudeCodeShapes.CodeGeneration));
        Assert.Equal(("anthropic/claude-sonnet-4-5", "debugging"), await SessionTurnAsync(b, drifted, session, "prompt-1"));

        var next = ClaudeCodeShapes.Body(Opus, ClaudeCodeShapes.User(ClaudeCodeShapes.Debugging), ClaudeCodeShapes.AssistantText("Fixed."), ClaudeCodeShapes.User(ClaudeCodeShapes.CodeGeneration));
        Assert.Equal(("openai/gpt-4.1", "code generation"), await SessionTurnAsync(b, next, session, "prompt-2"));
        await WaitForPinAsync(redis, pinKey, "prompt-2");
        var loop = ClaudeCodeShapes.Body(Opus, ClaudeCodeShapes.User(ClaudeCodeShapes.CodeGeneration), ClaudeCodeShapes.AssistantToolUse("toolu_02", ""),
            ClaudeCodeShapes.ToolResult("toolu_02"), ClaudeCodeShapes.User(ClaudeCodeShapes.Debugging));
        Assert.Equal(("openai/gpt-4.1", "code generation"), await SessionTurnAsync(a, loop, session, "prompt-2"));

        // Without the session the same body routes by its text: the holding above came from the shared pin.
        Assert.Equal(("anthropic/claude-sonnet-4-5", "debugging"), await SessionTurnAsync(a, loop, session: null, promptId: null));
    }

    /// <summary>A Responses follow-up (previous_response_id) answered by another gateway than the response it names.</summary>
    [RedisFact]
    public async Task A_stored_response_is_found_by_a_follow_up_on_another_gateway()
    {
        var config = Team.Config(OpenAIUpstream, AnthropicUpstream, extra: State());
        await using var a = await TestGateway.StartAsync(config, Team.Env);
        await using var b = await TestGateway.StartAsync(config, Team.Env);
        using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_redis!.Port}");
        AnthropicUpstream.RespondJson(Canned.AnthropicMessage("Nice to meet you, Ada."));

        using var first = await a.Http.PostAsync("/v1/responses", new StringContent(
            """{"model":"anthropic/claude-sonnet-4-5","input":"My name is Ada."}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var id = System.Text.Json.JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        Assert.True(await redis.GetDatabase().KeyExistsAsync("switchboard:response:" + id) || await WaitForKeyAsync(redis, "switchboard:response:" + id));

        using var second = await b.Http.PostAsync("/v1/responses", new StringContent(
            $$"""{"model":"anthropic/claude-sonnet-4-5","input":"What is my name?","previous_response_id":"{{id}}"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.True(second.StatusCode == HttpStatusCode.OK, await second.Content.ReadAsStringAsync());
        var messages = AnthropicUpstream.LastRequest.Json.RootElement.GetProperty("messages");
        Assert.Equal(3, messages.GetArrayLength());
        Assert.Contains("My name is Ada.", messages[0].GetProperty("content").GetRawText());
        Assert.Contains("Nice to meet you, Ada.", messages[1].GetProperty("content").GetRawText());

        using var unknown = await b.Http.PostAsync("/v1/responses", new StringContent(
            """{"model":"anthropic/claude-sonnet-4-5","input":"hi","previous_response_id":"resp_unknown"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("previous_response_not_found", await unknown.Content.ReadAsStringAsync());

        // Redis away: an id this gateway lacks may still exist, so the answer is a retryable 503, not "not found".
        await _redis.StopAsync();
        using var away = await b.Http.PostAsync("/v1/responses", new StringContent(
            """{"model":"anthropic/claude-sonnet-4-5","input":"hi","previous_response_id":"resp_elsewhere"}""", System.Text.Encoding.UTF8, "application/json"));
        var text = await away.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, away.StatusCode);
        Assert.Contains("could not be looked up", text);
        Assert.DoesNotContain(_redis.Port.ToString(), text);
    }

    private static Task<bool> WaitForKeyAsync(StackExchange.Redis.ConnectionMultiplexer redis, string key) =>
        Poll.UntilAsync(() => redis.GetDatabase().KeyExistsAsync(key));

    private static async Task<(string Model, string Route)> SessionTurnAsync(TestGateway gateway, string body, string? session, string? promptId)
    {
        using var response = await gateway.Http.SendAsync(ClaudeCodeShapes.Post(body, session, session is null ? null : "main", promptId));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (response.Headers.GetValues("x-switchboard-model").Single(), response.Headers.GetValues("x-switchboard-route").Single());
    }

    /// <summary>Pins are written behind the response: wait until Redis has the one for <paramref name="turn"/>.</summary>
    private static async Task WaitForPinAsync(StackExchange.Redis.ConnectionMultiplexer redis, string key, string turn)
    {
        string? value = null;
        await Poll.UntilAsync(async () => (value = await redis.GetDatabase().StringGetAsync(key))?.Contains($"\"{turn}\"", StringComparison.Ordinal) == true);
        Assert.True(value?.Contains($"\"{turn}\"", StringComparison.Ordinal) == true, $"pin in Redis: {value ?? "(none)"}");
        Assert.DoesNotContain("SECRET", value);
    }

    [RedisTheory]
    [InlineData("closed")]
    [InlineData("open")]
    public async Task With_redis_stopped_mid_run_requests_fail_closed_or_pass_open_at_once(string onUnavailable)
    {
        await using var gateway = await TestGateway.StartAsync(RateLimited(onUnavailable), Team.Env);
        Assert.Equal(HttpStatusCode.OK, await Team.StatusAsync(gateway, Team.Messages("sb-team-a-SECRET")));
        await _redis!.StopAsync();

        var clock = Stopwatch.StartNew();
        using var response = await gateway.Http.SendAsync(Team.Messages("sb-team-a-SECRET", text: "after"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        if (onUnavailable == "closed")
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var message = await Team.ErrorMessageAsync(response, anthropic: true);
            Assert.Contains("shared state store (Redis) cannot be reached", message);
            Assert.DoesNotContain(_redis.Port.ToString(), message);
            Assert.Single(AnthropicUpstream.Requests);
        }
        else
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(2, AnthropicUpstream.Requests.Count);
        }
    }
}
