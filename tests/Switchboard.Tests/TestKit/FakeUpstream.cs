using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Tests.TestKit;

/// <summary>A request the fake upstream received.</summary>
internal sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public System.Text.Json.JsonDocument Json => System.Text.Json.JsonDocument.Parse(Body);
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}

/// <summary>
/// A fake provider: a real Kestrel server on 127.0.0.1 (port 0) whose answers each test scripts,
/// speaking the providers' wire formats, including streams, errors, stalls and dropped connections.
/// </summary>
internal sealed class FakeUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConnectionCount _connections;

    private FakeUpstream(WebApplication app, ConnectionCount connections) => (_app, _connections) = (app, connections);

    /// <summary>TCP connections this upstream accepted since it started, and the most that were open at once.</summary>
    public int ConnectionsAccepted => Volatile.Read(ref _connections.Accepted);
    public int MostConnectionsOpen => Volatile.Read(ref _connections.MostOpen);

    private sealed class ConnectionCount
    {
        public int Accepted, Open, MostOpen;
    }

    public Uri BaseUrl { get; private set; } = null!;
    public IReadOnlyCollection<RecordedRequest> Requests => _requests;
    public RecordedRequest LastRequest => _requests.Last();

    /// <summary>The scripted answer; replace it per test.</summary>
    public Func<HttpContext, RecordedRequest, Task> Handler { get; set; } = (c, _) => { c.Response.StatusCode = 500; return Task.CompletedTask; };

    /// <summary>Set when a client of this upstream disconnected before the answer finished.</summary>
    public TaskCompletionSource ClientAborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<FakeUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var connections = new ConnectionCount();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.Use(next => async connection =>
        {
            Interlocked.Increment(ref connections.Accepted);
            var open = Interlocked.Increment(ref connections.Open);
            for (var most = Volatile.Read(ref connections.MostOpen); open > most; most = Volatile.Read(ref connections.MostOpen))
                Interlocked.CompareExchange(ref connections.MostOpen, open, most);
            try
            {
                await next(connection);
            }
            finally
            {
                Interlocked.Decrement(ref connections.Open);
            }
        })));
        var app = builder.Build();
        var upstream = new FakeUpstream(app, connections);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            var recorded = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "", headers, body);
            upstream._requests.Enqueue(recorded);
            context.RequestAborted.Register(() => upstream.ClientAborted.TrySetResult());
            try
            {
                await upstream.Handler(context, recorded);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        upstream.BaseUrl = new Uri(address);
        return upstream;
    }

    public void RespondJson(string json, int status = 200, IDictionary<string, string>? headers = null) => Handler = async (c, _) =>
    {
        c.Response.StatusCode = status;
        c.Response.ContentType = "application/json";
        if (headers is not null) foreach (var (k, v) in headers) c.Response.Headers[k] = v;
        await c.Response.WriteAsync(json);
    };

    /// <summary>Streams raw SSE text chunks, flushing each, with an optional pause between them.</summary>
    public void RespondSse(IEnumerable<string> chunks, int delayMs = 0, bool dropAtEnd = false) => Handler = async (c, _) =>
    {
        c.Features.Get<IHttpResponseBodyFeature>()!.DisableBuffering();
        c.Response.StatusCode = 200;
        c.Response.ContentType = "text/event-stream";
        await c.Response.StartAsync();
        foreach (var chunk in chunks)
        {
            await c.Response.WriteAsync(chunk, c.RequestAborted);
            await c.Response.Body.FlushAsync(c.RequestAborted);
            if (delayMs > 0) await Task.Delay(delayMs, c.RequestAborted);
        }
        if (dropAtEnd)
        {
            await Task.Delay(100); // let what was written leave the socket before the reset
            c.Abort();
        }
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(1) is var t ? new CancellationTokenSource(t).Token : default);
        await _app.DisposeAsync();
    }
}

/// <summary>Canned provider answers in each wire format.</summary>
internal static class Canned
{
    private static string Fill(string template, params (string Key, object Value)[] values)
    {
        foreach (var (key, value) in values) template = template.Replace("%" + key + "%", value.ToString());
        return template;
    }

    public static string OpenAIChat(string text = "Hello from OpenAI", string model = "gpt-4.1", int prompt = 11, int completion = 5) => Fill("""
        {"id":"chatcmpl-abc","object":"chat.completion","created":1700000000,"model":"%model%",
         "choices":[{"index":0,"message":{"role":"assistant","content":"%text%"},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":%prompt%,"completion_tokens":%completion%,"total_tokens":%total%}}
        """, ("model", model), ("text", text), ("prompt", prompt), ("completion", completion), ("total", prompt + completion));

    public static string AnthropicMessage(string text = "Hello from Claude", string model = "claude-sonnet-4-5", int input = 12, int output = 6) => Fill("""
        {"id":"msg_01","type":"message","role":"assistant","model":"%model%",
         "content":[{"type":"text","text":"%text%"}],"stop_reason":"end_turn","stop_sequence":null,
         "usage":{"input_tokens":%input%,"output_tokens":%output%}}
        """, ("model", model), ("text", text), ("input", input), ("output", output));

    public static IEnumerable<string> OpenAIStream(string model = "gpt-4.1", params string[] pieces)
    {
        if (pieces.Length == 0) pieces = ["Hel", "lo", " world"];
        const string Head = """data: {"id":"chatcmpl-s","object":"chat.completion.chunk","created":1700000000,"model":"%model%","choices":""";
        yield return Fill(Head + """[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""" + "\n\n", ("model", model));
        foreach (var piece in pieces)
            yield return Fill(Head + """[{"index":0,"delta":{"content":"%piece%"},"finish_reason":null}]}""" + "\n\n", ("model", model), ("piece", piece));
        yield return Fill(Head + """[{"index":0,"delta":{},"finish_reason":"stop"}]}""" + "\n\n", ("model", model));
        yield return Fill(Head + """[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}""" + "\n\n", ("model", model));
        yield return "data: [DONE]\n\n";
    }

    public static IEnumerable<string> AnthropicStream(string model = "claude-sonnet-4-5", params string[] pieces)
    {
        if (pieces.Length == 0) pieces = ["Hel", "lo", " world"];
        yield return Fill("event: message_start\n" + """data: {"type":"message_start","message":{"id":"msg_s","type":"message","role":"assistant","model":"%model%","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":14,"output_tokens":1}}}""" + "\n\n", ("model", model));
        yield return "event: content_block_start\n" + """data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""" + "\n\n";
        yield return "event: ping\n" + """data: {"type": "ping"}""" + "\n\n";
        foreach (var piece in pieces)
            yield return Fill("event: content_block_delta\n" + """data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"%piece%"}}""" + "\n\n", ("piece", piece));
        yield return "event: content_block_stop\n" + """data: {"type":"content_block_stop","index":0}""" + "\n\n";
        yield return "event: message_delta\n" + """data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":7}}""" + "\n\n";
        yield return "event: message_stop\n" + """data: {"type":"message_stop"}""" + "\n\n";
    }
}
