using System.ClientModel;
using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;
using OpenAI;
using OpenAI.Chat;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>Any client, any provider: the official SDKs through the gateway to an upstream of the other API.</summary>
[Trait("Kind", "Functional")]
public sealed class TranslationTests : TwoUpstreamGatewayTest
{

    private static Tool WeatherTool() => new()
    {
        Name = "get_weather",
        Description = "Current weather for a city",
        InputSchema = new InputSchema { Properties = new Dictionary<string, JsonElement> { ["city"] = JsonDocument.Parse("""{"type":"string"}""").RootElement }, Required = ["city"] },
    };

    [Fact]
    public async Task Anthropic_sdk_streams_a_tool_call_answered_by_an_openai_upstream()
    {
        OpenAIUpstream.RespondSse([
            OpenAIChunks.Role(),
            OpenAIChunks.Text("Let me check."),
            OpenAIChunks.ToolStart(0, "call_abc123", "get_weather"),
            OpenAIChunks.ToolArgs(0, "{\"ci"),
            OpenAIChunks.ToolArgs(0, "ty\": \"Par"),
            OpenAIChunks.ToolArgs(0, "is\"}"),
            OpenAIChunks.Finish("tool_calls"),
            OpenAIChunks.Usage(40, 12),
            OpenAIChunks.Done,
        ]);
        var client = new AnthropicClient { ApiKey = "client", BaseUrl = Gateway.BaseUrl.ToString().TrimEnd('/'), MaxRetries = 0 };
        var text = new StringBuilder();
        var toolJson = new StringBuilder();
        string? toolName = null, toolId = null, stopReason = null;
        var events = new List<string>();
        await foreach (var ev in client.Messages.CreateStreaming(new MessageCreateParams
        {
            Model = "openai/gpt-4.1",
            MaxTokens = 1000,
            Tools = [WeatherTool()],
            Messages = [new UserMessageParam { Content = "Weather in Paris?" }],
        }))
        {
            if (ev.TryPickStart(out _)) events.Add("message_start");
            if (ev.TryPickContentBlockStart(out var start))
            {
                events.Add("block_start");
                if (start.ContentBlock.TryPickToolUse(out var toolUse)) { toolName = toolUse.Name; toolId = toolUse.ID; }
            }
            if (ev.TryPickContentBlockDelta(out var delta))
            {
                if (delta.Delta.TryPickText(out var t)) text.Append(t.Text);
                if (delta.Delta.TryPickInputJson(out var json)) toolJson.Append(json.PartialJson);
            }
            if (ev.TryPickDelta(out var messageDelta)) stopReason = messageDelta.Delta.StopReason?.ToString();
            if (ev.TryPickStop(out _)) events.Add("message_stop");
        }

        Assert.Equal("Let me check.", text.ToString());
        Assert.Equal("get_weather", toolName);
        Assert.Equal("call_abc123", toolId);
        Assert.Equal("Paris", JsonDocument.Parse(toolJson.ToString()).RootElement.GetProperty("city").GetString());
        Assert.Contains("tool_use", stopReason);
        Assert.Equal("message_start", events[0]);
        Assert.Equal("message_stop", events[^1]);
        Assert.Equal(2, events.Count(e => e == "block_start"));

        var upstream = OpenAIUpstream.LastRequest.Json.RootElement;
        Assert.Equal("gpt-4.1", upstream.GetProperty("model").GetString());
        Assert.Equal("get_weather", upstream.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString());
        Assert.True(upstream.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        var log = await Gateway.Logs.WaitForLineAsync("requested=openai/gpt-4.1");
        Assert.Contains("api=anthropic", log);
        Assert.Contains("output_tokens=12", log);
    }

    [Fact]
    public async Task OpenAI_sdk_streams_a_tool_call_answered_by_anAnthropicUpstream_upstream()
    {
        AnthropicUpstream.RespondSse([
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":30,\"output_tokens\":1}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{}}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \"}}\n\n",
            "event: ping\ndata: {\"type\":\"ping\"}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"Oslo\\\"}\"}}\n\n",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
        ]);
        var chat = new ChatClient("anthropic/claude-sonnet-4-5", new ApiKeyCredential("client"), new OpenAIClientOptions { Endpoint = new Uri(Gateway.BaseUrl, "/v1") });
        var options = new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("get_weather", "Current weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""")) } };
        var args = new StringBuilder();
        string? name = null, id = null;
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Weather in Oslo?")], options))
        {
            foreach (var call in update.ToolCallUpdates)
            {
                name ??= call.FunctionName;
                id ??= call.ToolCallId;
                args.Append(call.FunctionArgumentsUpdate?.ToString());
            }
            finish ??= update.FinishReason;
        }
        Assert.Equal("get_weather", name);
        Assert.Equal("toolu_01", id);
        Assert.Equal("Oslo", JsonDocument.Parse(args.ToString()).RootElement.GetProperty("city").GetString());
        Assert.Equal(ChatFinishReason.ToolCalls, finish);

        var upstream = AnthropicUpstream.LastRequest.Json.RootElement;
        Assert.Equal("claude-sonnet-4-5", upstream.GetProperty("model").GetString());
        Assert.Equal("get_weather", upstream.GetProperty("tools")[0].GetProperty("name").GetString());
        Assert.True(upstream.GetProperty("max_tokens").GetInt32() > 0);
        Assert.Equal("sk-ant-test-SECRET-2222", AnthropicUpstream.LastRequest.Header("x-api-key"));
    }

    [Fact]
    public async Task Non_streaming_text_is_translated_both_ways()
    {
        OpenAIUpstream.RespondJson(Canned.OpenAIChat("from gpt"));
        var anthropic = new AnthropicClient { ApiKey = "client", BaseUrl = Gateway.BaseUrl.ToString().TrimEnd('/'), MaxRetries = 0 };
        var message = await anthropic.Messages.Create(new MessageCreateParams
        {
            Model = "gpt-4.1",
            MaxTokens = 100,
            System = "Be brief.",
            Messages = [new UserMessageParam { Content = "hi" }],
        });
        Assert.Equal("from gpt", string.Concat(message.Content.Select(b => b.TryPickText(out var t) ? t.Text : "")));
        Assert.Equal(11, message.Usage.InputTokens);
        var sent = OpenAIUpstream.LastRequest.Json.RootElement.GetProperty("messages");
        Assert.Equal("system", sent[0].GetProperty("role").GetString());

        AnthropicUpstream.RespondJson(Canned.AnthropicMessage("from claude"));
        var chat = new ChatClient("claude-sonnet-4-5", new ApiKeyCredential("client"), new OpenAIClientOptions { Endpoint = new Uri(Gateway.BaseUrl, "/v1") });
        var completion = await chat.CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("hi")]);
        Assert.Equal("from claude", completion.Value.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.Value.FinishReason);
        Assert.Contains("Be brief.", AnthropicUpstream.LastRequest.Json.RootElement.GetProperty("system").ToString());
    }

    [Fact]
    public async Task Upstream_errors_cross_into_the_clients_format()
    {
        OpenAIUpstream.RespondJson("""{"error":{"message":"Invalid schema for function","type":"invalid_request_error","code":"invalid_function_parameters"}}""", 400);
        using var response = await Gateway.Http.SendAsync(TestRequests.JsonPost("/v1/messages", """{"model":"gpt-4.1","max_tokens":10,"messages":[{"role":"user","content":"x"}]}"""));
        Assert.Equal(400, (int)response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("error", body.RootElement.GetProperty("type").GetString());
        Assert.Equal("invalid_request_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("Invalid schema for function", body.RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_translated_stream_that_dies_midway_ends_with_an_error_event()
    {
        OpenAIUpstream.RespondSse([OpenAIChunks.Role(), OpenAIChunks.Text("Hello"), "data: {\"id\":\"x\",\"choi"], dropAtEnd: true);
        using var response = await Gateway.Http.SendAsync(TestRequests.JsonPost("/v1/messages", """{"model":"gpt-4.1","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"x"}]}"""));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"text\":\"Hello\"", body.Replace(" ", ""));
        var last = body.TrimEnd().Split("\n\n").Last();
        Assert.StartsWith("event: error", last);
        await Gateway.Logs.WaitForLineAsync("stream from openai broke");
    }

    [Fact]
    public async Task Claude_Codes_request_goes_out_as_the_DOM_path_translates_it_with_the_estimate_in_message_start()
    {
        // The forward pass (no DOM) on the gateway's path: the upstream gets what the DOM path writes, and the
        // stream's message_start carries the estimate counted on the way, equal to the DOM estimate.
        var request = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllBytes(TestKit.RepoPaths.Fixture("claude-code-2.1.330-request.json")))!.AsObject();
        request["model"] = "openai/gpt-4.1";
        request["stream"] = true;
        var body = request.ToJsonString();
        OpenAIUpstream.RespondSse([OpenAIChunks.Role(), OpenAIChunks.Text("ok"), OpenAIChunks.Finish("stop"), OpenAIChunks.Usage(40, 2), OpenAIChunks.Done]);
        using var response = await Gateway.Http.SendAsync(TestRequests.JsonPost("/v1/messages", body));
        var stream = await response.Content.ReadAsStringAsync();
        Assert.Equal(200, (int)response.StatusCode);

        using var document = JsonDocument.Parse(body);
        var start = stream.Split("\n\n").First(e => e.StartsWith("event: message_start", StringComparison.Ordinal));
        using (var startData = JsonDocument.Parse(start[(start.IndexOf("data: ", StringComparison.Ordinal) + 6)..]))
        {
            Assert.Equal(Switchboard.Protocols.CountTokensEstimator.EstimateAnthropicRequest(document.RootElement),
                startData.RootElement.GetProperty("message").GetProperty("usage").GetProperty("input_tokens").GetInt32());
        }
        var target = new Switchboard.Protocols.TranslationTarget { ModelId = "gpt-4.1", Provider = "openai", Api = Switchboard.ApiFormat.OpenAI, MaxOutputTokens = 32768 };
        using var expected = new Switchboard.Protocols.PooledBufferWriter();
        Switchboard.Protocols.Anthropic.AnthropicToOpenAIRequest.TranslateWithDom(document.RootElement, target, expected);
        var sent = System.Text.Json.Nodes.JsonNode.Parse(OpenAIUpstream.LastRequest.Body)!;
        var reference = System.Text.Json.Nodes.JsonNode.Parse(expected.WrittenSpan.ToArray())!;
        sent["max_tokens"] = reference["max_tokens"]?.DeepClone(); // the cap is the model entry's, not this test's
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(reference, sent), "the forward pass sent something else than the DOM path writes");
    }

    /// <summary>
    /// Small, and large: a large body the pass declines on a socket thread moves to the thread pool first and is planned
    /// again there (<c>UpstreamPlan.Create</c> returns null once), so both ways must end in the same request upstream.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(300_000)]
    public async Task A_request_the_forward_pass_declines_is_translated_through_the_DOM(int padding)
    {
        OpenAIUpstream.RespondJson(Canned.OpenAIChat("seen"));
        var earlier = padding == 0 ? "" : $$"""{"role":"user","content":"{{new string('x', padding)}}"},{"role":"assistant","content":"noted"},""";
        using var response = await Gateway.Http.SendAsync(TestRequests.JsonPost("/v1/messages",
            $$$"""{"model":"gpt-4.1","max_tokens":10,"messages":[{{{earlier}}}{"role":"user","content":[{"type":"text","text":"what is this?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]}]}"""));
        Assert.Equal(200, (int)response.StatusCode);
        var messages = OpenAIUpstream.LastRequest.Json.RootElement.GetProperty("messages");
        if (padding > 0) Assert.Equal(padding, messages[0].GetProperty("content").GetString()!.Length);
        var part = messages[messages.GetArrayLength() - 1].GetProperty("content")[1];
        Assert.Equal("data:image/png;base64,iVBORw0KGgo=", part.GetProperty("image_url").GetProperty("url").GetString());
    }
}
