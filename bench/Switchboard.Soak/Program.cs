// Soak: minutes of steady load through the real gateway process (`switchboard up`), against fake providers on
// loopback that fail a share of calls (500, 429, resets before headers and mid-stream, stalled streams), with
// fallbacks across APIs. Samples the gateway's VmRSS, threads and open file descriptors from /proc over time and
// counts outcomes, so a leak (memory, sockets, timers) shows as a trend. Loopback only; stops by itself.
//
//   dotnet run -c Release --project bench/Switchboard.Soak -- --gateway src/Switchboard/bin/Release/net10.0/switchboard.dll \
//       [--minutes 3] [--concurrency 32] [--sample-seconds 10] [--report .build/soak-report.md]
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

var options = Args.Parse(args);
if (!File.Exists(options.Gateway))
{
    Console.Error.WriteLine($"gateway not found: {options.Gateway} (build it: dotnet build src/Switchboard -c Release)");
    return 2;
}

await using var faultyOpenAI = await FakeProvider.StartAsync(Api.OpenAI, faulty: true);
await using var faultyAnthropic = await FakeProvider.StartAsync(Api.Anthropic, faulty: true);
await using var healthyOpenAI = await FakeProvider.StartAsync(Api.OpenAI, faulty: false);
await using var healthyAnthropic = await FakeProvider.StartAsync(Api.Anthropic, faulty: false);

var work = Path.Combine(Path.GetTempPath(), "switchboard-soak-" + Environment.ProcessId);
Directory.CreateDirectory(work);
var configPath = Path.Combine(work, "config.yaml");
File.WriteAllText(configPath, $"""
    version: v1
    listeners:
      - name: llm
        address: 127.0.0.1
        port: 0
    model_providers:
      - model: openai/gpt-4.1
        access_key: soak-openai
        base_url: {faultyOpenAI.BaseUrl}v1
        default: true
        fallbacks: [anthropic/claude-haiku-4-5]
      - model: openai/gpt-4o
        access_key: soak-openai
        base_url: {faultyOpenAI.BaseUrl}v1
      - model: anthropic/claude-sonnet-4-5
        access_key: soak-anthropic
        base_url: {faultyAnthropic.BaseUrl}
        fallbacks: [openai/gpt-4.1-mini]
      - model: anthropic/claude-opus-4-1
        access_key: soak-anthropic
        base_url: {faultyAnthropic.BaseUrl}
      - model: openai/gpt-4.1-mini
        access_key: soak-openai
        base_url: {healthyOpenAI.BaseUrl}v1
      - model: anthropic/claude-haiku-4-5
        access_key: soak-anthropic
        base_url: {healthyAnthropic.BaseUrl}
    resilience:
      max_retries: 1
      initial_backoff_ms: 20
      max_backoff_ms: 100
      max_retry_time_ms: 2000
      first_byte_timeout_ms: 1000
      stream_idle_timeout_ms: 500
      circuit_breaker:
        minimum_throughput: 100000
    """);

var port = FreePort();
var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
foreach (var a in new[] { options.Gateway, "up", "--config", configPath, "--port", port.ToString() }) start.ArgumentList.Add(a);
using var gateway = Process.Start(start)!;
long logLines = 0, internalErrors = 0, status500 = 0;
void OnLine(string? line)
{
    if (line is null) return;
    Interlocked.Increment(ref logLines);
    if (line.Contains("failed inside the gateway", StringComparison.Ordinal)) Interlocked.Increment(ref internalErrors);
    if (line.Contains("status=500 ", StringComparison.Ordinal) && line.Contains("internal", StringComparison.Ordinal)) Interlocked.Increment(ref status500);
}
gateway.OutputDataReceived += (_, e) => OnLine(e.Data);
gateway.ErrorDataReceived += (_, e) => OnLine(e.Data);
gateway.BeginOutputReadLine();
gateway.BeginErrorReadLine();

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency * 2, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) })
{
    BaseAddress = new Uri($"http://127.0.0.1:{port}"),
    Timeout = TimeSpan.FromSeconds(30),
};
var ready = Stopwatch.StartNew();
while (true)
{
    try { using var r = await http.GetAsync("/healthz"); if (r.IsSuccessStatusCode) break; }
    catch (HttpRequestException) { }
    if (gateway.HasExited || ready.Elapsed > TimeSpan.FromSeconds(60))
    {
        Console.Error.WriteLine("the gateway did not start");
        return 1;
    }
    await Task.Delay(100);
}
Console.WriteLine($"gateway pid {gateway.Id} on 127.0.0.1:{port}; {options.Minutes} min at {options.Concurrency} concurrent requests; faults: {FakeProvider.FaultMix}");

var outcomes = new ConcurrentDictionary<string, long>();
long requests = 0;
var samples = new List<Sample>();
var duration = TimeSpan.FromMinutes(options.Minutes);
var clock = Stopwatch.StartNew();
using var stop = new CancellationTokenSource(duration);

async Task Worker(int id)
{
    var random = new Random(id);
    while (!stop.IsCancellationRequested)
    {
        var client = random.Next(2) == 0 ? Api.Anthropic : Api.OpenAI;
        string[] models = ["openai/gpt-4.1", "openai/gpt-4o", "anthropic/claude-sonnet-4-5", "anthropic/claude-opus-4-1"];
        var model = models[random.Next(models.Length)];
        var stream = random.Next(2) == 0;
        var outcome = await SendOne(http, client, model, stream, random.Next());
        outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        Interlocked.Increment(ref requests);
    }
}

var workers = Enumerable.Range(0, options.Concurrency).Select(i => Task.Run(() => Worker(i))).ToArray();
var lastRequests = 0L;
var lastTime = TimeSpan.Zero;
while (!stop.IsCancellationRequested)
{
    try { await Task.Delay(TimeSpan.FromSeconds(options.SampleSeconds), stop.Token); } catch (OperationCanceledException) { }
    var now = clock.Elapsed;
    var total = Interlocked.Read(ref requests);
    var sample = new Sample(now, ProcStatus(gateway.Id, "VmRSS"), ProcStatus(gateway.Id, "Threads"), OpenFds(gateway.Id), total,
        (total - lastRequests) / Math.Max(0.001, (now - lastTime).TotalSeconds), outcomes.Where(o => !o.Key.StartsWith("ok", StringComparison.Ordinal) && !o.Key.StartsWith("clean", StringComparison.Ordinal)).Sum(o => o.Value));
    samples.Add(sample);
    lastRequests = total;
    lastTime = now;
    Console.WriteLine($"t={sample.At.TotalSeconds,5:0}s rss={sample.RssKb / 1024.0,7:0.0} MiB threads={sample.Threads,3} fds={sample.Fds,4} requests={sample.Requests,7} rps={sample.Rps,6:0} bad={sample.Bad}");
}
await Task.WhenAll(workers);
var final = new Sample(clock.Elapsed, ProcStatus(gateway.Id, "VmRSS"), ProcStatus(gateway.Id, "Threads"), OpenFds(gateway.Id), requests, 0, 0);

// Idle: connections to fakes should be released (pooled idle timeout) and memory should not keep growing.
await Task.Delay(TimeSpan.FromSeconds(options.SampleSeconds));
var idle = new Sample(clock.Elapsed, ProcStatus(gateway.Id, "VmRSS"), ProcStatus(gateway.Id, "Threads"), OpenFds(gateway.Id), requests, 0, 0);

// Only our own child, by its id.
Process.Start("kill", ["-TERM", gateway.Id.ToString()])?.WaitForExit();
if (!gateway.WaitForExit(TimeSpan.FromSeconds(40))) gateway.Kill();

var bad = outcomes.Where(o => !o.Key.StartsWith("ok", StringComparison.Ordinal) && !o.Key.StartsWith("clean", StringComparison.Ordinal)).Sum(o => o.Value);
var warm = samples.Count > 3 ? samples[2] : samples.FirstOrDefault() ?? final;
var report = new StringBuilder();
report.AppendLine("# Soak report").AppendLine();
report.AppendLine($"{options.Minutes} min, {options.Concurrency} concurrent clients, gateway `switchboard up` (pid {gateway.Id}), fake providers on loopback; faults: {FakeProvider.FaultMix}.").AppendLine();
report.AppendLine($"Requests: {requests} ({requests / clock.Elapsed.TotalSeconds:0} /s); faults injected by the faulty providers: {faultyOpenAI.Faults + faultyAnthropic.Faults} of {faultyOpenAI.Calls + faultyAnthropic.Calls} calls; fallback calls: {healthyOpenAI.Calls + healthyAnthropic.Calls}.").AppendLine();
report.AppendLine("| outcome | count |").AppendLine("| --- | --- |");
foreach (var (k, v) in outcomes.OrderByDescending(o => o.Value)) report.AppendLine($"| {k} | {v} |");
report.AppendLine().AppendLine($"Unacceptable outcomes (hang, truncated stream, gateway 500, transport error): **{bad}**; gateway log lines 'failed inside the gateway': **{internalErrors}**; exit code {(gateway.HasExited ? gateway.ExitCode.ToString() : "?")}.").AppendLine();
report.AppendLine("| t (s) | VmRSS (MiB) | threads | open fds | requests | req/s | bad |").AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
foreach (var s in samples.Append(final with { Rps = 0 }))
    report.AppendLine($"| {s.At.TotalSeconds:0} | {s.RssKb / 1024.0:0.0} | {s.Threads} | {s.Fds} | {s.Requests} | {s.Rps:0} | {s.Bad} |");
report.AppendLine($"| idle +{options.SampleSeconds}s | {idle.RssKb / 1024.0:0.0} | {idle.Threads} | {idle.Fds} | | | |");
report.AppendLine().AppendLine($"RSS after warm-up (t={warm.At.TotalSeconds:0}s) {warm.RssKb / 1024.0:0.0} MiB → end {final.RssKb / 1024.0:0.0} MiB ({(final.RssKb - warm.RssKb) / 1024.0:+0.0;-0.0} MiB); " +
    $"max {samples.Max(s => s.RssKb) / 1024.0:0.0} MiB. Open fds after warm-up {warm.Fds} → end {final.Fds} → idle {idle.Fds}.");
Console.WriteLine();
Console.WriteLine(report);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Report))!);
File.WriteAllText(options.Report, report.ToString());
Console.WriteLine("report: " + Path.GetFullPath(options.Report));
Directory.Delete(work, recursive: true);
return bad == 0 && internalErrors == 0 ? 0 : 1;

static async Task<string> SendOne(HttpClient http, Api client, string model, bool stream, int salt)
{
    var body = client == Api.Anthropic
        ? $$"""{"model":"{{model}}","max_tokens":64,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"soak {{salt}}"}]}"""
        : $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"soak {{salt}}"}]}""";
    using var request = new HttpRequestMessage(HttpMethod.Post, client == Api.Anthropic ? "/v1/messages" : "/v1/chat/completions")
    {
        Content = new StringContent(body, Encoding.UTF8, "application/json"),
    };
    try
    {
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        var fallback = response.Headers.TryGetValues("x-switchboard-model", out var m) && m.First() is "openai/gpt-4.1-mini" or "anthropic/claude-haiku-4-5";
        if (status != 200)
        {
            if (status == 500 && text.Contains("internal error", StringComparison.Ordinal)) return "GATEWAY 500";
            return text.Contains("\"error\"", StringComparison.Ordinal) ? $"clean error {status}" : $"BAD ERROR BODY {status}";
        }
        if (!stream) return text.Contains(client == Api.Anthropic ? "\"type\":\"message\"" : "\"choices\"", StringComparison.Ordinal) ? (fallback ? "ok via fallback" : "ok") : "BAD BODY";
        var trimmed = text.TrimEnd();
        if (client == Api.Anthropic)
        {
            if (trimmed.EndsWith("{\"type\":\"message_stop\"}", StringComparison.Ordinal)) return fallback ? "ok via fallback (stream)" : "ok (stream)";
            var last = trimmed[(trimmed.LastIndexOf("\n\n", StringComparison.Ordinal) + 1)..].Trim();
            return last.StartsWith("event: error", StringComparison.Ordinal) ? "clean error (stream event)" : "TRUNCATED STREAM";
        }
        if (!trimmed.EndsWith("data: [DONE]", StringComparison.Ordinal)) return "TRUNCATED STREAM";
        var events = trimmed.Split("\n\n");
        return events.Length >= 2 && events[^2].Contains("\"error\"", StringComparison.Ordinal) ? "clean error (stream event)" : fallback ? "ok via fallback (stream)" : "ok (stream)";
    }
    catch (TaskCanceledException)
    {
        return "HANG (30 s)";
    }
    catch (HttpRequestException ex)
    {
        return "TRANSPORT ERROR " + ex.HttpRequestError;
    }
}

static long ProcStatus(int pid, string field)
{
    try
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]);
    }
    catch (IOException) { }
    return -1;
}

static int OpenFds(int pid)
{
    try { return Directory.GetFiles($"/proc/{pid}/fd").Length; }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return -1; }
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

internal enum Api { OpenAI, Anthropic }

internal sealed record Sample(TimeSpan At, long RssKb, long Threads, int Fds, long Requests, double Rps, long Bad);

internal sealed record Args(string Gateway, double Minutes, int Concurrency, int SampleSeconds, string Report)
{
    public static Args Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        return new Args(
            Get("--gateway", "src/Switchboard/bin/Release/net10.0/switchboard.dll"),
            double.Parse(Get("--minutes", Environment.GetEnvironmentVariable("SOAK_MINUTES") ?? "3"), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(Get("--concurrency", "32")),
            int.Parse(Get("--sample-seconds", "10")),
            Get("--report", ".build/soak-report.md"));
    }
}

/// <summary>A fake provider on loopback; the faulty one breaks a fixed share of calls.</summary>
internal sealed class FakeProvider : IAsyncDisposable
{
    public const string FaultMix = "of calls to the faulty providers: 8% HTTP 500, 5% 429 (retry-after-ms 50), 4% reset before headers, 5% reset mid-answer, 5% stall mid-answer (past the 500 ms idle timeout)";
    private readonly WebApplication _app;
    private readonly Api _api;
    private readonly bool _faulty;
    private long _calls, _faults;

    private FakeProvider(WebApplication app, Api api, bool faulty) { _app = app; _api = api; _faulty = faulty; }

    public Uri BaseUrl { get; private set; } = null!;
    public long Calls => Interlocked.Read(ref _calls);
    public long Faults => Interlocked.Read(ref _faults);

    public static async Task<FakeProvider> StartAsync(Api api, bool faulty)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeProvider(app, api, faulty);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        fake.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return fake;
    }

    private async Task HandleAsync(HttpContext c)
    {
        var n = Interlocked.Increment(ref _calls);
        using var reader = new StreamReader(c.Request.Body);
        var body = await reader.ReadToEndAsync();
        var stream = body.Contains("\"stream\":true", StringComparison.Ordinal);
        var slot = (int)(n * 7919 % 100); // a fixed, well-spread pattern
        var fault = !_faulty ? "none" : slot switch { < 8 => "500", < 13 => "429", < 17 => "reset-before", < 22 => "reset-mid", < 27 => "stall", _ => "none" };
        if (fault != "none") Interlocked.Increment(ref _faults);
        try
        {
            switch (fault)
            {
                case "500":
                    c.Response.StatusCode = 500;
                    await c.Response.WriteAsync("{\"error\":{\"message\":\"injected\",\"type\":\"server_error\"}}");
                    return;
                case "429":
                    c.Response.StatusCode = 429;
                    c.Response.Headers["retry-after-ms"] = "50";
                    await c.Response.WriteAsync("{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\"}}");
                    return;
                case "reset-before":
                    c.Abort();
                    return;
            }
            var model = "soak-model";
            var chunks = Chunks(model, stream);
            if (stream)
            {
                c.Features.Get<IHttpResponseBodyFeature>()!.DisableBuffering();
                c.Response.ContentType = "text/event-stream";
            }
            else c.Response.ContentType = "application/json";
            var i = 0;
            foreach (var chunk in chunks)
            {
                if (i++ == 2 && fault is "reset-mid") { await c.Response.Body.FlushAsync(c.RequestAborted); await Task.Delay(20, c.RequestAborted); c.Abort(); return; }
                if (i == 3 && fault is "stall") { await c.Response.Body.FlushAsync(c.RequestAborted); await Task.Delay(3000, c.RequestAborted); c.Abort(); return; }
                await c.Response.WriteAsync(chunk, c.RequestAborted);
                if (stream) await c.Response.Body.FlushAsync(c.RequestAborted);
            }
        }
        catch (OperationCanceledException) { }
    }

    private IEnumerable<string> Chunks(string model, bool stream)
    {
        if (!stream)
        {
            var json = _api == Api.OpenAI
                ? $$$"""{"id":"chatcmpl-soak","object":"chat.completion","created":1,"model":"{{{model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"soak answer with some text in it"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":8,"total_tokens":18}}"""
                : $$$"""{"id":"msg_soak","type":"message","role":"assistant","model":"{{{model}}}","content":[{"type":"text","text":"soak answer with some text in it"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":8}}""";
            // Split so a reset or stall can land inside the body.
            for (var i = 0; i < json.Length; i += 64) yield return json.Substring(i, Math.Min(64, json.Length - i));
            yield break;
        }
        if (_api == Api.OpenAI)
        {
            var head = $$"""data: {"id":"chatcmpl-soak","object":"chat.completion.chunk","created":1,"model":"{{model}}","choices":""";
            yield return head + """[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""" + "\n\n";
            foreach (var word in new[] { "soak ", "answer ", "with ", "some ", "text" })
                yield return head + $$"""[{"index":0,"delta":{"content":"{{word}}"},"finish_reason":null}]}""" + "\n\n";
            yield return head + """[{"index":0,"delta":{},"finish_reason":"stop"}]}""" + "\n\n";
            yield return head + """[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}""" + "\n\n";
            yield return "data: [DONE]\n\n";
            yield break;
        }
        yield return "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_soak\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model + "\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n";
        yield return "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
        foreach (var word in new[] { "soak ", "answer ", "with ", "some ", "text" })
            yield return "event: content_block_delta\ndata: " + $$$"""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"{{{word}}}"}}""" + "\n\n";
        yield return "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";
        yield return "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}}\n\n";
        yield return "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(2)).Token);
        await _app.DisposeAsync();
    }
}
