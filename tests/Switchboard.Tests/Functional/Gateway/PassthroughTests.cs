using System.ClientModel;
using Microsoft.AspNetCore.Http;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;
using OpenAI;
using OpenAI.Chat;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>Same-protocol proxying through the real gateway, driven by the official SDKs.</summary>
[Trait("Kind", "Functional")]
public sealed class PassthroughTests : TwoUpstreamGatewayTest
{
    protected override string ExtraConfig => """
            model_aliases:
              fast-model:
                target: openai/gpt-4.1
            """;

    private ChatClient OpenAIChat(string model) =>
        new(model, new ApiKeyCredential("client-key-should-not-travel"), new OpenAIClientOptions { Endpoint = new Uri(Gateway.BaseUrl, "/v1") });

    private AnthropicClient AnthropicSdk() => new() { ApiKey = "client-key-should-not-travel", BaseUrl = Gateway.BaseUrl.ToString().TrimEnd('/'), MaxRetries = 0 };

    [Fact]
    public async Task OpenAI_sdk_chat_reaches_the_openai_upstream_with_the_configured_key()
    {
        OpenAIUpstream.RespondJson(Canned.OpenAIChat("Hi there"));
        var result = await OpenAIChat("fast-model").CompleteChatAsync([new UserChatMessage("Say hi")]);

        Assert.Equal("Hi there", result.Value.Content[0].Text);
        var raw = result.GetRawResponse();
        Assert.Equal("openai/gpt-4.1", raw.Headers.TryGetValue("x-switchboard-model", out var m) ? m : null);
        Assert.Equal("openai", raw.Headers.TryGetValue("x-switchboard-provider", out var p) ? p : null);
        Assert.Equal("none", raw.Headers.TryGetValue("x-switchboard-route", out var r) ? r : null);
        Assert.True(raw.Headers.TryGetValue("x-switchboard-request-id", out var id) && id!.StartsWith("sb_"));

        var upstream = OpenAIUpstream.LastRequest;
        Assert.Equal("/v1/chat/completions", upstream.Path);
        Assert.Equal("Bearer sk-test-openai-SECRET-1111", upstream.Header("authorization"));
        Assert.Equal("gpt-4.1", upstream.Json.RootElement.GetProperty("model").GetString());
        var log = await Gateway.Logs.WaitForLineAsync($"request {id} ");
        Assert.Contains("requested=fast-model model=openai/gpt-4.1 provider=openai", log);
        Assert.Contains("selection=alias status=200", log);
        Assert.Contains("input_tokens=11 output_tokens=5", log);
    }

    [Fact]
    public async Task The_upstreams_rate_limit_retry_and_request_id_headers_reach_the_client_and_its_others_do_not()
    {
        OpenAIUpstream.Handler = async (c, _) =>
        {
            c.Response.Headers["x-ratelimit-remaining-requests"] = "4999";
            c.Response.Headers["x-ratelimit-reset-tokens"] = new Microsoft.Extensions.Primitives.StringValues(["6ms", "7ms"]);
            c.Response.Headers["retry-after"] = "3";
            c.Response.Headers["x-request-id"] = "req_upstream_123";
            c.Response.Headers["openai-organization"] = "org-should-stay-upstream";
            c.Response.Headers["set-cookie"] = "__cf_bm=upstream-cookie; path=/";
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync(Canned.OpenAIChat("Hi there"));
        };
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(Gateway.BaseUrl, "/v1/chat/completions"),
            new StringContent("""{"model":"openai/gpt-4.1","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["4999"], response.Headers.GetValues("x-ratelimit-remaining-requests"));
        Assert.Equal(["6ms", "7ms"], response.Headers.GetValues("x-ratelimit-reset-tokens"));
        Assert.Equal("3", response.Headers.RetryAfter?.ToString());
        Assert.Equal(["req_upstream_123"], response.Headers.GetValues("x-request-id"));
        Assert.False(response.Headers.Contains("openai-organization"));
        Assert.False(response.Headers.Contains("set-cookie"));
        Assert.Contains("Hi there", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OpenAI_sdk_streaming_passes_chunks_and_usage_through()
    {
        OpenAIUpstream.RespondSse(Canned.OpenAIStream("gpt-4.1", "One", " two", " three"));
        var text = new StringBuilder();
        await foreach (var update in OpenAIChat("openai/gpt-4.1").CompleteChatStreamingAsync([new UserChatMessage("count")]))
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
        Assert.Equal("One two three", text.ToString());
        Assert.True(OpenAIUpstream.LastRequest.Json.RootElement.GetProperty("stream").GetBoolean());
        var log = await Gateway.Logs.WaitForLineAsync("requested=openai/gpt-4.1");
        Assert.Contains("stream=True input_tokens=9 output_tokens=3", log);
    }

    [Fact]
    public async Task Anthropic_sdk_message_reaches_theAnthropicUpstream_upstream_with_headers_forwarded()
    {
        AnthropicUpstream.RespondJson(Canned.AnthropicMessage("Bonjour"));
        var message = await AnthropicSdk().Messages.Create(new MessageCreateParams
        {
            Model = "claude-sonnet-4-5",
            MaxTokens = 100,
            Messages = [new UserMessageParam { Content = "Say bonjour" }],
        });
        Assert.Equal("Bonjour", string.Concat(message.Content.Select(b => b.TryPickText(out var t) ? t.Text : "")));

        var upstream = AnthropicUpstream.LastRequest;
        Assert.Equal("/v1/messages", upstream.Path);
        Assert.Equal("sk-ant-test-SECRET-2222", upstream.Header("x-api-key"));
        Assert.Null(upstream.Header("authorization"));
        Assert.NotNull(upstream.Header("anthropic-version"));
        Assert.Equal("claude-sonnet-4-5", upstream.Json.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Anthropic_sdk_streaming_passes_every_event_through()
    {
        AnthropicUpstream.RespondSse(Canned.AnthropicStream("claude-sonnet-4-5", "Stre", "amed"));
        var text = new StringBuilder();
        await foreach (var ev in AnthropicSdk().Messages.CreateStreaming(new MessageCreateParams
        {
            Model = "anthropic/claude-sonnet-4-5",
            MaxTokens = 100,
            Messages = [new UserMessageParam { Content = "stream please" }],
        }))
        {
            if (ev.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var t)) text.Append(t.Text);
        }
        Assert.Equal("Streamed", text.ToString());
        var log = await Gateway.Logs.WaitForLineAsync("requested=anthropic/claude-sonnet-4-5");
        Assert.Contains("input_tokens=14 output_tokens=7", log);
    }

    [Fact]
    public async Task Same_protocol_passthrough_keeps_unknown_fields_beta_headers_and_query()
    {
        AnthropicUpstream.RespondJson(Canned.AnthropicMessage());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages?beta=true")
        {
            Content = new StringContent("""
                {"model":"claude-sonnet-4-5","max_tokens":64000,"messages":[{"role":"user","content":"hi"}],
                 "context_management":{"edits":[{"type":"clear_tool_uses_20250919"}]},"output_config":{"effort":"high"},
                 "metadata":{"user_id":"u-1"},"future_field":[1,2,{"x":"é"}]}
                """, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("anthropic-version", "2023-06-01");
        request.Headers.Add("anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14");
        request.Headers.Add("x-api-key", "client-key-should-not-travel");
        using var response = await Gateway.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var upstream = AnthropicUpstream.LastRequest;
        Assert.Equal("?beta=true", upstream.Query);
        Assert.Equal("claude-code-20250219,interleaved-thinking-2025-05-14", upstream.Header("anthropic-beta"));
        Assert.Equal("2023-06-01", upstream.Header("anthropic-version"));
        Assert.Equal("sk-ant-test-SECRET-2222", upstream.Header("x-api-key"));
        var root = upstream.Json.RootElement;
        Assert.Equal("clear_tool_uses_20250919", root.GetProperty("context_management").GetProperty("edits")[0].GetProperty("type").GetString());
        Assert.Equal("é", root.GetProperty("future_field")[2].GetProperty("x").GetString());
        Assert.Equal(64000, root.GetProperty("max_tokens").GetInt32());
    }

    /// <summary>
    /// A conversation that Gemini answered earlier carries thought signatures inside its tool call ids; sent on to an
    /// OpenAI model as is, OpenAI would refuse those ids (over 40 characters), so they arrive at their base.
    /// </summary>
    [Fact]
    public async Task Gemini_signed_tool_call_ids_reach_an_openai_upstream_at_their_base()
    {
        var signed = Switchboard.Protocols.Gemini.GeminiWire.OpenAIToolId("call_r_0", Convert.ToBase64String(new byte[60]));
        OpenAIUpstream.RespondJson(Canned.OpenAIChat("done"));
        var body = $$$"""
            {"model":"openai/gpt-4.1","messages":[
              {"role":"user","content":"list files"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"{{{signed}}}","type":"function","function":{"name":"ls","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"{{{signed}}}","content":"a.txt"}]}
            """;
        using var response = await Gateway.Http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = OpenAIUpstream.LastRequest.Json.RootElement.GetProperty("messages");
        Assert.Equal("call_r_0", sent[1].GetProperty("tool_calls")[0].GetProperty("id").GetString());
        Assert.Equal("call_r_0", sent[2].GetProperty("tool_call_id").GetString());
        Assert.Equal("gpt-4.1", OpenAIUpstream.LastRequest.Json.RootElement.GetProperty("model").GetString());
    }

    private const string ClientTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string ClientSpanId = "00f067aa0ba902b7";

    private async Task<RecordedRequest> SendTracedAsync(string model, bool anthropicUpstream)
    {
        (anthropicUpstream ? AnthropicUpstream : OpenAIUpstream).RespondJson(anthropicUpstream ? Canned.AnthropicMessage() : Canned.OpenAIChat("hi"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent($$"""{"model":"{{model}}","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("anthropic-version", "2023-06-01");
        request.Headers.Add("traceparent", $"00-{ClientTraceId}-{ClientSpanId}-01");
        request.Headers.Add("tracestate", "vendor=abc");
        using var response = await Gateway.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (anthropicUpstream ? AnthropicUpstream : OpenAIUpstream).LastRequest;
    }

    /// <summary>A client's W3C trace context reaches the provider, so the provider's traces join the client's.</summary>
    [Theory]
    [InlineData("anthropic/claude-sonnet-4-5", true)] // passthrough
    [InlineData("openai/gpt-4.1", false)] // translated
    public async Task The_clients_trace_context_reaches_the_upstream(string model, bool anthropicUpstream)
    {
        var upstream = await SendTracedAsync(model, anthropicUpstream);
        var traceParent = upstream.Header("traceparent");
        Assert.NotNull(traceParent);
        var parts = traceParent!.Split('-');
        Assert.Equal(ClientTraceId, parts[1]); // the same trace; the parent span is the client's, or the gateway's when it traces
        Assert.Equal("vendor=abc", upstream.Header("tracestate"));
    }

    /// <summary>While something listens to the gateway's ActivitySource (an OTLP exporter), its request span is a child of the client's, and the upstream call a child of that.</summary>
    [Fact]
    public async Task When_the_gateway_traces_its_span_joins_the_clients_trace()
    {
        // The span stops when the handler returns, which may be just after the client has read the whole response.
        var stopped = new TaskCompletionSource<System.Diagnostics.Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "Switchboard",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (a.TraceId.ToHexString() == ClientTraceId) stopped.TrySetResult(a); },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        var upstream = await SendTracedAsync("anthropic/claude-sonnet-4-5", anthropicUpstream: true);

        var span = await stopped.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("switchboard.request", span.OperationName);
        Assert.Equal(ClientSpanId, span.ParentSpanId.ToHexString());
        var parts = upstream.Header("traceparent")!.Split('-');
        Assert.Equal(ClientTraceId, parts[1]);
        Assert.NotEqual(ClientSpanId, parts[2]); // the upstream's parent is the gateway's span (or HttpClient's child of it)
    }

    [Fact]
    public async Task Streamed_events_reach_the_client_before_the_upstream_finishes()
    {
        var release = new TaskCompletionSource();
        OpenAIUpstream.Handler = async (c, _) =>
        {
            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync("data: {\"id\":\"1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"first\"}}]}\n\n");
            await c.Response.Body.FlushAsync();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await c.Response.WriteAsync("data: [DONE]\n\n");
        };
        using var response = await Gateway.Http.SendAsync(JsonPost("/v1/chat/completions", """{"model":"openai/gpt-4.1","stream":true,"messages":[{"role":"user","content":"x"}]}"""),
            HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("first", first);
        release.SetResult();
        var rest = await reader.ReadToEndAsync();
        Assert.Contains("[DONE]", rest);
    }

    [Fact]
    public async Task A_client_that_disconnects_cancels_the_upstream_call()
    {
        AnthropicUpstream.Handler = async (c, _) =>
        {
            c.Response.ContentType = "text/event-stream";
            for (var i = 0; i < 600; i++)
            {
                await c.Response.WriteAsync($"event: ping\ndata: {{\"type\":\"ping\"}}\n\n", c.RequestAborted);
                await c.Response.Body.FlushAsync(c.RequestAborted);
                await Task.Delay(50, c.RequestAborted);
            }
        };
        var response = await Gateway.Http.SendAsync(JsonPost("/v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"x"}]}"""),
            HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        await stream.ReadAtLeastAsync(new byte[64], 1);
        response.Dispose();
        await AnthropicUpstream.ClientAborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var log = await Gateway.Logs.WaitForLineAsync("status=499");
        Assert.Contains("client disconnected", log);
    }

    [Fact]
    public async Task An_upstream_that_dies_mid_stream_ends_the_client_stream_with_an_error_event()
    {
        AnthropicUpstream.RespondSse(Canned.AnthropicStream().Take(4).Append("event: content_block_delta\ndata: {\"type\":\"content_bl"), dropAtEnd: true);
        using var response = await Gateway.Http.SendAsync(JsonPost("/v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"x"}]}"""));
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("\"content_bl\n", body); // the half event is not forwarded
        Assert.EndsWith("\n\n", body);
        var lastEvent = body.TrimEnd().Split("\n\n").Last();
        Assert.StartsWith("event: error\ndata: ", lastEvent);
        using var error = JsonDocument.Parse(lastEvent["event: error\ndata: ".Length..]);
        Assert.Equal("api_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("anthropic", error.RootElement.GetProperty("error").GetProperty("message").GetString());
    }
}
