using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>Preference routing inside the real gateway: headers, logs, dry runs, and routers that fail.</summary>
[Trait("Kind", "Functional")]
public sealed class RoutingIntegrationTests
{
    private static string Policy(Uri openAI, Uri anthropic, string routing = "") => $"""
        model_providers:
          - model: openai/gpt-4.1
            access_key: $OPENAI_API_KEY
            base_url: {openAI}v1
            default: true
            routing_preferences:
              - name: code generation
                description: generating new code snippets, functions, classes, scripts or boilerplate
          - model: anthropic/claude-sonnet-4-5
            access_key: $ANTHROPIC_API_KEY
            base_url: {anthropic}
            routing_preferences:
              - name: code understanding
                description: explaining, reviewing or analyzing existing code for readability, correctness and improvements
              - name: debugging
                description: finding and fixing bugs, errors, crashes, failing tests and performance problems
        {routing}
        """;

    /// <summary>The request Claude Code 2.1.330 really sends, with its last user text replaced.</summary>
    private static string ClaudeCodeRequest(string userText)
    {
        var root = JsonNode.Parse(File.ReadAllText(RepoPaths.Fixture("claude-code-2.1.330-request.json")))!;
        var content = root["messages"]![0]!["content"]!.AsArray();
        content[^1] = new JsonObject { ["type"] = "text", ["text"] = userText };
        root["stream"] = false;
        return root.ToJsonString();
    }

    [Fact]
    public async Task A_claude_code_request_is_routed_by_its_latest_user_intent()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Policy(openAI.BaseUrl, anthropic.BaseUrl), Yaml.Keys);
        anthropic.RespondJson(Canned.AnthropicMessage("It doubles x."));

        using var response = await gateway.Http.SendAsync(JsonPost("/v1/messages?beta=true", ClaudeCodeRequest("Explain what this function does and whether it is readable: def f(x): return x * 2")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("code understanding", response.Headers.GetValues("x-switchboard-route").Single());
        Assert.Equal("anthropic/claude-sonnet-4-5", response.Headers.GetValues("x-switchboard-model").Single());
        Assert.Equal("claude-sonnet-4-5", anthropic.LastRequest.Json.RootElement.GetProperty("model").GetString());
        var id = response.Headers.GetValues("x-switchboard-request-id").Single();
        var decision = await gateway.Logs.WaitForLineAsync($"route {id} ");
        Assert.Contains("router=embedded route=code understanding model=anthropic/claude-sonnet-4-5 reason=matched", decision);
        Assert.Matches(@"decision_ms=\d+\.\d+", decision);
        var request = await gateway.Logs.WaitForLineAsync($"request {id} ");
        Assert.Contains("requested=claude-opus-5-5", request);
        Assert.Contains("route=code understanding selection=routed", request);
    }

    [Fact]
    public async Task A_claude_code_request_routed_to_an_openai_compatible_model_is_translated_and_streamed()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Policy(openAI.BaseUrl, anthropic.BaseUrl), Yaml.Keys);
        openAI.RespondSse([OpenAIChunks.Role(), OpenAIChunks.Text("def slugify(s):"), OpenAIChunks.Text(" ..."), OpenAIChunks.Finish("stop"), OpenAIChunks.Usage(1200, 9), OpenAIChunks.Done]);
        var request = JsonNode.Parse(ClaudeCodeRequest("Write a Python function that turns a title into a URL slug."))!;
        request["stream"] = true;

        using var response = await gateway.Http.SendAsync(JsonPost("/v1/messages?beta=true", request.ToJsonString()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("code generation", response.Headers.GetValues("x-switchboard-route").Single());
        Assert.Equal("openai/gpt-4.1", response.Headers.GetValues("x-switchboard-model").Single());
        Assert.Equal("openai", response.Headers.GetValues("x-switchboard-provider").Single());
        var body = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("event: message_start", body);
        Assert.Contains("def slugify(s):", body);
        Assert.Contains("event: message_stop", body);

        // Upstream got an OpenAI request: the system prompt as a system message, Claude Code's tools as functions, the cap applied.
        var upstream = openAI.LastRequest.Json.RootElement;
        Assert.Equal("gpt-4.1", upstream.GetProperty("model").GetString());
        Assert.Equal("system", upstream.GetProperty("messages")[0].GetProperty("role").GetString());
        Assert.Contains(upstream.GetProperty("tools").EnumerateArray(), t => t.GetProperty("function").GetProperty("name").GetString() == "Bash");
        Assert.True(upstream.GetProperty("max_tokens").GetInt32() <= 32768);
        Assert.Equal("Bearer " + Yaml.Keys["OPENAI_API_KEY"], openAI.LastRequest.Header("authorization"));

        var id = response.Headers.GetValues("x-switchboard-request-id").Single();
        Assert.Contains("router=embedded route=code generation model=openai/gpt-4.1 reason=matched", await gateway.Logs.WaitForLineAsync($"route {id} "));
        var line = await gateway.Logs.WaitForLineAsync($"request {id} api=");
        Assert.Contains("api=anthropic", line);
        Assert.Contains("stream=True input_tokens=1200 output_tokens=9", line);
    }

    [Fact]
    public async Task No_fitting_route_falls_back_to_the_default_and_literals_bypass_routing()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Policy(openAI.BaseUrl, anthropic.BaseUrl), Yaml.Keys);
        openAI.RespondJson(Canned.OpenAIChat());

        using var other = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", """{"model":"mystery-model","messages":[{"role":"user","content":"what is the weather like in Paris in spring?"}]}"""));
        Assert.Equal("none", other.Headers.GetValues("x-switchboard-route").Single());
        Assert.Equal("openai/gpt-4.1", other.Headers.GetValues("x-switchboard-model").Single());
        await gateway.Logs.WaitForLineAsync("reason=other");

        using var literal = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", """{"model":"openai/gpt-4.1","messages":[{"role":"user","content":"fix this crash: NullReferenceException at Parse()"}]}"""));
        Assert.Equal("none", literal.Headers.GetValues("x-switchboard-route").Single());
        Assert.Equal("openai/gpt-4.1", literal.Headers.GetValues("x-switchboard-model").Single());
    }

    [Fact]
    public async Task The_route_header_forces_or_skips_routing()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Policy(openAI.BaseUrl, anthropic.BaseUrl), Yaml.Keys);
        anthropic.RespondJson(Canned.AnthropicMessage());
        openAI.RespondJson(Canned.OpenAIChat());

        var forced = JsonPost("/v1/chat/completions", """{"model":"openai/gpt-4.1","messages":[{"role":"user","content":"write a sort function"}]}""");
        forced.Headers.Add("x-switchboard-route", "debugging");
        using (var response = await gateway.Http.SendAsync(forced))
        {
            Assert.Equal("debugging", response.Headers.GetValues("x-switchboard-route").Single());
            Assert.Equal("anthropic/claude-sonnet-4-5", response.Headers.GetValues("x-switchboard-model").Single());
        }
        var skipped = JsonPost("/v1/chat/completions", """{"model":"mystery","messages":[{"role":"user","content":"fix this crash: NullReferenceException"}]}""");
        skipped.Headers.Add("x-switchboard-route", "none");
        using (var response = await gateway.Http.SendAsync(skipped))
        {
            Assert.Equal("none", response.Headers.GetValues("x-switchboard-route").Single());
            Assert.Equal("openai/gpt-4.1", response.Headers.GetValues("x-switchboard-model").Single());
        }
        await gateway.Logs.WaitForLineAsync("reason=skipped");
    }

    [Fact]
    public async Task The_dry_run_endpoint_decides_without_calling_a_provider()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Policy(openAI.BaseUrl, anthropic.BaseUrl), Yaml.Keys);

        using var response = await gateway.Http.SendAsync(JsonPost("/v1/route", ClaudeCodeRequest("my tests fail with a segfault after the last commit, find the bug")));
        using var decision = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = decision.RootElement;
        Assert.Equal("debugging", root.GetProperty("route").GetString());
        Assert.Equal("anthropic/claude-sonnet-4-5", root.GetProperty("model").GetString());
        Assert.Equal("embedded", root.GetProperty("router").GetString());
        Assert.Equal("matched", root.GetProperty("reason").GetString());
        Assert.True(root.GetProperty("latency_ms").GetDouble() >= 0);

        var forced = JsonPost("/v1/route", """{"messages":[{"role":"user","content":"hello"}]}""");
        forced.Headers.Add("x-switchboard-route", "code generation");
        using var forcedResponse = await gateway.Http.SendAsync(forced);
        using var forcedDecision = JsonDocument.Parse(await forcedResponse.Content.ReadAsStringAsync());
        Assert.Equal(("code generation", "forced", "forced"), (forcedDecision.RootElement.GetProperty("route").GetString(),
            forcedDecision.RootElement.GetProperty("router").GetString(), forcedDecision.RootElement.GetProperty("reason").GetString()));
        Assert.Empty(openAI.Requests);
        Assert.Empty(anthropic.Requests);
    }

    [Fact]
    public async Task A_cursor_request_is_routed_by_its_user_query_and_a_copilot_slash_command_by_its_activity()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Policy(openAI.BaseUrl, anthropic.BaseUrl), Yaml.Keys);
        openAI.RespondJson(Canned.OpenAIChat("added"));
        // Cursor's attached file and linter errors name errors; the request is new code. Read whole, it went to debugging.
        var cursor = new JsonObject
        {
            ["model"] = "cursor-default",
            ["messages"] = new JsonArray(new JsonObject
            {
                ["role"] = "user",
                ["content"] = "<additional_data>\n<attached_files>\n<file_contents path=\"src/forms/Signup.tsx\" lines=\"1-4\">\n"
                    + "export function Signup() {\n  const [email, setEmail] = useState('');\n  return <form>...</form>;\n}\n</file_contents>\n</attached_files>\n"
                    + "<linter_errors>\nPath: src/forms/Signup.tsx\nErrors:\nL3: 'useEffect' is declared but its value is never read.\nL9: Unexpected any. Specify a different type.\n</linter_errors>\n"
                    + "</additional_data>\n<user_query>\nadd input validation to this form: email must be valid, phone optional but digits only\n</user_query>",
            }),
        };

        using var response = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", cursor.ToJsonString()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("code generation", response.Headers.GetValues("x-switchboard-route").Single());
        Assert.Single(openAI.Requests);
        Assert.Empty(anthropic.Requests);

        // Copilot's /tests on a selection asks for new code (tests), though all it shows is existing code.
        var copilot = new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "/tests #selection\n```python\ndef prorate(amount, days, period):\n    return round(amount * days / period, 2)\n```" }),
        };
        using var dryRun = await gateway.Http.SendAsync(JsonPost("/v1/route", copilot.ToJsonString()));
        using var decision = JsonDocument.Parse(await dryRun.Content.ReadAsStringAsync());
        Assert.Equal("code generation", decision.RootElement.GetProperty("route").GetString());
    }

    [Fact]
    public async Task A_slow_or_broken_llm_router_never_fails_the_request()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        await using var router = await FakeUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Policy(openAI.BaseUrl, anthropic.BaseUrl, $"""
            routing:
              router: llm
              base_url: {router.BaseUrl}v1
              model: arch-router
              timeout_ms: 3000
            """), Yaml.Keys); // 3 s, not 0.3 s: the router's quick answers below must not time out on a loaded machine
        openAI.RespondJson(Canned.OpenAIChat("default answered"));

        router.Handler = async (c, _) => await Task.Delay(30_000, c.RequestAborted); // until the gateway gives up
        using (var response = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", """{"model":"mystery","messages":[{"role":"user","content":"explain this code"}]}""")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("openai/gpt-4.1", response.Headers.GetValues("x-switchboard-model").Single());
        }
        await gateway.Logs.WaitForLineAsync("router=llm route=none model=openai/gpt-4.1 reason=timeout");

        router.RespondJson("""{"error":{"message":"model not loaded"}}""", 500);
        using (var response = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", """{"model":"mystery","messages":[{"role":"user","content":"explain this other code"}]}""")))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await gateway.Logs.WaitForLineAsync("reason=error");

        router.RespondJson("""{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"{\"route\": \"debugging\"}"},"finish_reason":"stop"}]}""");
        anthropic.RespondJson(Canned.AnthropicMessage());
        using (var response = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", """{"model":"mystery","messages":[{"role":"user","content":"why does it crash"}]}""")))
        {
            Assert.Equal("debugging", response.Headers.GetValues("x-switchboard-route").Single());
            Assert.Equal("anthropic/claude-sonnet-4-5", response.Headers.GetValues("x-switchboard-model").Single());
        }
        var prompt = router.Requests.Last().Json.RootElement.GetProperty("messages")[0].GetProperty("content").GetString();
        Assert.Contains("<routes>", prompt);
        Assert.Contains("why does it crash", prompt);
    }
}
