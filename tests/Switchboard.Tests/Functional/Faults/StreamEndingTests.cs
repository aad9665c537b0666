using System.ClientModel;
using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Http;
using Anthropic;
using Anthropic.Models.Messages;
using OpenAI;
using OpenAI.Chat;

namespace Switchboard.Tests.Functional.Faults;

/// <summary>
/// How a stream ends, for every client API and every upstream protocol, passthrough and translated: an upstream that
/// closes its connection before its protocol's final event (a truncated stream) must reach the client as an error,
/// never as a finished answer; an upstream that goes silent must not leave the client without bytes (keep-alives), yet
/// its idle timeout still cuts it.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class StreamEndingTests : IAsyncLifetime
{
    private const int KeepAliveMs = 150;
    private const int IdleTimeoutMs = 6000; // well past the 16-interval silence below, even when a loaded machine fires the fake upstream's delay late

    private FakeUpstream _openAI = null!;
    private FakeUpstream _anthropic = null!;
    private FakeUpstream _gemini = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _openAI = await FakeUpstream.StartAsync();
        _anthropic = await FakeUpstream.StartAsync();
        _gemini = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            version: v1
            model_providers:
              - model: openai/gpt-4.1
                access_key: $OPENAI_API_KEY
                base_url: {_openAI.BaseUrl.ToString().TrimEnd('/')}/v1
                default: true
              - model: anthropic/claude-sonnet-4-5
                access_key: $ANTHROPIC_API_KEY
                base_url: {_anthropic.BaseUrl.ToString().TrimEnd('/')}
              - model: gemini/gemini-2.5-pro
                provider_interface: gemini
                access_key: $GEMINI_API_KEY
                base_url: {_gemini.BaseUrl.ToString().TrimEnd('/')}
            resilience:
              max_retries: 0
              stream_idle_timeout_ms: {IdleTimeoutMs}
              stream_keepalive_ms: {KeepAliveMs}
            """, new Dictionary<string, string>(Yaml.Keys) { ["GEMINI_API_KEY"] = "AIza-test-SECRET-3333" });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _openAI.DisposeAsync();
        await _anthropic.DisposeAsync();
        await _gemini.DisposeAsync();
    }

    public enum Upstream { OpenAI, Anthropic, Gemini }

    /// <summary>Every (client, upstream) pair: two passthrough, four translated.</summary>
    public static TheoryData<WireApi, Upstream> Pairs => new()
    {
        { WireApi.Anthropic, Upstream.Anthropic },
        { WireApi.OpenAI, Upstream.OpenAI },
        { WireApi.Anthropic, Upstream.OpenAI },
        { WireApi.OpenAI, Upstream.Anthropic },
        { WireApi.Anthropic, Upstream.Gemini },
        { WireApi.OpenAI, Upstream.Gemini },
    };

    private static string GeminiEvent(string json) => "data: " + json + "\n\n";

    /// <summary>The events an upstream sends before the test's fault: a stream head and the text "Hel".</summary>
    private static string[] Head(Upstream upstream) => upstream switch
    {
        Upstream.OpenAI => [.. Canned.OpenAIStream().Take(2)],
        Upstream.Anthropic => [.. Canned.AnthropicStream().Take(4)],
        _ => [GeminiEvent("""{"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]},"index":0}],"usageMetadata":{"promptTokenCount":9},"responseId":"g1"}""")],
    };

    /// <summary>The rest of the stream, with the protocol's final event.</summary>
    private static string[] Tail(Upstream upstream) => upstream switch
    {
        Upstream.OpenAI => [.. Canned.OpenAIStream().Skip(2)],
        Upstream.Anthropic => [.. Canned.AnthropicStream().Skip(4)],
        _ => [GeminiEvent("""{"candidates":[{"content":{"role":"model","parts":[{"text":"lo world"}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":3},"responseId":"g1"}""")],
    };

    private FakeUpstream Fake(Upstream upstream) => upstream switch { Upstream.OpenAI => _openAI, Upstream.Anthropic => _anthropic, _ => _gemini };

    private static string Model(Upstream upstream) => upstream switch
    {
        Upstream.OpenAI => "openai/gpt-4.1",
        Upstream.Anthropic => "anthropic/claude-sonnet-4-5",
        _ => "gemini/gemini-2.5-pro",
    };

    private static HttpRequestMessage StreamRequest(WireApi client, Upstream upstream) => client == WireApi.Anthropic
        ? JsonPost("/v1/messages", $$"""{"model":"{{Model(upstream)}}","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""")
        : JsonPost("/v1/chat/completions", $$"""{"model":"{{Model(upstream)}}","stream":true,"messages":[{"role":"user","content":"hi"}]}""");

    /// <summary>Streams the events, pausing <paramref name="silence"/> after the head (forever when null), then ends cleanly.</summary>
    private static Func<HttpContext, RecordedRequest, Task> Script(string[] head, TimeSpan? silence, string[] tail) => async (c, _) =>
    {
        c.Response.StatusCode = 200;
        c.Response.ContentType = "text/event-stream";
        await c.Response.StartAsync(c.RequestAborted);
        await c.Response.Body.FlushAsync(c.RequestAborted); // the headers go out now, before any event
        foreach (var e in head)
        {
            await c.Response.WriteAsync(e, c.RequestAborted);
            await c.Response.Body.FlushAsync(c.RequestAborted);
        }
        await Task.Delay(silence ?? Timeout.InfiniteTimeSpan, c.RequestAborted);
        foreach (var e in tail)
        {
            await c.Response.WriteAsync(e, c.RequestAborted);
            await c.Response.Body.FlushAsync(c.RequestAborted);
        }
    };

    private async Task<string> ReadStreamAsync(WireApi client, Upstream upstream)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await _gateway.Http.SendAsync(StreamRequest(client, upstream), HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal(200, (int)response.StatusCode);
        return await response.Content.ReadAsStringAsync(cts.Token);
    }

    private static int KeepAlives(WireApi client, string text) =>
        CountOf(text, client == WireApi.Anthropic ? "event: ping\ndata: {\"type\": \"ping\"}\n\n" : ": keep-alive\n\n");

    private static int CountOf(string text, string frame)
    {
        int count = 0;
        for (int at = text.IndexOf(frame, StringComparison.Ordinal); at >= 0; at = text.IndexOf(frame, at + frame.Length, StringComparison.Ordinal))
        {
            // Only ever between whole events: at the start, or right after an event's blank line.
            Assert.True(at == 0 || text.AsSpan(0, at).EndsWith("\n\n"), $"a keep-alive inside an event at {at}: {text}");
            count++;
        }
        return count;
    }

    // ---- truncated streams ----------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task A_stream_that_ends_before_its_final_event_ends_with_an_error_not_a_finished_answer(WireApi client, Upstream upstream)
    {
        Fake(upstream).RespondSse(Head(upstream)); // then the connection closes cleanly: no finish_reason, [DONE], message_stop or finishReason

        var text = await ReadStreamAsync(client, upstream);

        Assert.Equal(ResponseJudge.StreamVerdict.EndedWithError, ResponseJudge.JudgeStream(client, text));
        Assert.Contains("Hel", text); // what did arrive is still delivered
        Assert.Contains("ended before its final event", text);
        Assert.DoesNotContain("event: message_stop", text);
        Assert.DoesNotContain("end_turn", text);
        Assert.DoesNotContain("\"finish_reason\":\"stop\"", text);
        var logged = await _gateway.Logs.WaitForLineAsync("ended before its final event");
        Assert.StartsWith("Error ", logged);
        var request = await _gateway.Logs.WaitForLineAsync($"model={Model(upstream)} ");
        Assert.Contains("error=\"upstream stream ended before its final event", request);
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task A_stream_with_its_final_event_ends_cleanly(WireApi client, Upstream upstream)
    {
        Fake(upstream).RespondSse([.. Head(upstream), .. Tail(upstream)]);

        var text = await ReadStreamAsync(client, upstream);

        Assert.Equal(ResponseJudge.StreamVerdict.Complete, ResponseJudge.JudgeStream(client, text));
        var request = await _gateway.Logs.WaitForLineAsync($"model={Model(upstream)} ");
        Assert.DoesNotContain("error=", request);
    }

    [Theory]
    [InlineData(WireApi.OpenAI)]     // passthrough
    [InlineData(WireApi.Anthropic)]  // translated
    public async Task An_openai_compatible_stream_that_ends_at_its_finish_reason_without_DONE_is_complete(WireApi client)
    {
        _openAI.RespondSse([.. Canned.OpenAIStream().SkipLast(1)]); // some servers never send [DONE]

        var text = await ReadStreamAsync(client, Upstream.OpenAI);

        Assert.Equal(ResponseJudge.StreamVerdict.Complete, ResponseJudge.JudgeStream(client, text));
        Assert.DoesNotContain("ended before its final event", text);
    }

    [Fact]
    public async Task The_anthropic_sdk_fails_on_a_truncated_openai_stream_instead_of_reporting_end_turn()
    {
        // The reproduction: one chunk, then the connection closes.
        _openAI.RespondSse([.. Canned.OpenAIStream().Take(2)]);
        var sdk = new AnthropicClient { ApiKey = "client", BaseUrl = _gateway.BaseUrl.ToString().TrimEnd('/'), MaxRetries = 0 };
        var sawMessageDelta = false;
        var text = new StringBuilder();
        var failure = await Record.ExceptionAsync(async () =>
        {
            await foreach (var ev in sdk.Messages.CreateStreaming(new MessageCreateParams
            {
                Model = "openai/gpt-4.1",
                MaxTokens = 64,
                Messages = [new UserMessageParam { Content = "hi" }],
            }))
            {
                if (ev.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var t)) text.Append(t.Text);
                if (ev.TryPickDelta(out _)) sawMessageDelta = true;
            }
        });
        Assert.NotNull(failure);
        Assert.Contains("ended before its final event", failure.ToString());
        Assert.False(sawMessageDelta); // no stop_reason: the answer never passes for finished
        Assert.Equal("Hel", text.ToString());
    }

    // ---- silent upstreams -----------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task A_silent_upstream_gets_keep_alives_between_whole_events_and_the_answer_completes(WireApi client, Upstream upstream)
    {
        // 16 intervals of silence for at least 2 keep-alives: the timer's ticks run on the thread pool, which the
        // suite's start (dozens of gateways starting at once in this process) can hold up for over a second.
        Fake(upstream).Handler = Script(Head(upstream), TimeSpan.FromMilliseconds(KeepAliveMs * 16), Tail(upstream));

        var text = await ReadStreamAsync(client, upstream);

        Assert.Equal(ResponseJudge.StreamVerdict.Complete, ResponseJudge.JudgeStream(client, text));
        Assert.True(KeepAlives(client, text) >= 2, $"expected keep-alives during {KeepAliveMs * 16} ms of silence: {text}");
    }

    [Theory]
    [InlineData(WireApi.Anthropic, Upstream.OpenAI)]
    [InlineData(WireApi.Anthropic, Upstream.Gemini)]
    [InlineData(WireApi.OpenAI, Upstream.Anthropic)]
    public async Task Keep_alives_start_with_the_response_headers_and_the_official_sdks_read_past_them(WireApi client, Upstream upstream)
    {
        // Silent before the first event: the translator has nothing to say yet, but the headers are out.
        Fake(upstream).Handler = Script([], TimeSpan.FromMilliseconds(KeepAliveMs * 8), [.. Head(upstream), .. Tail(upstream)]);

        var text = new StringBuilder();
        if (client == WireApi.Anthropic)
        {
            var sdk = new AnthropicClient { ApiKey = "client", BaseUrl = _gateway.BaseUrl.ToString().TrimEnd('/'), MaxRetries = 0 };
            await foreach (var ev in sdk.Messages.CreateStreaming(new MessageCreateParams
            {
                Model = Model(upstream),
                MaxTokens = 64,
                Messages = [new UserMessageParam { Content = "hi" }],
            }))
            {
                if (ev.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var t)) text.Append(t.Text);
            }
        }
        else
        {
            var chat = new ChatClient(Model(upstream), new ApiKeyCredential("client"), new OpenAIClientOptions { Endpoint = new Uri(_gateway.BaseUrl, "/v1") });
            await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("hi")]))
                foreach (var part in update.ContentUpdate) text.Append(part.Text);
        }
        Assert.Equal("Hello world", text.ToString());

        // The same silence, read raw: the keep-alives came first. (At least one: on a loaded 2-core machine the timer
        // behind them can fire late, and how many fit in the silence is not what this test is about.)
        var raw = await ReadStreamAsync(client, upstream);
        Assert.True(KeepAlives(client, raw) >= 1, raw);
        Assert.True(raw.StartsWith(client == WireApi.Anthropic ? "event: ping" : ": keep-alive", StringComparison.Ordinal), raw);
    }

    [Theory]
    [InlineData(WireApi.Anthropic, Upstream.Anthropic)]
    [InlineData(WireApi.Anthropic, Upstream.OpenAI)]
    [InlineData(WireApi.OpenAI, Upstream.OpenAI)]
    [InlineData(WireApi.OpenAI, Upstream.Gemini)]
    public async Task Keep_alives_do_not_reset_the_upstream_idle_timeout(WireApi client, Upstream upstream)
    {
        Fake(upstream).Handler = Script(Head(upstream), silence: null, []); // silent until the gateway gives up

        var watch = Stopwatch.StartNew();
        var text = await ReadStreamAsync(client, upstream);

        Assert.Equal(ResponseJudge.StreamVerdict.EndedWithError, ResponseJudge.JudgeStream(client, text));
        Assert.Contains($"sent nothing for {IdleTimeoutMs / 1000.0:0.#} s", text);
        Assert.True(KeepAlives(client, text) >= 2, text);
        // Keep-alives that reset the timeout would run the stream into ReadStreamAsync's 20 s cancel; 5× leaves a loaded machine room.
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(IdleTimeoutMs * 5), $"cut after {watch.Elapsed}, the idle timeout is {IdleTimeoutMs} ms");
    }
}
