using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Switchboard.Tests.TestKit;

/// <summary>What a chaotic upstream does to the calls it decides to break.</summary>
internal enum FaultKind
{
    /// <summary>HTTP 500 with a JSON error body.</summary>
    Http500,
    /// <summary>HTTP 429 with <c>retry-after: 1</c> (seconds).</summary>
    Http429RetryAfter,
    /// <summary>HTTP 429 with <c>retry-after-ms</c>.</summary>
    Http429RetryAfterMs,
    /// <summary>No response headers until well past resilience.first_byte_timeout_ms.</summary>
    SlowFirstByte,
    /// <summary>Headers and part of the body (a few stream events, or half a JSON body), then silence past stream_idle_timeout_ms.</summary>
    StallMidStream,
    /// <summary>HttpContext.Abort() before any header: the connection is reset.</summary>
    ResetBeforeHeaders,
    /// <summary>Headers and part of the body, then HttpContext.Abort().</summary>
    ResetMidStream,
    /// <summary>The provider's base_url is a closed port.</summary>
    ConnectionRefused,
    /// <summary>200 with a body (or one stream event) that is not JSON.</summary>
    InvalidJson,
    /// <summary>Headers and a few stream events (or half a JSON body), then a clean end: no final event, no reset.</summary>
    TruncatedStream,
    /// <summary>A healthy answer that goes silent after its first events (or its headers) for <see cref="ChaosUpstream.Silence"/>:
    /// longer than stream_keepalive_ms, shorter than stream_idle_timeout_ms.</summary>
    SilentStream,
}

/// <summary>The wire format a fake provider speaks.</summary>
public enum WireApi { OpenAI, Anthropic }

/// <summary>
/// A fake provider that answers correctly, except for a deterministic share of calls it breaks with one
/// <see cref="FaultKind"/>. Healthy answers follow the request: a stream when it asked for one, JSON otherwise.
/// </summary>
internal sealed class ChaosUpstream : IAsyncDisposable
{
    private readonly FakeUpstream _fake;
    private long _calls;
    private long _faults;

    private ChaosUpstream(FakeUpstream fake, WireApi api)
    {
        _fake = fake;
        Api = api;
        fake.Handler = HandleAsync;
    }

    public WireApi Api { get; }
    public Uri BaseUrl => _fake.BaseUrl;
    /// <summary>The fault to inject, or null for a healthy provider.</summary>
    public FaultKind? Fault { get; set; }
    /// <summary>Only calls for this model id are broken (null: every model's); the provider's other models stay healthy.</summary>
    public string? FaultyModel { get; set; }
    /// <summary>Out of every 10 calls, how many are broken (the pattern is fixed, so runs are comparable).</summary>
    public int FaultsPerTen { get; set; } = 6;
    public TimeSpan SlowFirstByte { get; set; } = TimeSpan.FromMilliseconds(1500);
    public TimeSpan Stall { get; set; } = TimeSpan.FromMilliseconds(2500);
    public TimeSpan Silence { get; set; } = TimeSpan.FromMilliseconds(600);
    public long Calls => Interlocked.Read(ref _calls);
    public long FaultsInjected => Interlocked.Read(ref _faults);

    public static async Task<ChaosUpstream> StartAsync(WireApi api) => new(await FakeUpstream.StartAsync(), api);

    public void ResetCounters()
    {
        Interlocked.Exchange(ref _calls, 0);
        Interlocked.Exchange(ref _faults, 0);
    }

    private async Task HandleAsync(HttpContext c, RecordedRequest request)
    {
        var n = Interlocked.Increment(ref _calls);
        string model = "unknown";
        bool stream = false;
        try
        {
            using var doc = JsonDocument.Parse(request.Body);
            if (doc.RootElement.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String) model = m.GetString()!;
            stream = doc.RootElement.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            c.Response.StatusCode = 400;
            await c.Response.WriteAsync(ErrorBody("the fake could not parse the gateway's request"));
            return;
        }
        // Spread the broken calls over each block of ten (0,1,3,4,6,7 … for 6 of 10) rather than bunching them.
        var slot = (int)((n - 1) % 10);
        var broken = Fault is not null && (slot * FaultsPerTen / 10) != ((slot + 1) * FaultsPerTen / 10) && (FaultyModel is null || FaultyModel == model);
        if (!broken)
        {
            await RespondHealthyAsync(c, model, stream);
            return;
        }
        Interlocked.Increment(ref _faults);
        await InjectAsync(c, Fault!.Value, model, stream);
    }

    private string ErrorBody(string message) => Api == WireApi.Anthropic
        ? JsonSerializer.Serialize(new { type = "error", error = new { type = "api_error", message } })
        : JsonSerializer.Serialize(new { error = new { message, type = "server_error", code = (string?)null } });

    public IReadOnlyList<string> StreamChunks(string model) =>
        (Api == WireApi.Anthropic ? Canned.AnthropicStream(model) : Canned.OpenAIStream(model)).ToList();

    public string JsonAnswer(string model) =>
        Api == WireApi.Anthropic ? Canned.AnthropicMessage("healthy answer", model) : Canned.OpenAIChat("healthy answer", model);

    private async Task RespondHealthyAsync(HttpContext c, string model, bool stream)
    {
        if (!stream)
        {
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync(JsonAnswer(model), c.RequestAborted);
            return;
        }
        await StartStreamAsync(c);
        foreach (var chunk in StreamChunks(model))
        {
            await c.Response.WriteAsync(chunk, c.RequestAborted);
            await c.Response.Body.FlushAsync(c.RequestAborted);
        }
    }

    private static async Task StartStreamAsync(HttpContext c)
    {
        c.Features.Get<IHttpResponseBodyFeature>()!.DisableBuffering();
        c.Response.StatusCode = 200;
        c.Response.ContentType = "text/event-stream";
        await c.Response.StartAsync(c.RequestAborted);
    }

    private async Task InjectAsync(HttpContext c, FaultKind fault, string model, bool stream)
    {
        switch (fault)
        {
            case FaultKind.Http500:
                c.Response.StatusCode = 500;
                c.Response.ContentType = "application/json";
                await c.Response.WriteAsync(ErrorBody("injected upstream failure"), c.RequestAborted);
                return;
            case FaultKind.Http429RetryAfter:
                c.Response.StatusCode = 429;
                c.Response.Headers["retry-after"] = "1";
                c.Response.ContentType = "application/json";
                await c.Response.WriteAsync(ErrorBody("injected rate limit (retry-after)"), c.RequestAborted);
                return;
            case FaultKind.Http429RetryAfterMs:
                c.Response.StatusCode = 429;
                c.Response.Headers["retry-after-ms"] = "40";
                c.Response.ContentType = "application/json";
                await c.Response.WriteAsync(ErrorBody("injected rate limit (retry-after-ms)"), c.RequestAborted);
                return;
            case FaultKind.SlowFirstByte:
                await Task.Delay(SlowFirstByte, c.RequestAborted);
                await RespondHealthyAsync(c, model, stream);
                return;
            case FaultKind.ResetBeforeHeaders:
                c.Abort();
                return;
            case FaultKind.StallMidStream or FaultKind.ResetMidStream:
                if (stream)
                {
                    await StartStreamAsync(c);
                    foreach (var chunk in StreamChunks(model).Take(3))
                    {
                        await c.Response.WriteAsync(chunk, c.RequestAborted);
                        await c.Response.Body.FlushAsync(c.RequestAborted);
                    }
                }
                else
                {
                    var body = Encoding.UTF8.GetBytes(JsonAnswer(model));
                    c.Response.StatusCode = 200;
                    c.Response.ContentType = "application/json";
                    c.Response.ContentLength = body.Length;
                    await c.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2), c.RequestAborted);
                    await c.Response.Body.FlushAsync(c.RequestAborted);
                }
                if (fault == FaultKind.StallMidStream)
                {
                    await Task.Delay(Stall, c.RequestAborted); // the gateway's idle timeout should cut this
                    c.Abort();
                }
                else
                {
                    await Task.Delay(30, c.RequestAborted); // let the partial answer leave the socket first
                    c.Abort();
                }
                return;
            case FaultKind.InvalidJson:
                if (stream)
                {
                    await StartStreamAsync(c);
                    var chunks = StreamChunks(model);
                    await c.Response.WriteAsync(chunks[0], c.RequestAborted);
                    var broken = Api == WireApi.Anthropic
                        ? "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"\n\n"
                        : "data: {\"id\":\"chatcmpl-s\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}\n\n";
                    await c.Response.WriteAsync(broken, c.RequestAborted);
                    foreach (var chunk in chunks.Skip(1)) await c.Response.WriteAsync(chunk, c.RequestAborted);
                }
                else
                {
                    c.Response.StatusCode = 200;
                    c.Response.ContentType = "application/json";
                    await c.Response.WriteAsync("{\"id\":\"broken\",\"choices\":[{\"message\": <html>oops</html>", c.RequestAborted);
                }
                return;
            case FaultKind.TruncatedStream:
                if (stream)
                {
                    await StartStreamAsync(c);
                    foreach (var chunk in StreamChunks(model).Take(3)) await c.Response.WriteAsync(chunk, c.RequestAborted);
                }
                else
                {
                    c.Response.StatusCode = 200;
                    c.Response.ContentType = "application/json";
                    var json = JsonAnswer(model);
                    await c.Response.WriteAsync(json[..(json.Length / 2)], c.RequestAborted);
                }
                return; // the response ends cleanly (chunked terminator): the upstream simply stopped
            case FaultKind.SilentStream:
                if (stream)
                {
                    await StartStreamAsync(c);
                    await c.Response.Body.FlushAsync(c.RequestAborted);
                    var chunks = StreamChunks(model);
                    await c.Response.WriteAsync(chunks[0], c.RequestAborted);
                    await c.Response.Body.FlushAsync(c.RequestAborted);
                    await Task.Delay(Silence, c.RequestAborted); // a reasoning model thinking
                    foreach (var chunk in chunks.Skip(1)) await c.Response.WriteAsync(chunk, c.RequestAborted);
                }
                else
                {
                    await Task.Delay(Silence, c.RequestAborted);
                    await RespondHealthyAsync(c, model, stream);
                }
                return;
            case FaultKind.ConnectionRefused:
                throw new InvalidOperationException("ConnectionRefused is a closed port, not a handler");
        }
    }

    public ValueTask DisposeAsync() => _fake.DisposeAsync();
}

/// <summary>How one request through the gateway ended, from the client's side.</summary>
/// <param name="KeepAlives">Keep-alive frames in a stream: SSE comment lines (OpenAI) or ping events (Anthropic).</param>
internal sealed record ProbeResult(string Cell, string Outcome, bool Acceptable, string Detail, string? Model, string? RequestId, int Status, double Ms, int KeepAlives = 0);

/// <summary>
/// Judges a gateway response the way a client would: a complete answer, or a clean error in the client's own
/// format (status + JSON error body, or a final error event that ends the stream), never anything else.
/// </summary>
internal static class ResponseJudge
{
    public const string Ok = "ok";
    public const string OkFallback = "ok via fallback";
    public const string ErrorStatus = "clean error (status)";
    public const string ErrorEvent = "clean error (stream event)";

    /// <summary>Sends one request and classifies what came back.</summary>
    public static async Task<ProbeResult> ProbeAsync(HttpClient http, string cell, WireApi client, string path, string body, bool stream,
        string? fallbackModel, TimeSpan hangAfter)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        double Ms() => System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        using var cts = new CancellationTokenSource(hangAfter);
        HttpResponseMessage response;
        string text;
        try
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (client == WireApi.Anthropic) request.Headers.Add("anthropic-version", "2023-06-01");
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            text = await response.Content.ReadAsStringAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return new ProbeResult(cell, "HANG", false, $"no complete answer within {hangAfter.TotalSeconds:0} s", null, null, 0, Ms());
        }
        catch (Exception ex)
        {
            return new ProbeResult(cell, "TRANSPORT ERROR", false, ex.GetType().Name + ": " + ex.Message, null, null, 0, Ms());
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            var model = response.Headers.TryGetValues("x-switchboard-model", out var mv) ? mv.First() : null;
            var requestId = response.Headers.TryGetValues("x-switchboard-request-id", out var rv) ? rv.First() : null;
            var isSse = response.Content.Headers.ContentType?.MediaType == "text/event-stream";
            var keepAlives = isSse ? CountKeepAlives(client, text) : 0;
            ProbeResult Result(string outcome, bool acceptable, string detail) => new(cell, outcome, acceptable, detail, model, requestId, status, Ms(), keepAlives);

            if (requestId is null) return Result("NO REQUEST ID", false, Trim(text));
            if (status != 200 || !isSse)
            {
                if (status == 200)
                {
                    if (stream) return Result("NOT A STREAM", false, Trim(text));
                    return JudgeJsonAnswer(client, text) is { } problem ? Result("BAD BODY", false, problem + ": " + Trim(text)) : Success();
                }
                if (JudgeJsonError(client, text) is { } errorProblem) return Result("BAD ERROR BODY", false, errorProblem + ": " + Trim(text));
                if (status == 500 && text.Contains("internal error", StringComparison.Ordinal)) return Result("GATEWAY 500", false, Trim(text));
                return Result(ErrorStatus, true, Trim(text, 200));
            }
            if (!stream) return Result("UNASKED STREAM", false, Trim(text));
            var verdict = JudgeStream(client, text);
            return verdict switch
            {
                StreamVerdict.Complete => Success(),
                StreamVerdict.EndedWithError => Result(ErrorEvent, true, text.Length > 260 ? text[^260..] : text),
                _ => Result("TRUNCATED/INVALID STREAM", false, verdict + ": " + Trim(text, 600)),
            };

            ProbeResult Success() => fallbackModel is not null && model == fallbackModel
                ? Result(OkFallback, true, model)
                : Result(Ok, true, model ?? "");
        }
    }

    private static int CountKeepAlives(WireApi client, string text) =>
        text.Replace("\r\n", "\n").Split("\n\n").Count(block => client == WireApi.Anthropic ? block.StartsWith("event: ping\n", StringComparison.Ordinal) : block.StartsWith(':'));

    public static string Trim(string text, int max = 300) => text.Length <= max ? text : text[..max] + "…";

    /// <summary>Null when the body is a complete answer in the client's format.</summary>
    public static string? JudgeJsonAnswer(WireApi client, string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (client == WireApi.Anthropic)
                return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) && t.GetString() == "message"
                    && root.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.Array ? null : "not an Anthropic message";
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("choices", out var ch) && ch.ValueKind == JsonValueKind.Array && ch.GetArrayLength() > 0
                ? null : "not an OpenAI chat completion";
        }
        catch (JsonException ex)
        {
            return "not JSON (" + ex.Message + ")";
        }
    }

    /// <summary>Null when the body is an error in the client's format.</summary>
    public static string? JudgeJsonError(WireApi client, string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return IsError(client, doc.RootElement) ? null : "not an error in the client's format";
        }
        catch (JsonException ex)
        {
            return "not JSON (" + ex.Message + ")";
        }
    }

    private static bool IsError(WireApi client, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object) return false;
        if (!error.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.String) return false;
        if (!error.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String) return false;
        return client == WireApi.Anthropic
            ? root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "error"
            : !root.TryGetProperty("type", out _);
    }

    public enum StreamVerdict { Complete, EndedWithError, Truncated, InvalidEvent, EventAfterEnd, MissingStart, ErrorNotLast }

    /// <summary>
    /// A stream is acceptable when every event is whole and parseable and it ends properly: Anthropic with
    /// message_stop (or a final <c>event: error</c>), OpenAI with <c>data: [DONE]</c> (after a final error chunk, if it failed)
    /// or, from servers that send no [DONE], a chunk with a finish_reason.
    /// Comments and Anthropic pings (keep-alives, allowed anywhere) are not events here.
    /// </summary>
    public static StreamVerdict JudgeStream(WireApi client, string text)
    {
        if (!text.EndsWith("\n\n", StringComparison.Ordinal)) return StreamVerdict.Truncated;
        var events = new List<(string? Type, string Data)>();
        foreach (var block in text.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? type = null;
            var data = new StringBuilder();
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith(':')) continue;
                if (line.StartsWith("event:", StringComparison.Ordinal)) type = line[6..].Trim();
                else if (line.StartsWith("data:", StringComparison.Ordinal)) data.Append(data.Length > 0 ? "\n" : "").Append(line[5..].TrimStart());
            }
            if (type is null && data.Length == 0) continue;
            if (client == WireApi.Anthropic && type == "ping") continue;
            events.Add((type, data.ToString()));
        }
        if (events.Count == 0) return StreamVerdict.Truncated;
        for (var i = 0; i < events.Count; i++)
        {
            var (type, data) = events[i];
            if (client == WireApi.OpenAI && data == "[DONE]")
            {
                if (i != events.Count - 1) return StreamVerdict.EventAfterEnd;
                continue;
            }
            try
            {
                using var doc = JsonDocument.Parse(data);
                var root = doc.RootElement;
                var isError = client == WireApi.Anthropic ? type == "error" : root.TryGetProperty("error", out _);
                if (isError)
                {
                    if (!IsError(client, root)) return StreamVerdict.InvalidEvent;
                    var expectedLast = client == WireApi.Anthropic ? events.Count - 1 : events.Count - 2;
                    if (i != expectedLast) return StreamVerdict.ErrorNotLast;
                    if (client == WireApi.OpenAI && events[^1].Data != "[DONE]") return StreamVerdict.Truncated;
                    return StreamVerdict.EndedWithError;
                }
                if (client == WireApi.Anthropic)
                {
                    if (i == 0 && type != "message_start") return StreamVerdict.MissingStart;
                    if (root.TryGetProperty("type", out var t) && t.GetString() != type) return StreamVerdict.InvalidEvent;
                }
            }
            catch (JsonException)
            {
                return StreamVerdict.InvalidEvent;
            }
        }
        return client == WireApi.Anthropic
            ? events[^1].Type == "message_stop" ? StreamVerdict.Complete : StreamVerdict.Truncated
            : events[^1].Data == "[DONE]" || events.Any(e => HasFinishReason(e.Data)) ? StreamVerdict.Complete : StreamVerdict.Truncated;
    }

    /// <summary>An OpenAI chunk that finished a choice (some OpenAI-compatible servers end there, without [DONE]).</summary>
    private static bool HasFinishReason(string data)
    {
        using var doc = JsonDocument.Parse(data);
        return doc.RootElement.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array
            && choices.EnumerateArray().Any(c => c.ValueKind == JsonValueKind.Object && c.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String);
    }
}

/// <summary>Markdown tables for the reports under .build/.</summary>
internal static class Report
{
    public static string Write(string fileName, string markdown)
    {
        var dir = Path.Combine(RepoPaths.Root, ".build");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, fileName);
        File.WriteAllText(path, markdown);
        return path;
    }

    public static string Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var sb = new StringBuilder();
        sb.Append("| ").AppendJoin(" | ", headers).AppendLine(" |");
        sb.Append('|').AppendJoin("", headers.Select(_ => " --- |")).AppendLine();
        foreach (var row in rows) sb.Append("| ").AppendJoin(" | ", row.Select(c => c.Replace("|", "\\|"))).AppendLine(" |");
        return sb.ToString();
    }

    public static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var v) && v > 0 ? v : fallback;
}
