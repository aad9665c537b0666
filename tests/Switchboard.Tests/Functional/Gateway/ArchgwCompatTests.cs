using System.ClientModel;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic;
using Microsoft.AspNetCore.Http;
using Anthropic.Models.Messages;
using OpenAI;
using OpenAI.Chat;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>
/// archgw and plano configs (written here, in their shapes) through the real gateway: the router they name answers,
/// their alias targets, top-level routes, route_on_user_only and provider keys mean what they meant there (issue #12).
/// </summary>
[Trait("Kind", "Functional")]
public sealed class ArchgwCompatTests
{
    private const string RouterModel = "hf.co/katanemo/Arch-Router-1.5B.gguf:Q4_K_M";

    /// <summary>An OpenAI chat completion whose message is <paramref name="content"/>: what Ollama serving Arch-Router says.</summary>
    private static string RouterAnswer(string content) =>
        $$"""{"id":"chatcmpl-r","object":"chat.completion","created":1,"model":"{{RouterModel}}","choices":[{"index":0,"message":{"role":"assistant","content":"{{JsonEncodedText.Encode(content)}}"},"finish_reason":"stop"}]}""";

    /// <summary>archgw 0.3.22's Arch-Router-on-Ollama demo, addresses on loopback.</summary>
    private static string ArchgwRouterConfig(Uri router, Uri openAI, string extraRouting = "") => $"""
        version: v0.1.0
        routing:
          model: Arch-Router
          llm_provider: arch-router{extraRouting}
        listeners:
          egress_traffic:
            address: 127.0.0.1
            port: 12000
            message_format: openai
            timeout: 30s
        llm_providers:
          - name: arch-router
            model: arch/{RouterModel}
            base_url: {router.ToString().TrimEnd('/')}
        {RoutedModels(openAI)}
        tracing:
          random_sampling: 100
        """;

    /// <summary>The demos' three models: gpt-4o-mini by default, gpt-4o and gpt-4.1 for the two routes.</summary>
    private static string RoutedModels(Uri openAI) => $"""
          - model: openai/gpt-4o-mini
            access_key: $OPENAI_API_KEY
            base_url: {openAI}v1
            default: true
          - model: openai/gpt-4o
            access_key: $OPENAI_API_KEY
            base_url: {openAI}v1
            routing_preferences:
              - name: code understanding
                description: understand and explain existing code snippets, functions, or libraries
          - model: openai/gpt-4.1
            access_key: $OPENAI_API_KEY
            base_url: {openAI}v1
            routing_preferences:
              - name: code generation
                description: generating new code snippets, functions, or boilerplate based on user prompts or requirements
        """;

    /// <summary>plano 0.4.36's preference-routing override demo, addresses on loopback.</summary>
    private static string PlanoRouterConfig(Uri router, Uri openAI) => $"""
        version: v0.3.0
        overrides:
          llm_routing_model: plano/{RouterModel}
        listeners:
          - type: model
            name: model_listener
            port: 12000
        model_providers:
          - model: plano/{RouterModel}
            base_url: {router.ToString().TrimEnd('/')}
        {RoutedModels(openAI)}
        """;

    private static ChatClient OpenAIChat(TestGateway gateway, string model, string key = "client") =>
        new(model, new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(gateway.BaseUrl, "/v1") });

    /// <summary>The gateway's decision cache outlives a gateway: each request's text is new, so the router is really asked.</summary>
    private static string Unique(string text) => $"{text} (case {Guid.NewGuid():N})";

    [Theory]
    [InlineData("archgw", """{"route": "code generation"}""")]
    [InlineData("plano", """{"route": ["code generation", "code understanding"]}""")] // Plano-Orchestrator's form: the first wins
    public async Task The_router_the_config_names_routes_a_request_for_a_model_it_does_not_serve(string form, string answer)
    {
        await using var router = await FakeUpstream.StartAsync();
        await using var openAI = await FakeUpstream.StartAsync();
        router.RespondJson(RouterAnswer(answer));
        openAI.RespondJson(Canned.OpenAIChat("def slugify(title): ...", "gpt-4.1"));
        var yaml = form == "archgw" ? ArchgwRouterConfig(router.BaseUrl, openAI.BaseUrl) : PlanoRouterConfig(router.BaseUrl, openAI.BaseUrl);
        await using var gateway = await TestGateway.StartAsync(yaml, Yaml.Keys);

        var result = await OpenAIChat(gateway, "gpt-5-not-configured").CompleteChatAsync([new UserChatMessage(Unique("Write a Python function that turns a title into a URL slug."))]);

        Assert.Equal("def slugify(title): ...", result.Value.Content[0].Text);
        var raw = result.GetRawResponse();
        Assert.Equal("openai/gpt-4.1", raw.Headers.TryGetValue("x-switchboard-model", out var model) ? model : null);
        Assert.Equal("code generation", raw.Headers.TryGetValue("x-switchboard-route", out var route) ? route : null);
        Assert.Equal("gpt-4.1", openAI.LastRequest.Json.RootElement.GetProperty("model").GetString());
        // The router was asked, on the entry's endpoint (Ollama's OpenAI API under /v1) with the id after arch/ or plano/.
        var asked = Assert.Single(router.Requests);
        Assert.Equal("/v1/chat/completions", asked.Path);
        Assert.Equal(RouterModel, asked.Json.RootElement.GetProperty("model").GetString());
        Assert.Contains("code generation", asked.Json.RootElement.GetProperty("messages")[0].GetProperty("content").GetString());
        var id = raw.Headers.TryGetValue("x-switchboard-request-id", out var requestId) ? requestId : null;
        Assert.Contains("router=llm route=code generation model=openai/gpt-4.1 reason=matched", await gateway.Logs.WaitForLineAsync($"route {id} "));

        // The router entry serves the router only: clients can neither see it nor name it (naming it is routed like any unknown model).
        Assert.DoesNotContain("Arch-Router", await gateway.Http.GetStringAsync("/v1/models"));
        using var direct = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", $$"""{"model":"{{form}}/{{RouterModel}}","messages":[{"role":"user","content":"{{Unique("hi")}}"}]}"""));
        Assert.Equal("openai/gpt-4.1", direct.Headers.GetValues("x-switchboard-model").Single());
    }

    [Fact]
    public async Task An_archgw_alias_with_a_bare_target_reaches_that_model()
    {
        await using var anthropic = await FakeUpstream.StartAsync();
        anthropic.RespondJson(Canned.AnthropicMessage("quick title", "claude-haiku-4-5"));
        await using var gateway = await TestGateway.StartAsync($"""
            version: v0.1
            llm_providers:
              - model: anthropic/claude-sonnet-4-5
                default: true
                access_key: $ANTHROPIC_API_KEY
                base_url: {anthropic.BaseUrl}
              - model: anthropic/claude-haiku-4-5
                access_key: $ANTHROPIC_API_KEY
                base_url: {anthropic.BaseUrl}
            model_aliases:
              arch.claude.code.small.fast:
                target: claude-haiku-4-5
            """, Yaml.Keys);
        var client = new AnthropicClient { ApiKey = "client", BaseUrl = gateway.BaseUrl.ToString().TrimEnd('/'), MaxRetries = 0 };

        var message = await client.Messages.Create(new MessageCreateParams
        {
            Model = "arch.claude.code.small.fast",
            MaxTokens = 50,
            Messages = [new UserMessageParam { Content = "Title for this chat?" }],
        });

        Assert.Equal("quick title", string.Concat(message.Content.Select(b => b.TryPickText(out var t) ? t.Text : "")));
        Assert.Equal("claude-haiku-4-5", anthropic.LastRequest.Json.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Top_level_routing_preferences_route_to_their_first_model_and_fall_back_in_order()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync($"""
            version: v0.4.0
            listeners:
              - type: model
                name: model_listener
                port: 12000
                max_retries: 0
            model_providers:
              - model: openai/gpt-4o-mini
                access_key: $OPENAI_API_KEY
                base_url: {openAI.BaseUrl}v1
                default: true
              - model: openai/gpt-4o
                access_key: $OPENAI_API_KEY
                base_url: {openAI.BaseUrl}v1
              - model: anthropic/claude-sonnet-4-6
                access_key: $ANTHROPIC_API_KEY
                base_url: {anthropic.BaseUrl}
            routing_preferences:
              - name: complex_reasoning
                description: complex reasoning tasks, multi-step analysis, or detailed explanations
                models:
                  - openai/gpt-4o
                  - openai/gpt-4o-mini
              - name: code_generation
                description: generating new code, writing functions, or creating boilerplate
                models:
                  - anthropic/claude-sonnet-4-6
                  - openai/gpt-4o
            """, Yaml.Keys);
        anthropic.RespondJson(Canned.AnthropicMessage("def slugify(title): ...", "claude-sonnet-4-6"));
        var request = $$"""{"model":"gpt-5","messages":[{"role":"user","content":"{{Unique("Write a Python function that turns a title into a URL slug.")}}"}]}""";

        using (var routed = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", request)))
        {
            Assert.Equal(HttpStatusCode.OK, routed.StatusCode);
            Assert.Equal("code_generation", routed.Headers.GetValues("x-switchboard-route").Single());
            Assert.Equal("anthropic/claude-sonnet-4-6", routed.Headers.GetValues("x-switchboard-model").Single());
            Assert.Contains("def slugify", await routed.Content.ReadAsStringAsync());
        }

        // The first model fails: the route's next model answers.
        anthropic.RespondJson("""{"type":"error","error":{"type":"api_error","message":"overloaded"}}""", status: 500);
        openAI.RespondJson(Canned.OpenAIChat("from gpt-4o", "gpt-4o"));
        using var fallback = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", request));
        Assert.Equal(HttpStatusCode.OK, fallback.StatusCode);
        Assert.Equal("openai/gpt-4o", fallback.Headers.GetValues("x-switchboard-model").Single());
        Assert.Equal("gpt-4o", openAI.LastRequest.Json.RootElement.GetProperty("model").GetString());
        Assert.Equal(2, anthropic.Requests.Count); // no retry: the listener's max_retries is 0
    }

    /// <summary>A Claude Code–shaped conversation: the user's text, then (optionally) a tool round trip.</summary>
    private static string Conversation(string userText, bool toolRoundTrip, string? nextUserText = null)
    {
        var messages = new JsonArray { new JsonObject { ["role"] = "user", ["content"] = userText } };
        if (toolRoundTrip)
        {
            messages.Add(new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = new JsonArray
                {
                    new JsonObject { ["type"] = "text", ["text"] = "Let me look at the existing helpers first." },
                    new JsonObject { ["type"] = "tool_use", ["id"] = "toolu_1", ["name"] = "Read", ["input"] = new JsonObject { ["file_path"] = "util.py" } },
                },
            });
            messages.Add(new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray
                {
                    new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = "toolu_1", ["content"] = "def helper(): pass" },
                    new JsonObject { ["type"] = "text", ["text"] = "<system-reminder>files may have changed</system-reminder>" },
                },
            });
        }
        if (nextUserText is not null)
        {
            messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = "Done: slugify is in util.py." });
            messages.Add(new JsonObject { ["role"] = "user", ["content"] = nextUserText });
        }
        return new JsonObject { ["model"] = "claude-opus-4-5", ["max_tokens"] = 100, ["messages"] = messages }.ToJsonString();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Route_on_user_only_keeps_the_user_turns_decision_through_tool_round_trips(bool routeOnUserOnly)
    {
        await using var router = await FakeUpstream.StartAsync();
        await using var openAI = await FakeUpstream.StartAsync();
        openAI.Handler = (c, r) =>
        {
            c.Response.ContentType = "application/json";
            return c.Response.WriteAsync(Canned.OpenAIChat("ok", r.Json.RootElement.GetProperty("model").GetString()!));
        };
        await using var gateway = await TestGateway.StartAsync(
            ArchgwRouterConfig(router.BaseUrl, openAI.BaseUrl, routeOnUserOnly ? "\n  route_on_user_only: true" : ""), Yaml.Keys);
        var ask = Unique("Write a Python function that turns a title into a URL slug.");

        async Task<string> ModelFor(string body)
        {
            using var response = await gateway.Http.SendAsync(JsonPost("/v1/messages", body));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return response.Headers.GetValues("x-switchboard-model").Single();
        }

        router.RespondJson(RouterAnswer("""{"route": "code generation"}"""));
        Assert.Equal("openai/gpt-4.1", await ModelFor(Conversation(ask, toolRoundTrip: false)));

        // The tool round trip ends with a tool result: with route_on_user_only the router is not asked, and the decision holds.
        router.RespondJson(RouterAnswer("""{"route": "code understanding"}"""));
        var afterTool = await ModelFor(Conversation(ask, toolRoundTrip: true));
        if (routeOnUserOnly)
        {
            Assert.Equal("openai/gpt-4.1", afterTool);
            Assert.Single(router.Requests);
        }
        else
        {
            Assert.Equal("openai/gpt-4o", afterTool); // re-routed on the assistant's new text
            Assert.Equal(2, router.Requests.Count);
        }

        // A new user turn with text is routed again either way.
        Assert.Equal("openai/gpt-4o", await ModelFor(Conversation(ask, toolRoundTrip: true, nextUserText: "Now explain how the regex in it works.")));
        Assert.Equal(routeOnUserOnly ? 2 : 3, router.Requests.Count);
    }

    private static string ProviderKeysConfig(Uri upstream, string extra = "") => $"""
        model_providers:
          - model: openai/gpt-4o-litellm
            base_url: {upstream}v1
            passthrough_auth: true
            default: true
          - model: moonshotai/kimi-for-coding
            access_key: $MOONSHOTAI_API_KEY
            base_url: {upstream}coding/v1
            http_host: api.kimi.example
            headers:
              User-Agent: "KimiCLI/1.3"
              X-Account: $KIMI_ACCOUNT
        {extra}
        """;

    private static readonly Dictionary<string, string> ProviderKeys = new()
    {
        ["MOONSHOTAI_API_KEY"] = "sk-kimi-SECRET-3333",
        ["KIMI_ACCOUNT"] = "acct-42",
    };

    [Fact]
    public async Task Provider_headers_and_http_host_are_sent_upstream_after_the_key()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Canned.OpenAIChat("hi", "kimi-for-coding"));
        await using var gateway = await TestGateway.StartAsync(ProviderKeysConfig(upstream.BaseUrl), ProviderKeys);

        await OpenAIChat(gateway, "kimi-for-coding").CompleteChatAsync([new UserChatMessage("hi")]);

        var sent = upstream.LastRequest;
        Assert.Equal("/coding/v1/chat/completions", sent.Path);
        Assert.Equal("KimiCLI/1.3", sent.Header("user-agent"));
        Assert.Equal("acct-42", sent.Header("x-account"));
        Assert.Equal("api.kimi.example", sent.Header("host"));
        Assert.Equal("Bearer sk-kimi-SECRET-3333", sent.Header("authorization"));
    }

    [Fact]
    public async Task Passthrough_auth_forwards_the_clients_own_authorization_instead_of_a_key()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Canned.OpenAIChat("hi", "gpt-4o-litellm"));
        await using var gateway = await TestGateway.StartAsync(ProviderKeysConfig(upstream.BaseUrl), ProviderKeys);

        await OpenAIChat(gateway, "gpt-4o-litellm", key: "sk-litellm-user-7").CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal("Bearer sk-litellm-user-7", upstream.LastRequest.Header("authorization"));
        var health = await gateway.Http.GetStringAsync("/healthz?verbose=true");
        Assert.Contains("\"model\":\"openai/gpt-4o-litellm\",\"provider\":\"openai\",\"api\":\"openai\",\"key_set\":true", health);
    }

    [Fact]
    public async Task Passthrough_auth_never_forwards_a_gateway_key()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Canned.OpenAIChat("hi", "gpt-4o-litellm"));
        await using var gateway = await TestGateway.StartAsync(ProviderKeysConfig(upstream.BaseUrl, "gateway_keys: [team-gateway-key]"), ProviderKeys);
        const string Body = """{"model":"gpt-4o-litellm","messages":[{"role":"user","content":"hi"}]}""";

        // The gateway key in x-api-key: the client's own Authorization is its provider credential, and travels.
        using (var request = JsonPost("/v1/chat/completions", Body))
        {
            request.Headers.Add("x-api-key", "team-gateway-key");
            request.Headers.Add("Authorization", "Bearer sk-litellm-user-7");
            using var response = await gateway.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Bearer sk-litellm-user-7", upstream.LastRequest.Header("authorization"));
            Assert.Null(upstream.LastRequest.Header("x-api-key"));
        }

        // The gateway key in Authorization: nothing is forwarded.
        using (var request = JsonPost("/v1/chat/completions", Body))
        {
            request.Headers.Add("Authorization", "Bearer team-gateway-key");
            using var response = await gateway.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Null(upstream.LastRequest.Header("authorization"));
        }
    }

    [Fact]
    public async Task The_listeners_timeout_is_the_request_timeout()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = async (c, _) => await Task.Delay(TimeSpan.FromSeconds(30), c.RequestAborted);
        await using var gateway = await TestGateway.StartAsync($"""
            listeners:
              egress_traffic:
                address: 127.0.0.1
                port: 12000
                timeout: 1s
                max_retries: 0
            llm_providers:
              - model: openai/gpt-4o
                access_key: $OPENAI_API_KEY
                base_url: {upstream.BaseUrl}v1
                default: true
            """, Yaml.Keys);

        using var response = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("within 1 s", error.RootElement.GetProperty("error").GetProperty("message").GetString());
        Assert.Single(upstream.Requests); // max_retries: 0 from the listener
    }
}
