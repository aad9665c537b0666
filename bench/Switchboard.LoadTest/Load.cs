using System.Diagnostics;
using System.Net;
using System.Text;

namespace Switchboard.LoadTest;

/// <summary>One kind of request: where it goes and what it sends.</summary>
internal sealed record Target(string Name, Uri Url, byte[] Body, (string Name, string Value)[] Headers)
{
    /// <summary>When set, a fresh body per request (e.g. a new conversation, so the routing cache misses).</summary>
    public Func<byte[]>? BodyFactory { get; init; }

    public HttpRequestMessage NewRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new ByteArrayContent(BodyFactory?.Invoke() ?? Body), Version = HttpVersion.Version11 };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in Headers) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }
}

internal sealed record LatencyResult(int Rate, double AchievedRate, int Count, int Errors, double P50, double P90, double P99, double Max, double LagP99);

internal sealed record StreamResult(int Count, int Errors, double TtftP50, double TtftP99, double ChunkP50, double ChunkP99, int ChunksPerStream);

/// <summary>
/// Open-loop load: requests start on a fixed schedule whether or not earlier ones have answered (no coordinated
/// omission, unlike a closed-loop tool such as wrk). <see cref="Pacer"/> starts each request at its own time, one per
/// 1/rate; each request's latency is measured from the moment it is handed to HttpClient, and the pacer's lag behind
/// the schedule is reported too (it shows when the machine, not the gateway, is the bottleneck).
/// </summary>
internal static class Load
{
    public static HttpClient NewClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = int.MaxValue,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    }) { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<LatencyResult> FixedRateAsync(HttpClient client, Target target, int rate, TimeSpan warmup, TimeSpan duration)
    {
        var warmupCount = (int)(rate * warmup.TotalSeconds);
        var total = warmupCount + (int)(rate * duration.TotalSeconds);
        var latencies = new double[total];
        var lags = new double[total];
        var errors = 0;
        var inflight = new Task[total];
        long measureStart = 0, measureEnd = 0;
        await Pacer.RunAsync(total, rate, (index, lag) =>
        {
            if (index == warmupCount) measureStart = Stopwatch.GetTimestamp();
            lags[index] = lag;
            inflight[index] = SendAsync(index);
            measureEnd = Stopwatch.GetTimestamp();
        }).ConfigureAwait(false);

        // Runs on the pacer thread up to the first await: the request leaves without a thread-pool hop.
        async Task SendAsync(int index)
        {
            var t0 = Stopwatch.GetTimestamp();
            try
            {
                using var request = target.NewRequest();
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref errors);
                latencies[index] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
            catch
            {
                Interlocked.Increment(ref errors);
                latencies[index] = double.NaN;
            }
        }
        await Task.WhenAll(inflight).ConfigureAwait(false);
        var measured = latencies.AsSpan(warmupCount).ToArray().Where(d => !double.IsNaN(d)).ToArray();
        var achieved = (total - warmupCount) / ((measureEnd - measureStart) / (double)Stopwatch.Frequency);
        Array.Sort(measured);
        var lag = lags.AsSpan(warmupCount).ToArray();
        Array.Sort(lag);
        return new LatencyResult(rate, achieved, measured.Length, errors, Pct(measured, 50), Pct(measured, 90), Pct(measured, 99), measured.Length > 0 ? measured[^1] : double.NaN, Pct(lag, 99));
    }

    /// <summary>
    /// Streams started at a fixed rate. Every token chunk's text is "~tk&lt;timestamp&gt;", the fake upstream's Stopwatch
    /// timestamp (CLOCK_MONOTONIC, shared by every process) when it wrote the chunk: time to first token is from the
    /// request to the first chunk; a chunk's delay is its one-way trip, from the upstream's write to the client's read.
    /// </summary>
    public static async Task<StreamResult> StreamsAsync(HttpClient client, Target target, int rate, TimeSpan duration)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var ttft = new List<double>();
        var delays = new List<double>();
        var gate = new object();
        var errors = 0;
        var chunksSeen = 0;
        var tasks = new Task[total];
        await Pacer.RunAsync(total, rate, (index, _) => tasks[index] = StreamOneAsync()).ConfigureAwait(false);

        async Task StreamOneAsync()
        {
            var chunks = new List<(double Arrival, double Delay)>(64);
            var t0 = Stopwatch.GetTimestamp();
            try
            {
                using var request = target.NewRequest();
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.OK) { Interlocked.Increment(ref errors); return; }
                await using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                await ReadChunksAsync(body, t0, chunks, CancellationToken.None).ConfigureAwait(false);
            }
            catch
            {
                Interlocked.Increment(ref errors);
                return;
            }
            if (chunks.Count == 0) { Interlocked.Increment(ref errors); return; }
            lock (gate)
            {
                ttft.Add(chunks[0].Arrival);
                foreach (var c in chunks) delays.Add(c.Delay);
                chunksSeen = Math.Max(chunksSeen, chunks.Count);
            }
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);
        var t = ttft.ToArray(); Array.Sort(t);
        var d = delays.ToArray(); Array.Sort(d);
        return new StreamResult(t.Length, errors, Pct(t, 50), Pct(t, 99), Pct(d, 50), Pct(d, 99), chunksSeen);
    }

    /// <summary>
    /// Reads a stream to its end; for every "~tk&lt;timestamp&gt;" marker records (ms since <paramref name="t0"/>, ms since
    /// the upstream wrote it). <paramref name="chunks"/> may be null when only <paramref name="onChunk"/> matters.
    /// A marker seen again is not a new chunk: the Responses API repeats the whole text in its closing events
    /// (output_text.done, content_part.done, output_item.done, response.completed); the stamps only grow, so only a
    /// stamp newer than every one before counts.
    /// </summary>
    public static async Task ReadChunksAsync(Stream body, long t0, List<(double, double)>? chunks, CancellationToken ct, Action? onChunk = null)
    {
        var buffer = new byte[16384];
        var carry = 0; // the tail of a marker split across reads, kept at the buffer's start
        var newest = long.MinValue;
        while (true)
        {
            if (carry == buffer.Length) carry = 0;
            var read = await body.ReadAsync(buffer.AsMemory(carry), ct).ConfigureAwait(false);
            if (read == 0) return;
            var nowTicks = Stopwatch.GetTimestamp();
            var now = (nowTicks - t0) * 1000.0 / Stopwatch.Frequency;
            var span = buffer.AsSpan(0, carry + read);
            var at = 0;
            var keepFrom = Math.Max(0, span.Length - 2);
            while (span[at..].IndexOf("~tk"u8) is var i and >= 0)
            {
                var digitsStart = at + i + 3;
                var digitsEnd = digitsStart;
                while (digitsEnd < span.Length && span[digitsEnd] >= (byte)'0' && span[digitsEnd] <= (byte)'9') digitsEnd++;
                if (digitsEnd == span.Length) { keepFrom = at + i; break; } // the timestamp may go on in the next read
                long sent = 0;
                foreach (var b in span[digitsStart..digitsEnd]) sent = sent * 10 + (b - '0');
                if (sent > newest)
                {
                    newest = sent;
                    chunks?.Add((now, (nowTicks - sent) * 1000.0 / Stopwatch.Frequency));
                    onChunk?.Invoke();
                }
                at = digitsEnd;
                keepFrom = Math.Max(at, span.Length - 2);
            }
            carry = span.Length - keepFrom;
            span[keepFrom..].CopyTo(buffer);
        }
    }

    public static double Pct(double[] sorted, double p)
    {
        if (sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public static double Median(IEnumerable<double> values)
    {
        var a = values.Where(v => !double.IsNaN(v)).OrderBy(v => v).ToArray();
        if (a.Length == 0) return double.NaN;
        return a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}

/// <summary>The gateway's garbage-collection counters, from its /healthz?verbose=true.</summary>
internal readonly record struct GcReading(int Collections, double PauseMs)
{
    public (int Collections, double PauseMs) Since(GcReading before) => (Collections - before.Collections, PauseMs - before.PauseMs);

    /// <param name="headers">The scenario's client headers: with gateway keys (a --features fragment) verbose health needs an admin key.</param>
    public static async Task<GcReading> ReadAsync(HttpClient client, int port, (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/healthz?verbose=true");
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await client.SendAsync(request).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"/healthz?verbose=true answered {(int)response.StatusCode}: with gateway keys the bench's key must have admin: true (see bench/features/*.yaml)");
        using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
        var runtime = doc.RootElement.GetProperty("runtime");
        // CollectionCount(0) counts every collection (a gen1 or gen2 one also collects gen0).
        var collections = runtime.GetProperty("gc_collections")[0].GetInt32();
        return new GcReading(collections, runtime.GetProperty("gc_pause_total_ms").GetDouble());
    }
}
