using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Config;
using Switchboard.Routing;
using Switchboard.Sessions;

namespace Switchboard.Tests.Functional.Sessions;

/// <summary>The pin store's bounds, the claude_code section's validation, and /v1/models as Claude Code's model discovery reads it.</summary>
[Trait("Kind", "Functional")]
public sealed class SessionPinStoreAndModelsTests
{
    private static SessionPin Pin(string turn) => new(turn, "openai/gpt-4.1", SelectionKind.Routed, "code generation", "embedded", RouteReason.Matched, "OpenAI|openai|", false);

    [Fact]
    public void The_store_forgets_idle_sessions_after_the_ttl_and_the_least_recent_past_its_capacity()
    {
        var time = new FakeTimeProvider();
        using var store = new InProcessSessionPinStore(TimeSpan.FromMinutes(10), capacity: 2, time);
        store.Set("a", Pin("a-1"));
        store.Set("b", Pin("b-1"));
        time.Advance(TimeSpan.FromMinutes(6));
        Assert.True(store.TryGet("a", out var a)); // a touch keeps a alive
        Assert.Equal("a-1", a.TurnKey);
        store.Set("c", Pin("c-1")); // past the capacity: b, the least recently active, goes
        Assert.False(store.TryGet("b", out _));
        Assert.Equal(1, store.Evicted);

        time.Advance(TimeSpan.FromMinutes(11));
        Assert.False(store.TryGet("a", out _)); // idle past the ttl
        Assert.False(store.TryGet("c", out _));
        Assert.Equal(3, store.Evicted);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Claude_code_names_that_serve_nothing_and_bad_bounds_are_errors_with_their_lines()
    {
        var result = ConfigLoader.LoadText("""
            model_providers:
              - model: openai/gpt-4.1
                access_key: sk-test
                default: true
            claude_code:
              opus: gpt-4.1
              haiku: fast-modle
              session_ttl_minutes: 0
              subagnet: gpt-4.1
            """);
        Assert.Null(result.Config);
        var haiku = Assert.Single(result.Diagnostics, d => d.Message.Contains("claude_code.haiku"));
        Assert.Equal(7, haiku.Line);
        Assert.Contains("'fast-modle'", haiku.Message);
        Assert.Contains("openai/gpt-4.1", haiku.Fix);
        var ttl = Assert.Single(result.Diagnostics, d => d.Message.Contains("session_ttl_minutes"));
        Assert.Equal(8, ttl.Line);
        var unknown = Assert.Single(result.Diagnostics, d => d.Message.Contains("subagnet"));
        Assert.Equal(9, unknown.Line);
        Assert.Contains("subagent", unknown.Fix);
        Assert.DoesNotContain(result.Diagnostics, d => d.Message.Contains("claude_code.opus"));
    }

    [Fact]
    public async Task Models_in_anthropics_shape_page_as_anthropic_does_and_offer_the_routes_and_aliases_as_picker_choices()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(ClaudeCodeShapes.GatewayConfig(openAI.BaseUrl, anthropic.BaseUrl, smallFast: true) + """

            model_aliases:
              fast-model:
                target: anthropic/claude-haiku-4-5
            """, Yaml.Keys);
        anthropic.RespondJson(Canned.AnthropicMessage());

        async Task<JsonElement> ListAsync(string query)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models" + query);
            request.Headers.Add("anthropic-version", "2023-06-01");
            using var response = await gateway.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        }
        static string[] Ids(JsonElement list) => list.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToArray();

        var all = await ListAsync("?limit=1000"); // what Claude Code asks for
        var ids = Ids(all);
        Assert.Equal("openai/gpt-4.1", ids[0]);
        Assert.Contains("switchboard.claude/auto", ids);
        Assert.Contains("switchboard.claude/route/code-generation", ids);
        Assert.Contains("switchboard.claude/fast-model", ids);
        Assert.Contains("switchboard.claude/openai/gpt-4.1", ids);
        Assert.All(all.GetProperty("data").EnumerateArray(), m => Assert.Equal("model", m.GetProperty("type").GetString()));
        Assert.False(all.GetProperty("has_more").GetBoolean());

        var page = await ListAsync("?limit=2");
        Assert.Equal(ids[..2], Ids(page));
        Assert.True(page.GetProperty("has_more").GetBoolean());
        Assert.Equal(ids[1], page.GetProperty("last_id").GetString());
        var next = await ListAsync($"?limit=2&after_id={Uri.EscapeDataString(ids[1])}");
        Assert.Equal(ids[2..4], Ids(next));
        var back = await ListAsync($"?limit=2&before_id={Uri.EscapeDataString(ids[3])}");
        Assert.Equal(ids[1..3], Ids(back));
        Assert.True(back.GetProperty("has_more").GetBoolean());

        using (var bad = new HttpRequestMessage(HttpMethod.Get, "/v1/models?limit=0"))
        {
            bad.Headers.Add("anthropic-version", "2023-06-01");
            using var response = await gateway.Http.SendAsync(bad);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("limit must be a whole number from 1 to 1000", await response.Content.ReadAsStringAsync());
        }

        // A picked route is forced, whatever the text says; a picked alias is that alias.
        using (var routed = await gateway.Http.SendAsync(ClaudeCodeShapes.Post(ClaudeCodeShapes.Body("switchboard.claude/route/debugging", ClaudeCodeShapes.User(ClaudeCodeShapes.CodeGeneration)), "s-1", "main", "p-1")))
        {
            Assert.Equal("debugging", routed.Headers.GetValues("x-switchboard-route").Single());
            Assert.Equal("anthropic/claude-sonnet-4-5", routed.Headers.GetValues("x-switchboard-model").Single());
        }
        using (var aliased = await gateway.Http.SendAsync(ClaudeCodeShapes.Post(ClaudeCodeShapes.Body("switchboard.claude/fast-model", ClaudeCodeShapes.User("hi")), "s-2", "main", "p-1")))
            Assert.Equal("anthropic/claude-haiku-4-5", aliased.Headers.GetValues("x-switchboard-model").Single());
    }
}
