using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using OpenAI;
using OpenAI.Chat;
using static Switchboard.Tests.TestKit.FakeResponsesApi;


namespace Switchboard.Tests.Functional.Gateway;

/// <summary>
/// The real gateway in front of a fake OpenAI Responses API (models served only at /v1/responses), driven by the official
/// OpenAI (chat) and Anthropic SDKs: text, streams, a tool round with reasoning whose encrypted content comes back to the
/// upstream on the next turn, errors in each client's format, a stream cut short, and how the model's API is chosen.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class ResponsesUpstreamTests : IAsyncLifetime
{
    private const string Key = "sk-test-openai-SECRET-1111";
    private const string Encrypted = "gAAAAABo+Enc/rypted==";
    private FakeUpstream _openai = null!;
    private FakeUpstream _corp = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _openai = await FakeUpstream.StartAsync();
        _corp = await FakeUpstream.StartAsync();
        // openai/gpt-5.3-codex is Responses-only by name; corp/reasoner says so with provider_interface.
        _gateway = await TestGateway.StartAsync($"""
            version: v1
            model_providers:
              - model: openai/gpt-5.3-codex
                access_key: $OPENAI_API_KEY
                base_url: {_openai.BaseUrl.ToString().TrimEnd('/')}/v1
                default: true
              - model: corp/reasoner
                provider_interface: openai_responses
                base_url: {_corp.BaseUrl.ToString().TrimEnd('/')}/api/v2
            """, new Dictionary<string, string> { ["OPENAI_API_KEY"] = Key });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _openai.DisposeAsync();
        await _corp.DisposeAsync();
    }

    private ChatClient OpenAISdk(string model = "openai/gpt-5.3-codex") =>
        new(model, new ApiKeyCredential("client"), new OpenAIClientOptions { Endpoint = new Uri(_gateway.BaseUrl, "/v1"), RetryPolicy = new ClientRetryPolicy(0) });

    /// <summary>A second gateway serving every openai/* id from the fake OpenAI (Chat or Responses by the id).</summary>
    private Task<TestGateway> OpenAIWildcardGatewayAsync() => TestGateway.StartAsync($"""
        version: v1
        model_providers:
          - model: openai/*
            access_key: $OPENAI_API_KEY
            base_url: {_openai.BaseUrl.ToString().TrimEnd('/')}/v1
            default: true
        """, new Dictionary<string, string> { ["OPENAI_API_KEY"] = Key });

    private AnthropicClient AnthropicSdk() => new() { ApiKey = "client", BaseUrl = _gateway.BaseUrl.ToString().TrimEnd('/'), MaxRetries = 0 };

    private static JsonObject TextAnswer(string text = "Hello from codex.") =>
        Response("resp_1", "gpt-5.3-codex", [Reasoning("rs_1", "**Greeting**", Encrypted), Message("msg_1", text)],
            inputTokens: 120, cachedTokens: 100, outputTokens: 30, reasoningTokens: 20);

    [Fact]
    public async Task OpenAI_sdk_gets_text_from_a_responses_only_model()
    {
        Serve(_openai, TextAnswer());
        ClientResult<ChatCompletion> result = await OpenAISdk().CompleteChatAsync(
            [new SystemChatMessage("Be brief."), new UserChatMessage("Hi")], new ChatCompletionOptions { MaxOutputTokenCount = 500 });
        ChatCompletion completion = result.Value;

        Assert.Equal("Hello from codex.", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(120, completion.Usage.InputTokenCount);
        Assert.Equal(100, completion.Usage.InputTokenDetails.CachedTokenCount);
        Assert.Equal(30, completion.Usage.OutputTokenCount);
        Assert.Equal(20, completion.Usage.OutputTokenDetails.ReasoningTokenCount);
        JsonElement raw = JsonDocument.Parse(result.GetRawResponse().Content).RootElement.GetProperty("choices")[0].GetProperty("message");
        Assert.Equal("**Greeting**", raw.GetProperty("reasoning_content").GetString());
        Assert.Equal(Encrypted, raw.GetProperty("reasoning_details")[0].GetProperty("data").GetString());
        Assert.Equal("rs_1", raw.GetProperty("reasoning_details")[0].GetProperty("id").GetString());

        RecordedRequest sent = _openai.LastRequest;
        Assert.Equal("/v1/responses", sent.Path);
        Assert.Equal("Bearer " + Key, sent.Header("authorization"));
        JsonElement body = sent.Json.RootElement;
        Assert.Equal("gpt-5.3-codex", body.GetProperty("model").GetString());
        Assert.Equal("Be brief.", body.GetProperty("instructions").GetString());
        Assert.Equal("Hi", body.GetProperty("input")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(500, body.GetProperty("max_output_tokens").GetInt32());
        Assert.False(body.GetProperty("store").GetBoolean());
        Assert.Equal("reasoning.encrypted_content", body.GetProperty("include")[0].GetString());
        Assert.False(body.TryGetProperty("messages", out _));
    }

    [Fact]
    public async Task OpenAI_sdk_streams_text_with_usage()
    {
        Serve(_openai, TextAnswer("Streamed from codex."));
        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (StreamingChatCompletionUpdate update in OpenAISdk().CompleteChatStreamingAsync([new UserChatMessage("Hi")]))
        {
            foreach (ChatMessageContentPart part in update.ContentUpdate) text.Append(part.Text);
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }
        Assert.Equal("Streamed from codex.", text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.Equal(120, usage!.InputTokenCount);
        Assert.Equal(30, usage.OutputTokenCount);
        Assert.True(_openai.LastRequest.Json.RootElement.GetProperty("stream").GetBoolean());
        Assert.Equal("/v1/responses", _openai.LastRequest.Path);
    }

    [Fact]
    public async Task Anthropic_sdk_tool_round_with_thinking_sends_the_encrypted_reasoning_back()
    {
        Serve(_openai, Response("resp_t", "gpt-5.3-codex",
            [Reasoning("rs_tool", "Need the weather.", Encrypted), FunctionCall("fc_1", "call_W1", "get_weather", """{"city":"Paris"}""")],
            inputTokens: 40, outputTokens: 12, reasoningTokens: 8));
        var thinking = new StringBuilder();
        var toolJson = new StringBuilder();
        string? signature = null, toolId = null, toolName = null, stopReason = null;
        var blocks = new List<string>();
        await foreach (var ev in AnthropicSdk().Messages.CreateStreaming(new MessageCreateParams
        {
            Model = "openai/gpt-5.3-codex",
            MaxTokens = 32000,
            Thinking = new ThinkingConfigEnabled { BudgetTokens = 20000 },
            Tools = [new Tool
            {
                Name = "get_weather",
                Description = "Current weather for a city",
                InputSchema = new InputSchema { Properties = new Dictionary<string, JsonElement> { ["city"] = JsonDocument.Parse("""{"type":"string"}""").RootElement }, Required = ["city"] },
            }],
            Messages = [new UserMessageParam { Content = "Weather in Paris?" }],
        }))
        {
            if (ev.TryPickContentBlockStart(out var start))
            {
                if (start.ContentBlock.TryPickToolUse(out var toolUse)) { toolId = toolUse.ID; toolName = toolUse.Name; blocks.Add("tool_use"); }
                else if (start.ContentBlock.TryPickThinking(out _)) blocks.Add("thinking");
                else blocks.Add("text");
            }
            if (ev.TryPickContentBlockDelta(out var delta))
            {
                if (delta.Delta.TryPickThinking(out var t)) thinking.Append(t.Thinking);
                if (delta.Delta.TryPickSignature(out var s)) signature = s.Signature;
                if (delta.Delta.TryPickInputJson(out var j)) toolJson.Append(j.PartialJson);
            }
            if (ev.TryPickDelta(out var messageDelta)) stopReason = messageDelta.Delta.StopReason?.ToString();
        }

        Assert.Equal(["thinking", "tool_use"], blocks);
        Assert.Equal("Need the weather.", thinking.ToString());
        Assert.Equal("openai-responses:rs_tool:" + Encrypted, signature);
        Assert.Equal("call_W1", toolId);
        Assert.Equal("get_weather", toolName);
        Assert.Equal("Paris", JsonDocument.Parse(toolJson.ToString()).RootElement.GetProperty("city").GetString());
        Assert.Contains("tool_use", stopReason);
        JsonElement first = _openai.LastRequest.Json.RootElement;
        Assert.Equal("high", first.GetProperty("reasoning").GetProperty("effort").GetString());
        Assert.Equal("get_weather", first.GetProperty("tools")[0].GetProperty("name").GetString());
        Assert.False(first.GetProperty("tools")[0].GetProperty("strict").GetBoolean());

        // The next turn, as Claude Code sends it: the thinking block (with its signature) and the tool result.
        Serve(_openai, TextAnswer("18C and sunny."));
        string followUp = JsonSerializer.Serialize(new
        {
            model = "openai/gpt-5.3-codex",
            max_tokens = 32000,
            messages = new object[]
            {
                new { role = "user", content = "Weather in Paris?" },
                new { role = "assistant", content = new object[]
                {
                    new { type = "thinking", thinking = thinking.ToString(), signature },
                    new { type = "tool_use", id = toolId, name = toolName, input = new { city = "Paris" } },
                } },
                new { role = "user", content = new object[] { new { type = "tool_result", tool_use_id = toolId, content = "18C" } } },
            },
        });
        using var response = await _gateway.Http.SendAsync(TestRequests.JsonPost("/v1/messages", followUp));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonNode message = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("thinking", (string?)message["content"]![0]!["type"]);
        Assert.Equal("18C and sunny.", (string?)message["content"]![1]!["text"]);

        JsonElement input = _openai.LastRequest.Json.RootElement.GetProperty("input");
        Assert.Equal("reasoning", input[1].GetProperty("type").GetString());
        Assert.Equal("rs_tool", input[1].GetProperty("id").GetString());
        Assert.Equal(Encrypted, input[1].GetProperty("encrypted_content").GetString());
        Assert.Equal("function_call", input[2].GetProperty("type").GetString());
        Assert.Equal("call_W1", input[2].GetProperty("call_id").GetString());
        Assert.Equal("function_call_output", input[3].GetProperty("type").GetString());
        Assert.Equal("18C", input[3].GetProperty("output").GetString());
    }

    [Fact]
    public async Task OpenAI_sdk_tool_round_with_reasoning_sends_the_encrypted_reasoning_back()
    {
        Serve(_corp, Response("resp_c", "reasoner",
            [Reasoning("rs_c", "", Encrypted), FunctionCall("fc_c", "call_C1", "now", "{}")], outputTokens: 9, reasoningTokens: 7));
        ChatClient chat = OpenAISdk("corp/reasoner");
#pragma warning disable OPENAI001 // reasoning_effort is still marked experimental in the SDK
        var options = new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("now", "The time") }, ReasoningEffortLevel = ChatReasoningEffortLevel.Low };
#pragma warning restore OPENAI001
        ClientResult<ChatCompletion> first = await chat.CompleteChatAsync([new UserChatMessage("What time is it?")], options);
        Assert.Equal(ChatFinishReason.ToolCalls, first.Value.FinishReason);
        ChatToolCall call = Assert.Single(first.Value.ToolCalls);
        Assert.Equal("call_C1", call.Id);
        Assert.Equal("now", call.FunctionName);
        Assert.Equal("/api/v2/responses", _corp.LastRequest.Path);
        Assert.Null(_corp.LastRequest.Header("authorization")); // no key configured for corp
        Assert.Equal("low", _corp.LastRequest.Json.RootElement.GetProperty("reasoning").GetProperty("effort").GetString());

        // The client keeps the assistant message as it came (reasoning_details included), as OpenRouter-aware clients do,
        // and sends it back with the tool result through the SDK's protocol method.
        JsonNode assistant = JsonNode.Parse(first.GetRawResponse().Content.ToString())!["choices"]![0]!["message"]!;
        Serve(_corp, Response("resp_c2", "reasoner", [Message("msg_c2", "It is noon.")]));
        var next = new JsonObject
        {
            ["model"] = "corp/reasoner",
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = "What time is it?" },
                assistant.DeepClone(),
                new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_C1", ["content"] = "12:00" }),
        };
        ClientResult second = await chat.CompleteChatAsync(BinaryContent.Create(BinaryData.FromString(next.ToJsonString())));
        Assert.Equal("It is noon.", (string?)JsonNode.Parse(second.GetRawResponse().Content.ToString())!["choices"]![0]!["message"]!["content"]);

        JsonElement input = _corp.LastRequest.Json.RootElement.GetProperty("input");
        Assert.Equal("reasoning", input[1].GetProperty("type").GetString());
        Assert.Equal("rs_c", input[1].GetProperty("id").GetString());
        Assert.Equal(Encrypted, input[1].GetProperty("encrypted_content").GetString());
        Assert.Equal("call_C1", input[2].GetProperty("call_id").GetString());
        Assert.Equal("12:00", input[3].GetProperty("output").GetString());
    }

    [Fact]
    public async Task Upstream_errors_reach_each_sdk_in_its_format_with_the_status()
    {
        _openai.RespondJson(Error("Invalid 'input[0].content': empty.", param: "input[0].content", code: "empty_string"), 400);
        var openAIError = await Assert.ThrowsAsync<ClientResultException>(() => OpenAISdk().CompleteChatAsync([new UserChatMessage("x")]));
        Assert.Equal(400, openAIError.Status);
        JsonElement error = JsonDocument.Parse(openAIError.GetRawResponse()!.Content).RootElement.GetProperty("error");
        Assert.Equal("input[0].content", error.GetProperty("param").GetString()); // Chat clients get the body unchanged
        Assert.Equal("empty_string", error.GetProperty("code").GetString());

        var anthropicError = await Assert.ThrowsAnyAsync<AnthropicApiException>(() => AnthropicSdk().Messages.Create(new MessageCreateParams
        {
            Model = "openai/gpt-5.3-codex",
            MaxTokens = 100,
            Messages = [new UserMessageParam { Content = "x" }],
        }));
        Assert.Equal(HttpStatusCode.BadRequest, anthropicError.StatusCode);
        Assert.Contains("Invalid 'input[0].content': empty.", anthropicError.Message);

        _openai.RespondJson(Error("Rate limit reached.", type: "requests", code: "rate_limit_exceeded"), 429);
        var limited = await Assert.ThrowsAsync<ClientResultException>(() => OpenAISdk().CompleteChatAsync([new UserChatMessage("x")]));
        Assert.Equal(429, limited.Status);
    }

    [Fact]
    public async Task A_stream_cut_before_response_completed_ends_with_an_error_for_both_clients()
    {
        Serve(_openai, TextAnswer("Partial answer"), truncateStream: true);
        using (var response = await _gateway.Http.SendAsync(TestRequests.JsonPost("/v1/messages",
            """{"model":"openai/gpt-5.3-codex","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"x"}]}""")))
        {
            var events = SseText.Parse(await response.Content.ReadAsStringAsync());
            AnthropicStreamValidator.Validate(events);
            Assert.Equal("error", events[^1].Type);
            Assert.Contains("no response.completed", events[^1].Data);
            Assert.DoesNotContain(events, e => e.Type == "message_stop");
        }
        await _gateway.Logs.WaitForLineAsync("no response.completed");

        using (var response = await _gateway.Http.SendAsync(TestRequests.JsonPost("/v1/chat/completions",
            """{"model":"openai/gpt-5.3-codex","stream":true,"messages":[{"role":"user","content":"x"}]}""")))
        {
            var events = SseText.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("[DONE]", events[^1].Data);
            Assert.Contains("no response.completed", (string?)events[^2].Json!["error"]!["message"]);
            Assert.DoesNotContain(events, e => e.Data.Contains("\"finish_reason\":\"stop\""));
        }
    }

    [Fact]
    public async Task The_openai_wildcard_sends_responses_only_ids_to_v1_responses_and_others_to_chat()
    {
        await using var gateway = await OpenAIWildcardGatewayAsync();
        Serve(_openai, TextAnswer());
        using (var response = await gateway.Http.SendAsync(TestRequests.JsonPost("/v1/chat/completions",
            """{"model":"openai/gpt-5.1-codex-max","messages":[{"role":"user","content":"x"}]}""")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("/v1/responses", _openai.LastRequest.Path);
            Assert.Equal("gpt-5.1-codex-max", _openai.LastRequest.Json.RootElement.GetProperty("model").GetString());
        }

        _openai.RespondJson(Canned.OpenAIChat());
        using (var response = await gateway.Http.SendAsync(TestRequests.JsonPost("/v1/chat/completions",
            """{"model":"openai/gpt-4.1","messages":[{"role":"user","content":"x"}]}""")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("/v1/chat/completions", _openai.LastRequest.Path);
        }
    }

    /// <summary>
    /// A Chat conversation a Responses upstream answered earlier carries its encrypted reasoning in reasoning_details. When
    /// the next turn goes to a Chat model (same protocol, the client's bytes passed through), that entry means nothing
    /// there and is removed; the rest of the message is kept. Before, only a body with Gemini-signed tool call ids was
    /// rewritten, so this one went upstream as it came.
    /// </summary>
    [Fact]
    public async Task Encrypted_responses_reasoning_is_removed_before_a_chat_upstream()
    {
        await using var gateway = await OpenAIWildcardGatewayAsync();
        _openai.RespondJson(Canned.OpenAIChat());
        var body = $$$"""
            {"model":"openai/gpt-4.1","messages":[
              {"role":"user","content":"What time is it?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_C1","type":"function","function":{"name":"now","arguments":"{}"}}],
               "reasoning_details":[{"type":"reasoning.encrypted","id":"rs_c","data":"{{{Encrypted}}}","format":"openai-responses-v1"}]},
              {"role":"tool","tool_call_id":"call_C1","content":"12:00"}]}
            """;
        using var response = await gateway.Http.SendAsync(TestRequests.JsonPost("/v1/chat/completions", body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/v1/chat/completions", _openai.LastRequest.Path);
        JsonElement sent = _openai.LastRequest.Json.RootElement;
        Assert.Equal("gpt-4.1", sent.GetProperty("model").GetString());
        JsonElement assistant = sent.GetProperty("messages")[1];
        Assert.False(assistant.TryGetProperty("reasoning_details", out _), assistant.GetRawText());
        Assert.Equal("call_C1", assistant.GetProperty("tool_calls")[0].GetProperty("id").GetString());
        Assert.DoesNotContain(Encrypted, _openai.LastRequest.Body);
    }
}
