using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>
/// A large same-API request whose model comes first goes upstream while the client is still sending it
/// (Pipeline/Relays/StreamedRequestBody): the provider gets the exact bytes, starts receiving before the client's last
/// byte, sees an aborted request (never a complete one) when the body turns out invalid or the client leaves, and a
/// retry or a fallback gets the whole body.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class StreamedRequestBodyTests
{
    /// <summary>A bare id the provider gets unchanged, so its bytes are the client's.</summary>
    private const string Model = "gpt-4.1";

    /// <summary>~220 KB of OpenAI chat, model first, text full of escapes; <paramref name="tail"/> ends the object.</summary>
    private static string Conversation(string model = Model, string head = "", string tail = "\"max_tokens\":1024")
    {
        var s = new StringBuilder();
        s.Append("{\"model\":\"").Append(model).Append("\",").Append(head).Append("\"messages\":[");
        for (var i = 0; i < 120; i++)
        {
            var text = string.Concat(Enumerable.Repeat($"line {i}: \\\"quoted\\\"\\tand a path C:\\\\src\\\\app.cs \\u00e9\\n", 30));
            s.Append("{\"role\":\"").Append(i % 2 == 0 ? "user" : "assistant").Append("\",\"content\":\"").Append(text).Append("\"},");
        }
        s.Append("{\"role\":\"user\",\"content\":\"the last question\"}],").Append(tail).Append('}');
        return s.ToString();
    }

    private static string Config(ArrivalUpstream upstream, string extra = "") => $"""
        model_providers:
          - model: openai/gpt-4.1
            access_key: $OPENAI_API_KEY
            base_url: {upstream.BaseUrl}v1
            default: true
        resilience:
          initial_backoff_ms: 5
          max_backoff_ms: 20
        {extra}
        """;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_provider_gets_the_exact_bytes_from_a_content_length_or_a_chunked_client(bool contentLength)
    {
        await using var upstream = await ArrivalUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Config(upstream), Yaml.Keys);
        var body = Conversation();
        using var response = await gateway.Http.SendAsync(Post(new PacedContent(body, contentLength)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, Assert.Single(upstream.Complete));
        Assert.Equal(0, upstream.Broken);
    }

    [Fact]
    public async Task The_provider_receives_the_body_before_the_client_has_sent_all_of_it()
    {
        await using var upstream = await ArrivalUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Config(upstream), Yaml.Keys);
        var body = Conversation();
        // The client sends 150 KB, then waits (up to 5 s) for the provider to have 100 KB of it before sending the rest.
        var content = new PacedContent(body, contentLength: true, pauseAt: 150_000, until: upstream.Received(100_000));
        using var response = await gateway.Http.SendAsync(Post(content));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(content.SawProviderFirst, "the provider had none of the body before the client's end: the gateway buffered it whole");
        Assert.Equal(body, Assert.Single(upstream.Complete));
    }

    [Fact]
    public async Task A_model_that_is_not_first_and_a_small_body_take_the_buffered_path_unchanged()
    {
        await using var upstream = await ArrivalUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Config(upstream), Yaml.Keys);
        var late = Conversation().Replace("{\"model\":\"gpt-4.1\",", "{").TrimEnd('}') + ",\"model\":\"gpt-4.1\"}";
        var small = """{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}""";
        foreach (var body in new[] { late, small })
        {
            using var response = await gateway.Http.SendAsync(Post(new PacedContent(body, contentLength: true)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal([late, small], upstream.Complete.ToArray());
    }

    [Fact]
    public async Task Invalid_json_at_200_KB_is_the_clients_400_and_the_provider_sees_only_an_aborted_request()
    {
        await using var upstream = await ArrivalUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Config(upstream), Yaml.Keys);
        var body = Conversation(tail: "\"max_tokens\":1024,\"stream\":tru");
        Assert.True(Encoding.UTF8.GetByteCount(body) > 200_000);
        using var response = await gateway.Http.SendAsync(Post(WaitingForTheProvider(body, upstream)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_request_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("not valid JSON", error.RootElement.GetProperty("error").GetProperty("message").GetString());
        await upstream.BrokenOff.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(upstream.Complete);
    }

    [Fact]
    public async Task A_request_without_messages_is_the_same_400_as_before()
    {
        await using var upstream = await ArrivalUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Config(upstream), Yaml.Keys);
        var body = Conversation().Replace("\"messages\":", "\"messages_\":");
        using var response = await gateway.Http.SendAsync(Post(new PacedContent(body, contentLength: true)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'messages' is required", await response.Content.ReadAsStringAsync());
        Assert.Empty(upstream.Complete);
    }

    [Fact]
    public async Task A_client_that_leaves_mid_body_aborts_the_providers_request()
    {
        await using var upstream = await ArrivalUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Config(upstream), Yaml.Keys);
        var content = new PacedContent(Conversation(), contentLength: true, pauseAt: 150_000, until: upstream.Received(100_000), failAtPause: true);
        await Assert.ThrowsAnyAsync<Exception>(() => gateway.Http.SendAsync(Post(content)));
        Assert.True(content.SawProviderFirst);
        await upstream.BrokenOff.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(upstream.Complete);
        // As a buffered body's client leaving: logged as the client's disconnect, or Kestrel's 400 for a cut body.
        var line = await gateway.Logs.WaitForLineAsync("requested=gpt-4.1");
        Assert.True(line.Contains("status=499") || line.Contains("status=400"), line);
    }

    [Fact]
    public async Task A_retry_after_a_503_on_the_streamed_attempt_resends_the_whole_body()
    {
        await using var upstream = await ArrivalUpstream.StartAsync();
        upstream.Statuses.Enqueue(503);
        await using var gateway = await TestGateway.StartAsync(Config(upstream), Yaml.Keys);
        var body = Conversation();
        using var response = await gateway.Http.SendAsync(Post(WaitingForTheProvider(body, upstream)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([body, body], upstream.Complete.ToArray());
        Assert.Equal(0, upstream.Broken);
    }

    [Fact]
    public async Task A_fallback_to_another_provider_gets_the_whole_body_translated()
    {
        await using var upstream = await ArrivalUpstream.StartAsync();
        upstream.Statuses.Enqueue(503);
        await using var anthropic = await FakeUpstream.StartAsync();
        anthropic.RespondJson(Canned.AnthropicMessage("from the fallback"));
        await using var gateway = await TestGateway.StartAsync($"""
            model_providers:
              - model: openai/gpt-4.1
                access_key: $OPENAI_API_KEY
                base_url: {upstream.BaseUrl}v1
                default: true
                fallbacks: [anthropic/claude-sonnet-4-5]
              - model: anthropic/claude-sonnet-4-5
                access_key: $ANTHROPIC_API_KEY
                base_url: {anthropic.BaseUrl}
            resilience:
              max_retries: 0
            """, Yaml.Keys);
        var content = WaitingForTheProvider(Conversation(), upstream);
        using var response = await gateway.Http.SendAsync(Post(content));
        Assert.True(content.SawProviderFirst);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("from the fallback", await response.Content.ReadAsStringAsync());
        Assert.Single(upstream.Complete);
        using var sent = anthropic.LastRequest.Json;
        Assert.Equal(121, sent.RootElement.GetProperty("messages").GetArrayLength());
        Assert.Contains("the last question", sent.RootElement.GetProperty("messages")[120].GetProperty("content").ToString());
    }

    [Fact]
    public async Task A_max_tokens_cap_in_the_held_tail_is_written_there_and_one_before_it_sends_the_body_again_whole()
    {
        await using var upstream = await ArrivalUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Config(upstream).Replace("default: true", "default: true\n    max_output_tokens: 2000"), Yaml.Keys);

        // At the end: capped in place, padded with spaces so the Content-Length sent first stays true.
        var tailCapped = Conversation(tail: "\"max_tokens\":9999999");
        using (var response = await gateway.Http.SendAsync(Post(WaitingForTheProvider(tailCapped, upstream))))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(tailCapped.Replace("\"max_tokens\":9999999", "\"max_tokens\":2000   "), upstream.Complete.Last());

        // Right after the model (already sent when the body is whole): that attempt is aborted and the body sent again whole.
        var headCapped = Conversation(head: "\"max_tokens\":9999999,", tail: "\"stream\":false");
        using (var response = await gateway.Http.SendAsync(Post(WaitingForTheProvider(headCapped, upstream))))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(headCapped.Replace("\"max_tokens\":9999999", "\"max_tokens\":2000"), upstream.Complete.Last());
        Assert.Equal(2, upstream.Complete.Count);
        // The provider notices the aborted attempt on its own time: the answer can reach the client first.
        await upstream.BrokenOff.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, upstream.Broken);
    }

    [Fact]
    public async Task A_steady_upload_longer_than_the_first_byte_timeout_is_not_the_providers_timeout()
    {
        // The first-byte clock restarts at each read of the client's body and once it is sent: a 2 s timeout, a body
        // that takes ~3.5 s to arrive in pieces 250 ms apart (room for a loaded machine's stalls between them), a
        // provider that answers at once when it has it all.
        await using var upstream = await ArrivalUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Config(upstream, "  first_byte_timeout_ms: 2000"), Yaml.Keys);
        var body = Conversation();
        using var response = await gateway.Http.SendAsync(Post(new SlowContent(body, TimeSpan.FromMilliseconds(250))));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, Assert.Single(upstream.Complete));
        Assert.Equal(0, upstream.Broken);
    }

    /// <summary>A client body written 16 KB at a time, <c>gap</c> apart, with a Content-Length.</summary>
    private sealed class SlowContent(string json, TimeSpan gap) : HttpContent
    {
        private readonly byte[] _bytes = Encoding.UTF8.GetBytes(json);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var at = 0; at < _bytes.Length; at += 16 * 1024)
            {
                await stream.WriteAsync(_bytes.AsMemory(at, Math.Min(16 * 1024, _bytes.Length - at)));
                await stream.FlushAsync();
                await Task.Delay(gap);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return true;
        }
    }

    [Fact]
    public async Task A_second_model_at_the_end_aborts_the_streamed_attempt_and_the_body_goes_whole_as_before()
    {
        await using var upstream = await ArrivalUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Config(upstream), Yaml.Keys);
        var body = Conversation(tail: "\"max_tokens\":1024,\"model\":\"gpt-4.1\"");
        using var response = await gateway.Http.SendAsync(Post(WaitingForTheProvider(body, upstream)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, Assert.Single(upstream.Complete));
        await upstream.BrokenOff.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, upstream.Broken);
    }

    [Theory]
    [InlineData("", true)]          // no hints: the explicit model answers whatever the session
    [InlineData("auxiliary", true)] // a background call to an explicit model: the same
    [InlineData("main", false)]     // a user turn pins its model in the session, which is in the body's metadata
    public async Task An_anthropic_request_without_a_session_header_streams_unless_its_session_is_needed_before_the_send(string requestClass, bool streams)
    {
        await using var upstream = await ArrivalUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync($"""
            model_providers:
              - model: anthropic/claude-sonnet-4-5
                access_key: $ANTHROPIC_API_KEY
                base_url: {upstream.BaseUrl}
                default: true
            """, Yaml.Keys);
        var body = Conversation("claude-sonnet-4-5", tail: "\"max_tokens\":1024,\"metadata\":{\"user_id\":\"user_1_account_2_session_s-9\"}");
        var content = WaitingForTheProvider(body, upstream);
        using var request = Post(content, "/v1/messages");
        request.Headers.Add("anthropic-version", "2023-06-01");
        if (requestClass.Length > 0) request.Headers.Add("x-claude-code-request-class", requestClass);
        using var response = await gateway.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(streams, content.SawProviderFirst);
        Assert.Equal(body, Assert.Single(upstream.Complete));
        // The session is the body's, read once it was whole, either way (the status line's view of it).
        for (var waited = 0; ; waited += 50)
        {
            using var last = await gateway.Http.GetAsync("/switchboard/last?session=s-9");
            if (last.StatusCode == HttpStatusCode.OK) break;
            Assert.True(waited < 5000, "the request was not recorded under the session in its body");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// 150 KB, then the rest once the provider has 100 KB (or after 5 s): on loopback a client's whole body is often in
    /// the gateway's socket buffer before its first read, and such a body takes the buffered path.
    /// </summary>
    private static PacedContent WaitingForTheProvider(string body, ArrivalUpstream upstream) =>
        new(body, contentLength: true, pauseAt: 150_000, until: upstream.Received(100_000));

    private static HttpRequestMessage Post(HttpContent content, string path = "/v1/chat/completions")
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new(HttpMethod.Post, path) { Content = content };
    }

    /// <summary>
    /// A client body written in 16 KB pieces, with or without a Content-Length; optionally paused at a byte offset
    /// until <c>until</c> completes (at most 5 s), then finished or broken off.
    /// </summary>
    private sealed class PacedContent(string json, bool contentLength, int pauseAt = -1, Task? until = null, bool failAtPause = false) : HttpContent
    {
        private readonly byte[] _bytes = Encoding.UTF8.GetBytes(json);

        public bool SawProviderFirst { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var at = 0; at < _bytes.Length;)
            {
                if (at == pauseAt)
                {
                    await stream.FlushAsync();
                    SawProviderFirst = await Task.WhenAny(until!, Task.Delay(5000)) == until;
                    if (failAtPause) throw new IOException("the client went away");
                }
                var next = pauseAt > at ? Math.Min(pauseAt, at + 16 * 1024) : at + 16 * 1024;
                var count = Math.Min(next, _bytes.Length) - at;
                await stream.WriteAsync(_bytes.AsMemory(at, count));
                at += count;
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return contentLength;
        }
    }

    /// <summary>
    /// A provider on loopback that reads each body as it arrives: how much of the current one it has, the bodies it
    /// read to their end, and how many broke off; answers 200 (OpenAI chat) unless <see cref="Statuses"/> says otherwise.
    /// </summary>
    private sealed class ArrivalUpstream : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(long Bytes, TaskCompletionSource Reached)> _waits = new();
        private int _broken;

        private ArrivalUpstream(WebApplication app) => _app = app;

        public Uri BaseUrl { get; private set; } = null!;
        public ConcurrentQueue<string> Complete { get; } = new();
        public ConcurrentQueue<int> Statuses { get; } = new();
        public int Broken => Volatile.Read(ref _broken);
        public TaskCompletionSource BrokenOff { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes once one request's body has reached <paramref name="bytes"/> bytes.</summary>
        public Task Received(long bytes)
        {
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits.Enqueue((bytes, reached));
            return reached.Task;
        }

        public static async Task<ArrivalUpstream> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var upstream = new ArrivalUpstream(app);
            app.Run(upstream.HandleAsync);
            await app.StartAsync();
            upstream.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            return upstream;
        }

        private async Task HandleAsync(HttpContext context)
        {
            var body = new MemoryStream();
            var buffer = new byte[16 * 1024];
            try
            {
                int read;
                while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
                {
                    body.Write(buffer, 0, read);
                    foreach (var (bytes, reached) in _waits)
                        if (body.Length >= bytes) reached.TrySetResult();
                }
            }
            catch (Exception ex) when (ex is IOException or BadHttpRequestException or OperationCanceledException)
            {
                Interlocked.Increment(ref _broken);
                BrokenOff.TrySetResult();
                return;
            }
            Complete.Enqueue(Encoding.UTF8.GetString(body.ToArray()));
            var status = Statuses.TryDequeue(out var scripted) ? scripted : 200;
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            var anthropic = context.Request.Path.Value!.EndsWith("/messages", StringComparison.Ordinal);
            await context.Response.WriteAsync(status != 200 ? """{"error":{"message":"overloaded","type":"server_error"}}""" : anthropic ? Canned.AnthropicMessage() : Canned.OpenAIChat());
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
