#pragma warning disable OPENAI001 // the SDK marks its Responses client as evaluation-only
using System.ClientModel;
using System.Text;
using System.Text.Json;
using OpenAI.Responses;

namespace Switchboard.Tests.Functional.Responses;

/// <summary>
/// The official OpenAI .NET SDK's Responses client through the gateway (<c>POST /v1/responses</c>) to a fake
/// OpenAI-compatible Chat upstream, a fake Anthropic upstream and a fake native Gemini upstream: text, streaming, a
/// function-tool round and a custom-tool round; and OpenAI itself, where the request passes through unchanged.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class ResponsesSdkTests : IAsyncLifetime
{
    private FakeUpstream _chat = null!;
    private FakeUpstream _anthropic = null!;
    private FakeUpstream _gemini = null!;
    private FakeUpstream _openAI = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _chat = await FakeUpstream.StartAsync();
        _anthropic = await FakeUpstream.StartAsync();
        _gemini = await FakeUpstream.StartAsync();
        _openAI = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            version: v1
            model_providers:
              - model: deepseek/deepseek-chat
                access_key: sk-chat-SECRET
                base_url: {_chat.BaseUrl.ToString().TrimEnd('/')}/v1
                default: true
              - model: anthropic/claude-sonnet-4-5
                access_key: sk-ant-SECRET
                base_url: {_anthropic.BaseUrl.ToString().TrimEnd('/')}
              - model: gemini/gemini-2.5-flash
                provider_interface: gemini
                access_key: gm-SECRET
                base_url: {_gemini.BaseUrl.ToString().TrimEnd('/')}
              - model: openai/gpt-5
                access_key: sk-openai-SECRET
                base_url: {_openAI.BaseUrl.ToString().TrimEnd('/')}/v1
                responses_api: true
              - model: openai/llama-3.3-70b
                access_key: sk-custom-SECRET
                base_url: {_chat.BaseUrl.ToString().TrimEnd('/')}/v1
            model_aliases:
              fast:
                target: deepseek/deepseek-chat
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _chat.DisposeAsync();
        await _anthropic.DisposeAsync();
        await _gemini.DisposeAsync();
        await _openAI.DisposeAsync();
    }

    private ResponsesClient Client() =>
        new(new ApiKeyCredential("client-key"), new ResponsesClientOptions { Endpoint = new Uri(_gateway.BaseUrl, "/v1") });

    [Fact]
    public async Task Text_through_a_chat_upstream_by_alias()
    {
        _chat.RespondJson(Canned.OpenAIChat("Hi from the chat model", "deepseek-chat", prompt: 21, completion: 4));
        var options = new CreateResponseOptions { Model = "fast", Instructions = "Be brief.", MaxOutputTokenCount = 300 };
        options.InputItems.Add(ResponseItem.CreateUserMessageItem("Say hi"));

        var response = (await Client().CreateResponseAsync(options)).Value;

        Assert.Equal("Hi from the chat model", response.GetOutputText());
        Assert.Equal(ResponseStatus.Completed, response.Status);
        Assert.Equal(21, response.Usage.InputTokenCount);
        Assert.Equal(4, response.Usage.OutputTokenCount);
        Assert.StartsWith("resp_", response.Id);
        var sent = _chat.LastRequest;
        Assert.Equal("/v1/chat/completions", sent.Path);
        var body = sent.Json.RootElement;
        Assert.Equal("deepseek-chat", body.GetProperty("model").GetString());
        Assert.Equal(300, body.GetProperty("max_completion_tokens").GetInt32());
        var messages = body.GetProperty("messages");
        Assert.Equal("system", messages[0].GetProperty("role").GetString());
        Assert.Equal("Be brief.", messages[0].GetProperty("content").GetString());
        Assert.Equal("user", messages[1].GetProperty("role").GetString());
        var log = await _gateway.Logs.WaitForLineAsync("api=responses");
        Assert.Contains("deepseek/deepseek-chat", log);
    }

    [Fact]
    public async Task Streaming_text_through_an_anthropic_upstream()
    {
        _anthropic.RespondSse(Canned.AnthropicStream("claude-sonnet-4-5", "Bon", "jour", "!"));
        var options = new CreateResponseOptions { Model = "anthropic/claude-sonnet-4-5", StreamingEnabled = true };
        options.InputItems.Add(ResponseItem.CreateUserMessageItem("Say hello in French"));

        var text = new StringBuilder();
        var kinds = new List<string>();
        ResponseResult? completed = null;
        var sequence = -1;
        await foreach (var update in await Client().CreateResponseStreamingAsync(options))
        {
            Assert.True(update.SequenceNumber > sequence, "sequence numbers increase");
            sequence = update.SequenceNumber;
            kinds.Add(update.GetType().Name);
            if (update is StreamingResponseOutputTextDeltaUpdate delta) text.Append(delta.Delta);
            if (update is StreamingResponseCompletedUpdate done) completed = done.Response;
        }

        Assert.Equal("Bonjour!", text.ToString());
        Assert.Equal("StreamingResponseCreatedUpdate", kinds[0]);
        Assert.Equal("StreamingResponseInProgressUpdate", kinds[1]);
        Assert.Contains("StreamingResponseOutputItemAddedUpdate", kinds);
        Assert.Contains("StreamingResponseContentPartAddedUpdate", kinds);
        Assert.Contains("StreamingResponseOutputTextDoneUpdate", kinds);
        Assert.Contains("StreamingResponseOutputItemDoneUpdate", kinds);
        Assert.NotNull(completed);
        Assert.Equal("Bonjour!", completed!.GetOutputText());
        Assert.Equal(14, completed.Usage.InputTokenCount);
        Assert.Equal(7, completed.Usage.OutputTokenCount);
        var sent = _anthropic.LastRequest.Json.RootElement;
        Assert.True(sent.GetProperty("stream").GetBoolean());
        Assert.Equal("Say hello in French", sent.GetProperty("messages")[0].GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Function_tool_round_through_a_chat_upstream_streamed()
    {
        _chat.RespondSse([
            OpenAIChunks.Role(),
            OpenAIChunks.ToolStart(0, "call_w1", "get_weather"),
            OpenAIChunks.ToolArgs(0, "{\"city\":"),
            OpenAIChunks.ToolArgs(0, "\"Paris\"}"),
            OpenAIChunks.Finish("tool_calls"),
            OpenAIChunks.Usage(30, 9),
            OpenAIChunks.Done,
        ]);
        var tool = ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""), strictModeEnabled: false, functionDescription: "Weather for a city");
        var options = new CreateResponseOptions { Model = "deepseek/deepseek-chat", StreamingEnabled = true };
        options.Tools.Add(tool);
        options.InputItems.Add(ResponseItem.CreateUserMessageItem("Weather in Paris?"));

        FunctionCallResponseItem? call = null;
        var argumentDeltas = new StringBuilder();
        await foreach (var update in await Client().CreateResponseStreamingAsync(options))
        {
            if (update is StreamingResponseFunctionCallArgumentsDeltaUpdate delta) argumentDeltas.Append(delta.Delta.ToString());
            if (update is StreamingResponseOutputItemDoneUpdate { Item: FunctionCallResponseItem f }) call = f;
        }
        Assert.NotNull(call);
        Assert.Equal("call_w1", call!.CallId);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("{\"city\":\"Paris\"}", call.FunctionArguments.ToString());
        Assert.Equal("{\"city\":\"Paris\"}", argumentDeltas.ToString());
        var tools = _chat.LastRequest.Json.RootElement.GetProperty("tools");
        Assert.Equal("get_weather", tools[0].GetProperty("function").GetProperty("name").GetString());

        // The second turn: the whole conversation again, with the call and its output.
        _chat.RespondJson(Canned.OpenAIChat("18C and sunny.", "deepseek-chat"));
        var next = new CreateResponseOptions { Model = "deepseek/deepseek-chat" };
        next.Tools.Add(tool);
        next.InputItems.Add(ResponseItem.CreateUserMessageItem("Weather in Paris?"));
        next.InputItems.Add(call);
        next.InputItems.Add(ResponseItem.CreateFunctionCallOutputItem("call_w1", "{\"temp\":18}"));
        var answer = (await Client().CreateResponseAsync(next)).Value;
        Assert.Equal("18C and sunny.", answer.GetOutputText());
        var messages = _chat.LastRequest.Json.RootElement.GetProperty("messages");
        Assert.Equal("assistant", messages[1].GetProperty("role").GetString());
        Assert.Equal("call_w1", messages[1].GetProperty("tool_calls")[0].GetProperty("id").GetString());
        Assert.Equal("{\"city\":\"Paris\"}", messages[1].GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal("tool", messages[2].GetProperty("role").GetString());
        Assert.Equal("call_w1", messages[2].GetProperty("tool_call_id").GetString());
        Assert.Equal("{\"temp\":18}", messages[2].GetProperty("content").GetString());
    }

    private const string Patch = "*** Begin Patch\n*** Add File: hello.txt\n+hello \"world\"\n*** End Patch";

    [Fact]
    public async Task Custom_tool_round_through_an_anthropic_upstream()
    {
        // Anthropic answers with a tool_use whose input is the one string parameter.
        var input = JsonSerializer.Serialize(new { input = Patch });
        _anthropic.RespondJson($$$"""
            {"id":"msg_c1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
             "content":[{"type":"text","text":"Applying."},{"type":"tool_use","id":"toolu_p1","name":"apply_patch","input":{{{input}}}}],
             "stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":50,"output_tokens":20}}
            """);
        var options = new CreateResponseOptions { Model = "anthropic/claude-sonnet-4-5" };
        options.Tools.Add(ResponseTool.CreateCustomTool("apply_patch"));
        options.InputItems.Add(ResponseItem.CreateUserMessageItem("Create hello.txt"));

        var response = (await Client().CreateResponseAsync(options)).Value;

        var call = Assert.Single(response.OutputItems.OfType<CustomToolCallItem>());
        Assert.Equal("apply_patch", call.ToolName);
        Assert.Equal(Patch, call.Input); // the plain string, not JSON
        Assert.Equal("toolu_p1", call.CallId);
        var sentTool = _anthropic.LastRequest.Json.RootElement.GetProperty("tools")[0];
        Assert.Equal("apply_patch", sentTool.GetProperty("name").GetString());
        Assert.Equal("string", sentTool.GetProperty("input_schema").GetProperty("properties").GetProperty("input").GetProperty("type").GetString());

        _anthropic.RespondJson(Canned.AnthropicMessage("Done."));
        var next = new CreateResponseOptions { Model = "anthropic/claude-sonnet-4-5" };
        next.Tools.Add(ResponseTool.CreateCustomTool("apply_patch"));
        next.InputItems.Add(ResponseItem.CreateUserMessageItem("Create hello.txt"));
        next.InputItems.Add(call);
        next.InputItems.Add(ResponseItem.CreateCustomToolCallOutputItem("toolu_p1", [ResponseContentPart.CreateInputTextPart("Success. Updated: A hello.txt")]));
        var answer = (await Client().CreateResponseAsync(next)).Value;
        Assert.Equal("Done.", answer.GetOutputText());
        var messages = _anthropic.LastRequest.Json.RootElement.GetProperty("messages");
        var toolUse = messages[1].GetProperty("content").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "tool_use");
        Assert.Equal(Patch, toolUse.GetProperty("input").GetProperty("input").GetString());
        var result = messages[2].GetProperty("content")[0];
        Assert.Equal("tool_result", result.GetProperty("type").GetString());
        Assert.Equal("toolu_p1", result.GetProperty("tool_use_id").GetString());
        Assert.Contains("Success. Updated: A hello.txt", result.GetRawText());
    }

    [Fact]
    public async Task Streaming_function_call_and_text_through_native_gemini()
    {
        _gemini.RespondSse([
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Checking.\"}]},\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":12},\"responseId\":\"g1\"}\n\n",
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Oslo\"}}}]},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":12,\"candidatesTokenCount\":8},\"responseId\":\"g1\"}\n\n",
        ]);
        var options = new CreateResponseOptions { Model = "gemini/gemini-2.5-flash", StreamingEnabled = true };
        options.Tools.Add(ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}"""), false, "Weather"));
        options.InputItems.Add(ResponseItem.CreateUserMessageItem("Weather in Oslo?"));

        var done = new List<ResponseItem>();
        ResponseResult? completed = null;
        await foreach (var update in await Client().CreateResponseStreamingAsync(options))
        {
            if (update is StreamingResponseOutputItemDoneUpdate d) done.Add(d.Item);
            if (update is StreamingResponseCompletedUpdate c) completed = c.Response;
        }
        Assert.IsAssignableFrom<MessageResponseItem>(done[0]);
        var call = Assert.IsType<FunctionCallResponseItem>(done[1]);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("Oslo", JsonDocument.Parse(call.FunctionArguments.ToString()).RootElement.GetProperty("city").GetString());
        Assert.Equal(12, completed!.Usage.InputTokenCount);
        Assert.Equal("/v1beta/models/gemini-2.5-flash:streamGenerateContent", _gemini.LastRequest.Path);
    }

    [Fact]
    public async Task OpenAI_itself_gets_the_request_unchanged_but_for_the_model()
    {
        _openAI.RespondJson("""
            {"id":"resp_up1","object":"response","created_at":1700000000,"status":"completed","model":"gpt-5",
             "output":[{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"straight from OpenAI","annotations":[]}]}],
             "usage":{"input_tokens":5,"input_tokens_details":{"cached_tokens":0},"output_tokens":3,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":8}}
            """);
        var body = """{"model":"openai/gpt-5","input":"hi","store":false,"include":["reasoning.encrypted_content"],"tools":[{"type":"web_search"}],"prompt_cache_key":"k1"}""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var reply = await _gateway.Http.PostAsync("/v1/responses", content);
        Assert.Equal(200, (int)reply.StatusCode);
        Assert.Contains("straight from OpenAI", await reply.Content.ReadAsStringAsync());
        var sent = _openAI.LastRequest;
        Assert.Equal("/v1/responses", sent.Path);
        Assert.Equal(body.Replace("\"openai/gpt-5\"", "\"gpt-5\""), sent.Body);
        Assert.Equal("Bearer sk-openai-SECRET", sent.Header("authorization"));
    }

    [Fact]
    public async Task A_provider_named_openai_at_another_host_gets_the_chat_form()
    {
        // plano's reference config: `openai/llama-3.3-70b` at a self-hosted OpenAI-compatible server, which has no /responses.
        _chat.RespondJson(Canned.OpenAIChat("from the self-hosted model", "llama-3.3-70b", prompt: 5, completion: 4));
        using var content = new StringContent("""{"model":"openai/llama-3.3-70b","input":"hi"}""", Encoding.UTF8, "application/json");
        using var reply = await _gateway.Http.PostAsync("/v1/responses", content);
        var text = await reply.Content.ReadAsStringAsync();
        Assert.True(reply.IsSuccessStatusCode, text);
        Assert.Contains("from the self-hosted model", text);
        Assert.Equal("response", JsonDocument.Parse(text).RootElement.GetProperty("object").GetString());
        Assert.Equal("/v1/chat/completions", _chat.LastRequest.Path);
        Assert.Equal("llama-3.3-70b", _chat.LastRequest.Json.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Errors_are_in_the_responses_format()
    {
        using var missing = await _gateway.Http.PostAsync("/v1/responses", new StringContent("""{"model":"fast"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(400, (int)missing.StatusCode);
        var error = JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains("'input' is required", error.GetProperty("message").GetString());

        using var hosted = await _gateway.Http.PostAsync("/v1/responses", new StringContent(
            """{"model":"deepseek/deepseek-chat","input":"hi","tools":[{"type":"web_search"}],"tool_choice":{"type":"web_search"}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(400, (int)hosted.StatusCode);
        Assert.Contains("web_search", await hosted.Content.ReadAsStringAsync());

        _chat.RespondJson("""{"error":{"message":"Rate limit reached","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}}""", 429);
        using var limited = await _gateway.Http.PostAsync("/v1/responses", new StringContent("""{"model":"deepseek/deepseek-chat","input":"hi"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(429, (int)limited.StatusCode);
        var limitedError = JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("rate_limit_exceeded", limitedError.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Hosted_tools_are_dropped_with_a_log_line_toward_other_upstreams()
    {
        _chat.RespondJson(Canned.OpenAIChat("ok", "deepseek-chat"));
        using var reply = await _gateway.Http.PostAsync("/v1/responses", new StringContent(
            """{"model":"deepseek/deepseek-chat","input":"hi","tools":[{"type":"web_search"},{"type":"function","name":"f","parameters":{"type":"object","properties":{}}}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(200, (int)reply.StatusCode);
        var tools = _chat.LastRequest.Json.RootElement.GetProperty("tools");
        Assert.Equal(1, tools.GetArrayLength());
        await _gateway.Logs.WaitForLineAsync("hosted tools web_search left out");
    }

    [Fact]
    public async Task A_truncated_upstream_stream_ends_with_response_failed()
    {
        _chat.RespondSse([OpenAIChunks.Role(), OpenAIChunks.Text("partial")]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            Content = new StringContent("""{"model":"deepseek/deepseek-chat","input":"hi","stream":true}""", Encoding.UTF8, "application/json"),
        };
        using var reply = await _gateway.Http.SendAsync(request);
        var text = await reply.Content.ReadAsStringAsync();
        Assert.Contains("event: response.output_text.delta", text);
        Assert.Contains("event: response.failed", text);
        Assert.DoesNotContain("response.completed", text);
        Assert.Contains("ended before its final event", text);
    }

    [Fact]
    public async Task Max_tokens_ends_as_incomplete()
    {
        _chat.RespondSse([OpenAIChunks.Role(), OpenAIChunks.Text("cut"), OpenAIChunks.Finish("length"), OpenAIChunks.Done]);
        var options = new CreateResponseOptions { Model = "deepseek/deepseek-chat", StreamingEnabled = true, MaxOutputTokenCount = 1 };
        options.InputItems.Add(ResponseItem.CreateUserMessageItem("Write a long essay"));
        string? kind = null;
        ResponseResult? final = null;
        await foreach (var update in await Client().CreateResponseStreamingAsync(options))
        {
            kind = update.GetType().Name;
            if (update is StreamingResponseIncompleteUpdate incomplete) final = incomplete.Response;
        }
        Assert.Equal("StreamingResponseIncompleteUpdate", kind);
        Assert.Equal(ResponseStatus.Incomplete, final!.Status);
        Assert.Equal(ResponseIncompleteStatusReason.MaxOutputTokens, final.IncompleteStatusDetails.Reason);
    }

    [Fact]
    public async Task Previous_response_id_expands_to_the_stored_conversation()
    {
        _chat.RespondJson(Canned.OpenAIChat("Nice to meet you, Ada.", "deepseek-chat"));
        var first = (await Client().CreateResponseAsync("deepseek/deepseek-chat", "My name is Ada.")).Value; // store defaults to true
        _chat.RespondJson(Canned.OpenAIChat("Your name is Ada.", "deepseek-chat"));

        var second = (await Client().CreateResponseAsync("deepseek/deepseek-chat", "What is my name?", previousResponseId: first.Id)).Value;

        Assert.Equal("Your name is Ada.", second.GetOutputText());
        var messages = _chat.LastRequest.Json.RootElement.GetProperty("messages");
        Assert.Equal(3, messages.GetArrayLength());
        Assert.Contains("My name is Ada.", messages[0].GetProperty("content").GetRawText());
        Assert.Equal("assistant", messages[1].GetProperty("role").GetString());
        Assert.Equal("Nice to meet you, Ada.", messages[1].GetProperty("content").GetString());
        Assert.Contains("What is my name?", messages[2].GetProperty("content").GetRawText());

        using var unknown = await _gateway.Http.PostAsync("/v1/responses", new StringContent(
            """{"model":"deepseek/deepseek-chat","input":"hi","previous_response_id":"resp_unknown"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(400, (int)unknown.StatusCode);
        var error = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("previous_response_not_found", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Store_false_keeps_nothing()
    {
        _chat.RespondJson(Canned.OpenAIChat("ok", "deepseek-chat"));
        using var reply = await _gateway.Http.PostAsync("/v1/responses", new StringContent(
            """{"model":"deepseek/deepseek-chat","input":"hi","store":false}""", Encoding.UTF8, "application/json"));
        var id = JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        using var next = await _gateway.Http.PostAsync("/v1/responses", new StringContent(
            $$"""{"model":"deepseek/deepseek-chat","input":"again","previous_response_id":"{{id}}"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(400, (int)next.StatusCode);
    }

    [Fact]
    public void The_in_process_store_is_bounded_by_count_and_age()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var store = new Switchboard.Protocols.Responses.InMemoryResponseStateStore(capacity: 2, timeToLive: TimeSpan.FromMinutes(10), time: time);
        store.Put("a", "[1]"u8.ToArray());
        store.Put("b", "[2]"u8.ToArray());
        Assert.True(store.TryGet("a", out _)); // a is now the most recently used
        store.Put("c", "[3]"u8.ToArray());
        Assert.False(store.TryGet("b", out _));
        Assert.True(store.TryGet("a", out var a));
        Assert.Equal("[1]", Encoding.UTF8.GetString(a.Span));
        time.Advance(TimeSpan.FromMinutes(11));
        Assert.False(store.TryGet("c", out _));
        Assert.Equal(1, store.Count);
    }
}
