using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Xunit.Abstractions;

namespace Switchboard.Tests.Functional.Faults;

/// <summary>
/// Hostile and broken client input: each must be a clear 4xx in the client's format (or a closed connection for a
/// slow-loris client), never a 500, never a hang, and the gateway keeps serving everyone else.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class HostileInputTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Limit = 8 * 1024 * 1024;
    private ChaosUpstream _openAI = null!;
    private ChaosUpstream _anthropic = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _openAI = await ChaosUpstream.StartAsync(WireApi.OpenAI);
        _anthropic = await ChaosUpstream.StartAsync(WireApi.Anthropic);
        _gateway = await TestGateway.StartAsync(Yaml.TwoProviders(_openAI.BaseUrl, _anthropic.BaseUrl, $"""
            limits:
              max_request_body_bytes: {Limit}
            resilience:
              max_retries: 0
              first_byte_timeout_ms: 5000
            """), Yaml.Keys);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _openAI.DisposeAsync();
        await _anthropic.DisposeAsync();
    }

    private static WireApi ClientOf(string path) => path.StartsWith("/v1/messages", StringComparison.Ordinal) ? WireApi.Anthropic : WireApi.OpenAI;

    /// <summary>Sends raw bytes; returns status and body, failing on a hang.</summary>
    private async Task<(int Status, string Body)> SendAsync(string path, byte[] body, string? contentType = "application/json", bool chunked = false)
    {
        var content = chunked ? (HttpContent)new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
        if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (chunked) request.Headers.TransferEncodingChunked = true;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await _gateway.Http.SendAsync(request, cts.Token);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cts.Token));
    }

    /// <summary>Asserts a 4xx (one of <paramref name="statuses"/>) with an error body in the client's format.</summary>
    private async Task ExpectRejected(string name, string path, byte[] body, int[] statuses, string? contentType = "application/json", bool chunked = false)
    {
        var (status, text) = await SendAsync(path, body, contentType, chunked);
        output.WriteLine($"{name,-48} {path,-22} {body.Length,10} B -> {status} {ResponseJudge.Trim(text, 140)}");
        Assert.True(statuses.Contains(status), $"{name}: expected {string.Join("/", statuses)}, got {status}: {ResponseJudge.Trim(text)}");
        Assert.Null(ResponseJudge.JudgeJsonError(ClientOf(path), text));
    }

    /// <summary>Accepted or rejected with a 4xx, but never a gateway failure.</summary>
    private async Task ExpectHandled(string name, string path, byte[] body)
    {
        var (status, text) = await SendAsync(path, body);
        output.WriteLine($"{name,-48} {path,-22} {body.Length,10} B -> {status} {ResponseJudge.Trim(text, 140)}");
        if (status == 200) Assert.Null(ResponseJudge.JudgeJsonAnswer(ClientOf(path), text));
        else
        {
            Assert.True(status is >= 400 and < 500, $"{name}: expected 200 or a 4xx, got {status}: {ResponseJudge.Trim(text)}");
            Assert.Null(ResponseJudge.JudgeJsonError(ClientOf(path), text));
        }
    }

    private void AssertNoGatewayFailures() =>
        Assert.DoesNotContain(_gateway.Logs.Lines, l => l.Contains("failed inside the gateway", StringComparison.Ordinal) || l.Contains("status=500", StringComparison.Ordinal));

    private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

    public static TheoryData<string, string> Paths => new()
    {
        { "/v1/messages", "claude-sonnet-4-5" },        // Anthropic passthrough
        { "/v1/messages", "gpt-4.1" },                  // Anthropic client, OpenAI upstream (translated)
        { "/v1/chat/completions", "gpt-4.1" },          // OpenAI passthrough
        { "/v1/chat/completions", "claude-sonnet-4-5" }, // OpenAI client, Anthropic upstream (translated)
    };

    private static string Valid(string model, string content = "hi", string extra = "") =>
        $$"""{"model":"{{model}}","max_tokens":16,{{extra}}"messages":[{"role":"user","content":"{{content}}"}]}""";

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Oversized_and_huge_bodies(string path, string model)
    {
        // Many MB below the limit: accepted and relayed (translated too).
        var below = U(Valid(model, new string('a', 6 * 1024 * 1024)));
        await ExpectHandled("6 MiB body (below the 8 MiB limit)", path, below);
        var (status, _) = await SendAsync(path, below);
        Assert.Equal(200, status);
        // Above the limit: 413 with or without Content-Length.
        var above = U(Valid(model, new string('a', 12 * 1024 * 1024)));
        await ExpectRejected("12 MiB body", path, above, [413]);
        await ExpectRejected("12 MiB body, chunked", path, above, [413], chunked: true);
        AssertNoGatewayFailures();
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Deeply_nested_json(string path, string model)
    {
        foreach (var depth in new[] { 10_000, 1_000, 129 })
        {
            var deep = U(Valid(model, extra: $"\"x\":{new string('[', depth)}{new string(']', depth)},"));
            await ExpectRejected($"{depth} levels of nesting", path, deep, [400]);
        }
        // Deeper than a default JsonDocument (64) but within the gateway's limit: served or a 400, never a 500.
        foreach (var depth in new[] { 63, 100, 126 })
        {
            await ExpectHandled($"{depth} levels in an unknown field", path, U(Valid(model, extra: $"\"x\":{new string('[', depth)}{new string(']', depth)},")));
            var nestedObject = string.Concat(Enumerable.Repeat("{\"a\":", depth - 6)) + "1" + new string('}', depth - 6);
            await ExpectHandled($"{depth} levels in a tool schema", path,
                U(Valid(model, extra: $$"""{{(path.Contains("messages") ? "\"tools\":[{\"name\":\"t\",\"input_schema\"" : "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"t\",\"parameters\"")}}:{{nestedObject}}{{(path.Contains("messages") ? "}]," : "}}],")}}""")));
        }
        AssertNoGatewayFailures();
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Invalid_utf8_and_wrong_content_types(string path, string model)
    {
        var valid = U(Valid(model, "PLACEHOLDER"));
        var at = valid.AsSpan().IndexOf("PLACEHOLDER"u8);
        foreach (var (name, bad) in new (string, byte[])[] { ("lone 0xFF", [0xFF]), ("overlong '/'", [0xC0, 0xAF]), ("truncated 3-byte", [0xE2, 0x82]), ("surrogate half", [0xED, 0xA0, 0x80]) })
        {
            var body = valid.AsSpan(0, at).ToArray().Concat(bad).Concat(valid.AsSpan(at + "PLACEHOLDER".Length).ToArray()).ToArray();
            await ExpectRejected("invalid UTF-8: " + name, path, body, [400]);
        }
        await ExpectHandled("escaped lone surrogate", path, U(Valid(model, "\\ud800")));
        foreach (var type in new[] { "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "text/json" })
            await ExpectRejected("Content-Type " + type, path, valid, [400, 415], type);
        await ExpectRejected("no Content-Type", path, valid, [400, 415], contentType: null);
        await ExpectRejected("UTF-16 body labelled JSON", path, Encoding.Unicode.GetBytes(Valid(model)), [400], "application/json; charset=utf-16");
        AssertNoGatewayFailures();
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Bad_shapes_are_a_400_or_served_never_a_500(string path, string model)
    {
        string[] rejected =
        [
            "", " ", "null", "true", "42", "\"str\"", "[]", "[{}]", "{}", "{", "{\"model\":",
            $$"""{"model":"{{model}}","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}""",
            $$"""{"model":"{{model}}","max_tokens":-1,"messages":[{"role":"user","content":"hi"}]}""",
            $$"""{"model":"{{model}}","max_tokens":-1e30,"messages":[{"role":"user","content":"hi"}]}""",
            $$"""{"model":"{{model}}","max_tokens":16,"messages":[]}""",
            "{\"model\":\"" + model + "\",\"max_tokens\":16,\"messages\":{}}",
            $$"""{"model":"{{model}}","max_tokens":16,"messages":"hi"}""",
            $$"""{"model":"{{model}}","max_tokens":16}""",
            $$"""{"model":null,"max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""",
            $$"""{"model":["{{model}}"],"max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""",
            $$"""{"model":"","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""",
            $$"""{"model":"{{model}}","max_tokens":16,"messages":[{"role":"user","content":"hi"}]} trailing""",
            $$"""{"model":"{{model}}","max_tokens":NaN,"messages":[{"role":"user","content":"hi"}]}""",
            $$"""{"model":"{{model}}", /* comment */ "max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""",
        ];
        foreach (var body in rejected) await ExpectRejected("rejected: " + ResponseJudge.Trim(body, 40), path, U(body), [400]);

        // Strange but parseable: forwarded, dropped or rejected with a 400; the gateway itself never fails.
        string[] odd =
        [
            """[{"role":"wizard","content":"hi"}]""",
            """[{"role":"user","content":[{"type":"hologram","data":1}]}]""",
            """[{"role":"user","content":[{"type":"text"}]}]""",
            """[{"role":"user","content":[{"type":"text","text":42}]}]""",
            """[{"role":"user","content":[{"type":"image","source":null}]}]""",
            """[{"role":"user","content":[{"type":"tool_result"}]}]""",
            """[{"role":"user","content":[{"type":"tool_use","name":7,"input":"x"}]}]""",
            """[{"role":"assistant","tool_calls":[{"id":1,"function":{"name":null,"arguments":{}}}]}]""",
            """[{"role":"assistant","tool_calls":"x"}]""",
            """[{"role":"tool","content":null}]""",
            """[{"role":null,"content":"hi"}]""",
            """[{"content":"hi"}]""",
            """[42]""",
            """[null]""",
            """["hi"]""",
            """[[]]""",
            """[{"role":"user","content":{}}]""",
            """[{"role":"user","content":""}]""",
            """[{"role":"system","content":[{"type":"text","text":"sys"}]}]""",
            """[{"role":"user","content":"\u0000\u0001\uFFFF"}]""",
        ];
        foreach (var messages in odd)
            await ExpectHandled("odd: " + ResponseJudge.Trim(messages, 40), path, U("{\"model\":\"" + model + "\",\"max_tokens\":16,\"messages\":" + messages + "}"));
        string[] oddTop =
        [
            "\"max_tokens\":1e300,", "\"max_tokens\":\"16\",", "\"max_tokens\":9223372036854775808,", "\"stream\":\"yes\",", "\"stream\":null,",
            "\"system\":42,", "\"system\":[{\"type\":\"hologram\"}],", "\"tools\":{},", "\"tools\":[null,1,\"x\",{}],",
            "\"tool_choice\":{\"type\":\"tool\"},", "\"tool_choice\":{\"type\":\"tool\",\"name\":5},", "\"tool_choice\":7,", "\"temperature\":\"hot\",",
            "\"stop_sequences\":[1,null],", "\"stop\":5,", "\"metadata\":[],", "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":\"lots\"},",
            "\"stream_options\":5,", "\"response_format\":{\"type\":7},", "\"n\":-3,",
        ];
        foreach (var extra in oddTop)
            await ExpectHandled("odd top-level: " + extra.TrimEnd(','), path, U(Valid(model, extra: extra)));
        AssertNoGatewayFailures();
    }

    [Fact]
    public async Task Slow_loris_clients_are_cut_off_and_everyone_else_is_served()
    {
        const int Loris = 16;
        var port = _gateway.BaseUrl.Port;
        var stopwatch = Stopwatch.StartNew();
        var clients = await Task.WhenAll(Enumerable.Range(0, Loris).Select(async i =>
        {
            var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            var headers = $"POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
            await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes(headers));
            return tcp;
        }));
        // One byte per second each; meanwhile ordinary requests must be answered promptly.
        var drip = clients.Select(async tcp =>
        {
            var stream = tcp.GetStream();
            var started = Stopwatch.StartNew();
            try
            {
                while (started.Elapsed < TimeSpan.FromSeconds(30))
                {
                    await stream.WriteAsync("{"u8.ToArray());
                    // A closed connection shows up as a read of 0 or an error; wait up to a second for it.
                    var buffer = new byte[4096];
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                    try
                    {
                        var read = await stream.ReadAsync(buffer, cts.Token);
                        if (read == 0) return (Closed: true, started.Elapsed, Reply: "");
                        var reply = Encoding.ASCII.GetString(buffer, 0, read);
                        // Whatever Kestrel answers, the connection must close after it.
                        while (await stream.ReadAsync(buffer) > 0) { }
                        return (Closed: true, started.Elapsed, Reply: reply.Split("\r\n")[0]);
                    }
                    catch (OperationCanceledException) { }
                }
                return (Closed: false, started.Elapsed, Reply: "");
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                return (Closed: true, started.Elapsed, Reply: ex.GetType().Name);
            }
        }).ToArray();

        var served = 0;
        while (!drip.All(d => d.IsCompleted) && stopwatch.Elapsed < TimeSpan.FromSeconds(35))
        {
            var sw = Stopwatch.StartNew();
            var (status, _) = await SendAsync("/v1/chat/completions", U(Valid("gpt-4.1")));
            Assert.Equal(200, status);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"an ordinary request took {sw.Elapsed.TotalMilliseconds:0} ms while slow clients were connected");
            served++;
            await Task.Delay(250);
        }
        var results = await Task.WhenAll(drip);
        foreach (var tcp in clients) tcp.Dispose();
        output.WriteLine($"{Loris} slow-loris clients: closed after {results.Min(r => r.Elapsed.TotalSeconds):0.0}–{results.Max(r => r.Elapsed.TotalSeconds):0.0} s " +
            $"(replies: {string.Join(", ", results.GroupBy(r => r.Reply).Select(g => $"'{g.Key}'×{g.Count()}"))}); {served} ordinary requests served meanwhile");
        Assert.All(results, r => Assert.True(r.Closed, $"a slow-loris connection was still open after {r.Elapsed.TotalSeconds:0} s"));
        Assert.All(results, r => Assert.True(r.Elapsed < TimeSpan.FromSeconds(15), $"closed only after {r.Elapsed.TotalSeconds:0} s"));
        Assert.True(served >= 5);
        var (after, _) = await SendAsync("/v1/messages", U(Valid("claude-sonnet-4-5")));
        Assert.Equal(200, after);
        AssertNoGatewayFailures();
    }
}
