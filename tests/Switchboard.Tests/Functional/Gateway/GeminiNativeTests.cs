using System.ClientModel;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic;
using Anthropic.Models.Messages;
using OpenAI;
using OpenAI.Chat;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>
/// The real gateway in front of a fake native-Gemini upstream (provider_interface: gemini), driven by the official
/// Anthropic and OpenAI SDKs: URLs, the x-goog-api-key header, translated streams and thought signatures round trips.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class GeminiNativeTests : IAsyncLifetime
{
    private const string Key = "AIza-test-SECRET-3333";
    private const string Signature = "CiQB+/sig/Q=="; // base64 with '+', '/' and padding
    private FakeUpstream _gemini = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _gemini = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            version: v1
            model_providers:
              - model: gemini/gemini-2.5-pro
                provider_interface: gemini
                access_key: $GEMINI_API_KEY
                base_url: {_gemini.BaseUrl.ToString().TrimEnd('/')}
                default: true
            """, new Dictionary<string, string> { ["GEMINI_API_KEY"] = Key });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _gemini.DisposeAsync();
    }

    private static string Event(string json) => "data: " + json + "\n\n";

    [Fact]
    public async Task Anthropic_sdk_streams_a_function_call_from_native_gemini_and_the_signature_comes_back()
    {
        _gemini.RespondSse([
            Event("""{"candidates":[{"content":{"role":"model","parts":[{"text":"Let me "}]},"index":0}],"usageMetadata":{"promptTokenCount":21},"modelVersion":"gemini-2.5-pro","responseId":"gr1"}"""),
            Event("""{"candidates":[{"content":{"role":"model","parts":[{"text":"check."}]},"index":0}],"usageMetadata":{"promptTokenCount":21},"responseId":"gr1"}"""),
            Event($$$$$$"""{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"{{{{{{Signature}}}}}}"}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":21,"candidatesTokenCount":9,"thoughtsTokenCount":4},"responseId":"gr1"}"""),
        ]);
        var client = new AnthropicClient { ApiKey = "client", BaseUrl = _gateway.BaseUrl.ToString().TrimEnd('/'), MaxRetries = 0 };
        var text = new StringBuilder();
        var toolJson = new StringBuilder();
        string? toolName = null, toolId = null, stopReason = null, signature = null;
        var blockTypes = new List<string>();
        long? inputTokens = null, outputTokens = null;
        await foreach (var ev in client.Messages.CreateStreaming(new MessageCreateParams
        {
            Model = "claude-sonnet-4-5",
            MaxTokens = 64000,
            System = "Be brief.",
            Tools = [new Tool
            {
                Name = "get_weather",
                Description = "Current weather for a city",
                InputSchema = new InputSchema { Properties = new Dictionary<string, JsonElement> { ["city"] = JsonDocument.Parse("""{"type":"string"}""").RootElement }, Required = ["city"] },
            }],
            Messages = [new UserMessageParam { Content = "Weather in Paris?" }],
        }))
        {
            if (ev.TryPickStart(out var start)) inputTokens = start.Message.Usage.InputTokens;
            if (ev.TryPickContentBlockStart(out var blockStart))
            {
                if (blockStart.ContentBlock.TryPickToolUse(out var toolUse)) { toolName = toolUse.Name; toolId = toolUse.ID; blockTypes.Add("tool_use"); }
                else if (blockStart.ContentBlock.TryPickThinking(out _)) blockTypes.Add("thinking");
                else if (blockStart.ContentBlock.TryPickText(out _)) blockTypes.Add("text");
            }
            if (ev.TryPickContentBlockDelta(out var delta))
            {
                if (delta.Delta.TryPickText(out var t)) text.Append(t.Text);
                if (delta.Delta.TryPickInputJson(out var json)) toolJson.Append(json.PartialJson);
                if (delta.Delta.TryPickSignature(out var sig)) signature = sig.Signature;
            }
            if (ev.TryPickDelta(out var messageDelta))
            {
                stopReason = messageDelta.Delta.StopReason?.ToString();
                outputTokens = messageDelta.Usage.OutputTokens;
            }
        }

        Assert.Equal("Let me check.", text.ToString());
        Assert.Equal(["text", "thinking", "tool_use"], blockTypes);
        Assert.Equal("get_weather", toolName);
        Assert.Equal("toolu_gr1_0", toolId);
        Assert.Equal("Paris", JsonDocument.Parse(toolJson.ToString()).RootElement.GetProperty("city").GetString());
        Assert.Equal("gemini:" + Signature, signature);
        Assert.Contains("tool_use", stopReason);
        Assert.Equal(21, inputTokens);
        Assert.Equal(13, outputTokens);

        RecordedRequest sent = _gemini.LastRequest;
        Assert.Equal("/v1beta/models/gemini-2.5-pro:streamGenerateContent", sent.Path);
        Assert.Equal("?alt=sse", sent.Query);
        Assert.Equal(Key, sent.Header("x-goog-api-key"));
        Assert.Null(sent.Header("authorization"));
        JsonElement body = sent.Json.RootElement;
        Assert.Equal("Be brief.", body.GetProperty("systemInstruction").GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal("get_weather", body.GetProperty("tools")[0].GetProperty("functionDeclarations")[0].GetProperty("name").GetString());
        Assert.Equal(64000, body.GetProperty("generationConfig").GetProperty("maxOutputTokens").GetInt32());
        Assert.False(body.TryGetProperty("model", out _));

        // The client sends the turn back (as Claude Code does) with the tool result: the signature returns to Gemini.
        _gemini.RespondJson("""{"candidates":[{"content":{"role":"model","parts":[{"text":"18C and sunny."}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":40,"candidatesTokenCount":5},"responseId":"gr2"}""");
        string followUp = $$$$$$"""
            {"model":"claude-sonnet-4-5","max_tokens":1000,"messages":[
              {"role":"user","content":"Weather in Paris?"},
              {"role":"assistant","content":[{"type":"text","text":"Let me check."},{"type":"thinking","thinking":"","signature":"gemini:{{{{{{Signature}}}}}}"},
                {"type":"tool_use","id":"{{{{{{toolId}}}}}}","name":"get_weather","input":{"city":"Paris"}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"{{{{{{toolId}}}}}}","content":"18C"}]}]}
            """;
        using var response = await _gateway.Http.SendAsync(TestRequests.JsonPost("/v1/messages", followUp));
        Assert.Equal(200, (int)response.StatusCode);
        JsonNode message = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("18C and sunny.", (string?)message["content"]![0]!["text"]);
        Assert.Equal("end_turn", (string?)message["stop_reason"]);

        sent = _gemini.LastRequest;
        Assert.Equal("/v1beta/models/gemini-2.5-pro:generateContent", sent.Path);
        Assert.Equal("", sent.Query);
        JsonElement contents = sent.Json.RootElement.GetProperty("contents");
        JsonElement call = contents[1].GetProperty("parts")[1];
        Assert.Equal("get_weather", call.GetProperty("functionCall").GetProperty("name").GetString());
        Assert.Equal(Signature, call.GetProperty("thoughtSignature").GetString());
        JsonElement result = contents[2].GetProperty("parts")[0].GetProperty("functionResponse");
        Assert.Equal("get_weather", result.GetProperty("name").GetString());
        Assert.Equal("18C", result.GetProperty("response").GetProperty("result").GetString());
    }

    [Fact]
    public async Task OpenAI_sdk_round_trips_a_signed_function_call_through_native_gemini()
    {
        _gemini.RespondJson($$$$$$"""
            {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Oslo"}},"thoughtSignature":"{{{{{{Signature}}}}}}"}]},"finishReason":"STOP"}],
             "usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":6},"responseId":"gr3"}
            """);
        var chat = new ChatClient("gemini-2.5-pro", new ApiKeyCredential("client"), new OpenAIClientOptions { Endpoint = new Uri(_gateway.BaseUrl, "/v1") });
        var options = new ChatCompletionOptions
        {
            Tools = { ChatTool.CreateFunctionTool("get_weather", "Current weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""")) },
        };
        List<ChatMessage> messages = [new SystemChatMessage("Be brief."), new UserChatMessage("Weather in Oslo?")];
        ChatCompletion first = (await chat.CompleteChatAsync(messages, options)).Value;
        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        ChatToolCall call = Assert.Single(first.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.StartsWith("call_gr3_0", call.Id);
        Assert.Equal(12, first.Usage.InputTokenCount);
        Assert.Equal("/v1beta/models/gemini-2.5-pro:generateContent", _gemini.LastRequest.Path);
        Assert.Equal(Key, _gemini.LastRequest.Header("x-goog-api-key"));

        _gemini.RespondJson("""{"candidates":[{"content":{"role":"model","parts":[{"text":"-2C."}]},"finishReason":"STOP"}],"responseId":"gr4"}""");
        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, "-2C"));
        ChatCompletion second = (await chat.CompleteChatAsync(messages, options)).Value;
        Assert.Equal("-2C.", second.Content[0].Text);

        JsonElement contents = _gemini.LastRequest.Json.RootElement.GetProperty("contents");
        Assert.Equal(Signature, contents[1].GetProperty("parts")[0].GetProperty("thoughtSignature").GetString());
        Assert.Equal("get_weather", contents[2].GetProperty("parts")[0].GetProperty("functionResponse").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Gemini_errors_reach_the_client_in_its_format_with_the_status()
    {
        _gemini.RespondJson("""{"error":{"code":400,"message":"* GenerateContentRequest.contents: contents is not specified","status":"INVALID_ARGUMENT"}}""", 400);
        using var response = await _gateway.Http.SendAsync(TestRequests.JsonPost("/v1/messages", """{"model":"gemini-2.5-pro","max_tokens":10,"messages":[{"role":"user","content":"x"}]}"""));
        Assert.Equal(400, (int)response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_request_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("contents is not specified", body.RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Count_tokens_toward_gemini_is_estimated_locally()
    {
        using var response = await _gateway.Http.SendAsync(TestRequests.JsonPost("/v1/messages/count_tokens",
            """{"model":"gemini-2.5-pro","messages":[{"role":"user","content":"Hello there, how are you today?"}]}"""));
        Assert.Equal(200, (int)response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(body.RootElement.GetProperty("input_tokens").GetInt32() > 0);
        Assert.Empty(_gemini.Requests);
    }
}
