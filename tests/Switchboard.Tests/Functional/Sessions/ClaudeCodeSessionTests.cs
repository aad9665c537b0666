using System.Net;
using System.Text.Json;
using static Switchboard.Tests.TestKit.ClaudeCodeShapes;

namespace Switchboard.Tests.Functional.Sessions;

/// <summary>
/// A Claude Code session through the real gateway (fake upstreams on loopback): what is preference-routed (user turns),
/// what is not (auxiliary, compaction), what holds a turn's model (its tool loop, retries), with and without the hint
/// headers, and a model change between turns that must not carry foreign thinking signatures.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class ClaudeCodeSessionTests : IAsyncLifetime
{
    private FakeUpstream _openAI = null!;
    private FakeUpstream _anthropic = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _openAI = await FakeUpstream.StartAsync();
        _anthropic = await FakeUpstream.StartAsync();
        _openAI.RespondJson(Canned.OpenAIChat("def slugify(title): ..."));
        _anthropic.RespondJson(Canned.AnthropicMessage("Fixed."));
    }

    private async Task StartAsync(bool smallFast = true) =>
        _gateway = await TestGateway.StartAsync(GatewayConfig(_openAI.BaseUrl, _anthropic.BaseUrl, smallFast), Yaml.Keys);

    public async Task DisposeAsync()
    {
        if (_gateway is not null) await _gateway.DisposeAsync();
        await _openAI.DisposeAsync();
        await _anthropic.DisposeAsync();
    }

    private async Task<(string Model, string Route)> SendAsync(HttpRequestMessage request)
    {
        using (request)
        using (var response = await _gateway.Http.SendAsync(request))
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            return (response.Headers.GetValues("x-switchboard-model").Single(), response.Headers.GetValues("x-switchboard-route").Single());
        }
    }

    private string UpstreamModel(FakeUpstream upstream) => upstream.LastRequest.Json.RootElement.GetProperty("model").GetString()!;

    [Fact]
    public async Task A_tool_loop_stays_on_its_turns_model_although_its_router_input_would_route_elsewhere()
    {
        await StartAsync();
        var session = Guid.NewGuid().ToString();
        Assert.Equal(("anthropic/claude-sonnet-4-5", "debugging"), await SendAsync(Post(Body("claude-opus-5-5", User(Debugging)), session, "main", "prompt-1")));

        // The same turn goes on: a tool loop whose conversation now reads like code generation (a queued user text
        // drifted the router's input). Without the session, that body routes to the OpenAI model.
        var drifted = Body("claude-opus-5-5", User(Debugging), AssistantToolUse("toolu_01", "sig-anthropic-1"), ToolResult("toolu_01"), User(CodeGeneration), AssistantToolUse("toolu_02", "sig-anthropic-2"), ToolResult("toolu_02"));
        for (var step = 0; step < 3; step++)
            Assert.Equal(("anthropic/claude-sonnet-4-5", "debugging"), await SendAsync(Post(drifted, session, "main", "prompt-1")));
        Assert.Empty(_openAI.Requests);
        Assert.Equal(4, _anthropic.Requests.Count);
        Assert.All(_anthropic.Requests, r => Assert.Equal("claude-sonnet-4-5", r.Json.RootElement.GetProperty("model").GetString()));
        Assert.Contains("held for this user turn", await _gateway.Logs.WaitForLineAsync("held for this user turn"));

        Assert.Equal(("openai/gpt-4.1", "code generation"), await SendAsync(Post(drifted, session: null)));
    }

    [Fact]
    public async Task A_new_prompt_is_routed_afresh_and_each_session_holds_its_own_turn()
    {
        await StartAsync();
        string a = Guid.NewGuid().ToString(), b = Guid.NewGuid().ToString();
        Assert.Equal("debugging", (await SendAsync(Post(Body("claude-opus-5-5", User(Debugging)), a, "main", "a-1"))).Route);
        Assert.Equal("code generation", (await SendAsync(Post(Body("claude-opus-5-5", User(CodeGeneration)), b, "main", "b-1"))).Route);

        var next = Body("claude-opus-5-5", User(Debugging), AssistantText("Fixed."), User(CodeGeneration));
        Assert.Equal(("openai/gpt-4.1", "code generation"), await SendAsync(Post(next, a, "main", "a-2")));
        // Session b's tool loop is still on its own turn's model.
        var loop = Body("claude-opus-5-5", User(CodeGeneration), AssistantToolUse("toolu_b", ""), ToolResult("toolu_b"), User(Debugging));
        Assert.Equal(("openai/gpt-4.1", "code generation"), await SendAsync(Post(loop, b, "main", "b-1")));
    }

    [Fact]
    public async Task Auxiliary_requests_go_to_the_small_fast_model_and_are_never_preference_routed()
    {
        await StartAsync(smallFast: true);
        var session = Guid.NewGuid().ToString();
        await SendAsync(Post(Body("claude-opus-5-5", User(CodeGeneration)), session, "main", "p-1"));

        // A title request whose text reads like debugging: not routed, to the haiku-class model configured in claude_code.
        Assert.Equal(("anthropic/claude-haiku-4-5", "none"), await SendAsync(Post(Body("claude-haiku-4-5-20251001", User(Debugging)), session, "auxiliary")));
        Assert.Equal("claude-haiku-4-5", UpstreamModel(_anthropic));
        Assert.Equal(("anthropic/claude-haiku-4-5", "none"), await SendAsync(Post(Body("claude-opus-5-5", User(Debugging)), session, "main", firstPartyClass: "followup-generation")));
        Assert.Single(_openAI.Requests); // only the user's turn went to the routed model
    }

    [Fact]
    public async Task Without_a_small_fast_model_auxiliary_requests_stay_on_the_sessions_model()
    {
        await StartAsync(smallFast: false);
        var session = Guid.NewGuid().ToString();
        Assert.Equal("anthropic/claude-sonnet-4-5", (await SendAsync(Post(Body("claude-opus-5-5", User(Debugging)), session, "main", "p-1"))).Model);

        Assert.Equal(("anthropic/claude-sonnet-4-5", "none"), await SendAsync(Post(Body("claude-haiku-4-5-20251001", User(CodeGeneration)), session, "auxiliary")));
        Assert.Empty(_openAI.Requests);
        // A session that has had no turn yet: not routed either, the default answers.
        Assert.Equal(("openai/gpt-4.1", "none"), await SendAsync(Post(Body("claude-haiku-4-5-20251001", User(Debugging)), Guid.NewGuid().ToString(), "auxiliary")));
    }

    [Fact]
    public async Task Compaction_and_summaries_stay_on_the_sessions_current_model()
    {
        await StartAsync(smallFast: true);
        var session = Guid.NewGuid().ToString();
        await SendAsync(Post(Body("claude-opus-5-5", User(Debugging)), session, "main", "p-1"));

        var compact = Body("claude-opus-5-5", User(Debugging), AssistantText("Fixed."), User(CodeGeneration + " Summarize this conversation."));
        Assert.Equal(("anthropic/claude-sonnet-4-5", "none"), await SendAsync(Post(compact, session, "compaction")));
        Assert.Equal(("anthropic/claude-sonnet-4-5", "none"), await SendAsync(Post(compact, session, "main", "p-1", firstPartyClass: "summary-extraction")));
        Assert.Empty(_openAI.Requests);
        Assert.Contains("compaction: stays on the session's model", await _gateway.Logs.WaitForLineAsync("compaction: stays"));
    }

    [Fact]
    public async Task Without_hints_a_turn_holds_through_its_tool_loop_and_a_new_user_turn_is_routed_afresh()
    {
        await StartAsync();
        var session = Guid.NewGuid().ToString();
        Assert.Equal("debugging", (await SendAsync(Post(Body("claude-opus-5-5", User(Debugging)), session))).Route);
        // The tool loop: its assistant steps talk about writing new code, which alone would route to code generation.
        var loop = Body("claude-opus-5-5", User(Debugging), AssistantText("I will write a new Python function and generate boilerplate classes for it."),
            AssistantToolUse("toolu_01", "sig-1"), ToolResult("toolu_01"));
        Assert.Equal(("anthropic/claude-sonnet-4-5", "debugging"), await SendAsync(Post(loop, session)));
        Assert.Equal(("anthropic/claude-sonnet-4-5", "debugging"), await SendAsync(Post(Body("claude-opus-5-5", User(Debugging)), session))); // a retry of the turn
        Assert.Empty(_openAI.Requests);

        var next = Body("claude-opus-5-5", User(Debugging), AssistantToolUse("toolu_01", "sig-1"), ToolResult("toolu_01"), AssistantText("Fixed."), User(CodeGeneration));
        Assert.Equal(("openai/gpt-4.1", "code generation"), await SendAsync(Post(next, session)));
    }

    [Fact]
    public async Task A_switch_from_an_openai_model_to_anthropic_sends_no_foreign_thinking_and_keeps_tool_ids()
    {
        await StartAsync();
        _openAI.RespondJson("""
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4.1","choices":[{"index":0,"finish_reason":"tool_calls",
             "message":{"role":"assistant","content":null,"reasoning_content":"Plan: list the files.","tool_calls":[{"id":"call_Ab12","type":"function","function":{"name":"Bash","arguments":"{\"command\":\"ls\"}"}}]}}],
             "usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}
            """);
        var session = Guid.NewGuid().ToString();

        // Turn 1 on the OpenAI model: the gateway's answer carries its reasoning as an unsigned thinking block.
        using var first = await _gateway.Http.SendAsync(Post(Body("claude-opus-5-5", User(CodeGeneration)), session, "main", "p-1"));
        Assert.Equal("openai/gpt-4.1", first.Headers.GetValues("x-switchboard-model").Single());
        var answer = System.Text.Json.Nodes.JsonNode.Parse(await first.Content.ReadAsStringAsync())!;
        var assistant = new System.Text.Json.Nodes.JsonObject { ["role"] = "assistant", ["content"] = answer["content"]!.DeepClone() };
        Assert.Contains(assistant["content"]!.AsArray(), b => (string?)b!["type"] == "thinking");
        var toolId = (string)assistant["content"]!.AsArray().Single(b => (string?)b!["type"] == "tool_use")!["id"]!;
        // And a thinking block another Anthropic-protocol provider signed, earlier in the history.
        var foreign = AssistantText("Earlier answer.", thinkingSignature: "Zm9yZWlnbi1wcm92aWRlci1zaWduYXR1cmU=");

        // Turn 2 routes to Anthropic: no thinking from before this turn reaches it; tool ids are as they were.
        var turn2 = Body("claude-opus-5-5", User("hello"), foreign, User(CodeGeneration), assistant, ToolResult(toolId), User(Debugging));
        Assert.Equal(("anthropic/claude-sonnet-4-5", "debugging"), await SendAsync(Post(turn2, session, "main", "p-2")));
        var sent = _anthropic.LastRequest.Body;
        Assert.DoesNotContain("\"thinking\"", sent);
        Assert.DoesNotContain("Zm9yZWlnbi1wcm92aWRlci1zaWduYXR1cmU=", sent);
        Assert.Contains($"\"tool_use_id\":\"{toolId}\"", sent);
        Assert.Contains($"\"id\":\"{toolId}\"", sent);

        // Turn 2's own tool loop: Anthropic's thinking of this turn is kept, the earlier turns' is still left out.
        var loop = Body("claude-opus-5-5", User("hello"), foreign, User(CodeGeneration), assistant, ToolResult(toolId), User(Debugging),
            AssistantToolUse("toolu_02", "c2lnbmVkLWJ5LWFudGhyb3BpYw=="), ToolResult("toolu_02"));
        Assert.Equal(("anthropic/claude-sonnet-4-5", "debugging"), await SendAsync(Post(loop, session, "main", "p-2")));
        using var looped = _anthropic.LastRequest.Json;
        var thinking = looped.RootElement.GetProperty("messages").EnumerateArray()
            .SelectMany(m => m.GetProperty("content").ValueKind == JsonValueKind.Array ? m.GetProperty("content").EnumerateArray() : Enumerable.Empty<JsonElement>())
            .Where(b => b.GetProperty("type").GetString() == "thinking").Select(b => b.GetProperty("signature").GetString()).ToList();
        Assert.Equal(["c2lnbmVkLWJ5LWFudGhyb3BpYw=="], thinking);
    }

    [Fact]
    public async Task A_subagent_holds_its_own_turn_beside_the_main_conversation()
    {
        await StartAsync();
        var session = Guid.NewGuid().ToString();
        Assert.Equal("debugging", (await SendAsync(Post(Body("claude-opus-5-5", User(Debugging)), session, "main", "p-1"))).Route);
        Assert.Equal("code generation", (await SendAsync(Post(Body("claude-opus-5-5", User(CodeGeneration)), session, "subagent", "p-1", agentId: "agent-7"))).Route);
        var mainLoop = Body("claude-opus-5-5", User(Debugging), AssistantToolUse("toolu_1", "s"), ToolResult("toolu_1"));
        Assert.Equal("debugging", (await SendAsync(Post(mainLoop, session, "main", "p-1"))).Route);
        var agentLoop = Body("claude-opus-5-5", User(CodeGeneration), AssistantToolUse("toolu_2", ""), ToolResult("toolu_2"), User(Debugging));
        Assert.Equal("code generation", (await SendAsync(Post(agentLoop, session, "subagent", "p-1", agentId: "agent-7"))).Route);
    }

    [Fact]
    public async Task The_status_line_source_shows_the_sessions_turn_not_its_background_calls_nor_other_sessions()
    {
        await StartAsync(smallFast: true);
        string mine = Guid.NewGuid().ToString(), other = Guid.NewGuid().ToString();
        using (var none = await _gateway.Http.GetAsync($"/switchboard/last?session={mine}")) Assert.Equal(HttpStatusCode.NoContent, none.StatusCode);

        await SendAsync(Post(Body("claude-opus-5-5", User(Debugging)), mine, "main", "p-1"));
        await SendAsync(Post(Body("claude-haiku-4-5-20251001", User(CodeGeneration)), mine, "auxiliary"));
        await SendAsync(Post(Body("claude-opus-5-5", User(CodeGeneration)), other, "main", "o-1"));

        using var last = JsonDocument.Parse(await _gateway.Http.GetStringAsync($"/switchboard/last?session={mine}"));
        Assert.Equal("debugging", last.RootElement.GetProperty("route").GetString());
        Assert.Equal("anthropic/claude-sonnet-4-5", last.RootElement.GetProperty("model").GetString());
    }
}
