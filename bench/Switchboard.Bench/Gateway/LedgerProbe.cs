using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Ledger;
using Switchboard.Ledger.Storage;
using Switchboard.Pipeline;
using Switchboard.Protocols;

namespace Switchboard.Bench.Gateway;

/// <summary>
/// `probe-ledger [N] [BATCH]`: what the usage ledger costs per request, without HTTP around it: N finished requests into a
/// <see cref="LedgerSink"/> backed by a real <see cref="LedgerWriter"/> and SQLite file (temporary), in chunks the
/// channel holds. Reports the request thread's part (building the row, queueing it: bytes exact, time of the loop) and
/// the whole process's CPU and bytes per row including the writer's batches. Median of 5 rounds.
/// </summary>
internal static class LedgerProbe
{
    public static async Task<int> RunAsync(string[] args)
    {
        var n = args.Length > 1 && int.TryParse(args[1], out var parsed) ? parsed : 100_000;
        // The store alone in batches of this many rows (what a batch holds depends on the traffic: ~100 at 1,000 requests/s).
        var batchSize = args.Length > 2 && int.TryParse(args[2], out var size) ? size : LedgerWriter.BatchSize;
        var dir = Directory.CreateTempSubdirectory("sb-ledger-probe-").FullName;
        try
        {
            var sink = new LedgerSink();
            await using var writer = new LedgerWriter(sink, new SqliteLedgerStore(Path.Combine(dir, "ledger.db")), 90, TimeProvider.System, NullLogger<LedgerWriter>.Instance);
            await writer.StartAsync(CancellationToken.None);
            var request = Request();
            await RoundAsync(sink, writer, request, Math.Min(n, 20_000)); // warm-up: JIT, the prepared statement, the pool
            var rounds = new List<(double SinkNs, long SinkBytes, double CpuUs, long Bytes)>();
            for (var round = 0; round < 5; round++) rounds.Add(await RoundAsync(sink, writer, request, n));
            double Median(Func<(double, long, double, long), double> pick) => rounds.Select(r => pick(r)).Order().ElementAt(rounds.Count / 2);
            Console.Error.WriteLine($"ledger (SQLite), {n:N0} rows per round, median of {rounds.Count}:");
            Console.Error.WriteLine($"  request thread (LedgerSink.OnCompleted): {Median(r => r.Item1):0} ns and {Median(r => r.Item2):0} B per request");
            Console.Error.WriteLine($"  whole process incl. the writer's batches: {Median(r => r.Item3):0.00} µs CPU and {Median(r => r.Item4):0} B per request");
            Console.Error.WriteLine($"  rows written {writer.Written:N0}, dropped {writer.Dropped:N0}");
            // The store alone, on this thread: batches of LedgerWriter.BatchSize rows straight into SQLite (no channel, no hand-off).
            var store = writer.Store!;
            var batch = Enumerable.Repeat(LedgerRow.From(in request), batchSize).ToArray();
            var storeRounds = new List<double>();
            for (var round = 0; round < 5; round++)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                for (var i = 0; i < n / batch.Length; i++) store.Write(batch);
                storeRounds.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / (n / batch.Length * batch.Length));
            }
            Console.Error.WriteLine($"  the store alone (SQLite, batches of {batch.Length}): {storeRounds.Order().ElementAt(2):0.00} µs CPU per row");
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
        return 0;
    }

    private static async Task<(double SinkNs, long SinkBytes, double CpuUs, long Bytes)> RoundAsync(LedgerSink sink, LedgerWriter writer, CompletedRequest request, int n)
    {
        GC.Collect();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        long sinkTicks = 0, sinkBytes = 0;
        const int Chunk = 8_192; // half the channel: nothing is dropped while the writer catches up
        for (var done = 0; done < n; done += Chunk)
        {
            var count = Math.Min(Chunk, n - done);
            var threadBytes = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < count; i++) sink.OnCompleted(in request);
            sinkTicks += Stopwatch.GetTimestamp() - start;
            sinkBytes += GC.GetAllocatedBytesForCurrentThread() - threadBytes;
            await writer.FlushAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        }
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - bytes;
        return (sinkTicks * 1e9 / Stopwatch.Frequency / n, sinkBytes / n, cpuUsed.TotalMicroseconds / n, allocated / n);
    }

    /// <summary>A typical finished request: a Claude Code session's turn, priced, with cache reads.</summary>
    private static CompletedRequest Request() => new()
    {
        Time = DateTimeOffset.UtcNow,
        RequestId = "0HNBENCH0000001",
        SessionId = "2f0c2b8e-6a55-4bd4-9a57-5d1b0d3c9e21",
        Caller = "team-a",
        ClientApi = ApiFormat.Anthropic,
        Operation = Operation.Messages,
        UserAgent = "claude-cli/2.1.330 (external, cli)",
        RequestedModel = "claude-sonnet-4-5",
        Route = "none",
        Selection = "literal",
        Model = "anthropic/claude-sonnet-4-5",
        Provider = "anthropic",
        Status = 200,
        LatencyMs = 1234.5,
        TtfbMs = 456.7,
        Usage = new TokenUsage(12_000, 800, CachedInputTokens: 10_000, CacheWriteTokens: 1_500),
        CostUsd = 0.0234m,
        Stream = true,
    };
}
