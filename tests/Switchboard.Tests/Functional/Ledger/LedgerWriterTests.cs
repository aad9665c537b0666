using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Ledger;
using Switchboard.Pipeline;
using Switchboard.Protocols;
using Switchboard.Routing.Feedback;

namespace Switchboard.Tests.Functional.Ledger;

/// <summary>
/// The ledger's guarantees around its store, with a store that fails or hangs on purpose: a request is never delayed
/// or failed for the ledger (rows are dropped and counted instead), and stopping writes what is queued.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class LedgerWriterTests
{
    [Fact]
    public async Task Stopping_writes_every_row_queued_before_it()
    {
        var store = new ScriptedStore();
        var sink = new LedgerSink();
        var writer = new LedgerWriter(sink, store, 90, TimeProvider.System, NullLogger<LedgerWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var request = Request();
        for (var i = 0; i < 1_000; i++) sink.OnCompleted(in request);
        await writer.DisposeAsync(); // long before the writer's 100 ms gathering would end on its own

        Assert.Equal(1_000, store.Rows);
        Assert.Equal(1_000, writer.Written);
        Assert.Equal(0, writer.Dropped);
        Assert.All(store.Batches, size => Assert.InRange(size, 1, LedgerWriter.BatchSize));
        Assert.False(sink.Enabled);
        sink.OnCompleted(in request); // after the stop: not built, not counted
        Assert.Equal(1_000, sink.Enqueued);
    }

    [Fact]
    public async Task A_failing_store_drops_and_counts_its_batches_and_the_next_batch_is_written()
    {
        var store = new ScriptedStore { FailNext = 1 };
        var sink = new LedgerSink();
        await using var writer = new LedgerWriter(sink, store, 90, TimeProvider.System, NullLogger<LedgerWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var request = Request();

        for (var i = 0; i < 5; i++) sink.OnCompleted(in request);
        await writer.FlushAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal(5, writer.Dropped);
        Assert.Equal(0, writer.Written);

        for (var i = 0; i < 3; i++) sink.OnCompleted(in request);
        await writer.FlushAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal(3, writer.Written);
        Assert.Equal(5, writer.Dropped);
    }

    /// <summary>A store that hangs fills the queue; from then on rows are dropped at once, and the request threads never wait.</summary>
    [Fact]
    public async Task A_hung_store_costs_rows_never_the_request_threads_time()
    {
        using var release = new ManualResetEventSlim(false);
        var store = new ScriptedStore { Gate = release };
        var sink = new LedgerSink();
        var writer = new LedgerWriter(sink, store, 90, TimeProvider.System, NullLogger<LedgerWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var request = Request();

        sink.OnCompleted(in request);
        await writer.FlushAsync(TimeSpan.Zero, CancellationToken.None); // asks the writer to take it now
        Assert.True(store.Entered.Wait(TimeSpan.FromSeconds(30))); // it took it, and hangs in the store
        var clock = Stopwatch.StartNew();
        var total = LedgerSink.Capacity + 5_000;
        for (var i = 0; i < total; i++) sink.OnCompleted(in request);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{total:N0} rows took {clock.Elapsed} on the request thread");
        Assert.Equal(5_000, sink.DroppedFull);
        Assert.Equal(5_000, writer.Dropped);

        release.Set();
        await writer.DisposeAsync();
        Assert.Equal(1 + LedgerSink.Capacity, writer.Written);
    }

    private static CompletedRequest Request() => new()
    {
        Time = DateTimeOffset.UtcNow,
        RequestId = "sb_writer_test",
        ClientApi = ApiFormat.OpenAI,
        Operation = Operation.ChatCompletions,
        RequestedModel = "gpt-4.1",
        Route = "none",
        Selection = "literal",
        Model = "openai/gpt-4.1",
        Provider = "openai",
        Status = 200,
        LatencyMs = 12,
        TtfbMs = 5,
        Usage = new TokenUsage(100, 10),
    };

    /// <summary>A store that counts what it is given, fails the batches it is told to, and can hang until released.</summary>
    private sealed class ScriptedStore : ILedgerStore
    {
        private long _rows;
        public int FailNext;
        public ManualResetEventSlim? Gate;
        public ManualResetEventSlim Entered { get; } = new(false);
        public List<int> Batches { get; } = [];
        public long Rows => Interlocked.Read(ref _rows);

        public string Description => "scripted";
        public Task MigrateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Write(ReadOnlySpan<LedgerRow> rows)
        {
            Entered.Set();
            Gate?.Wait();
            if (FailNext > 0)
            {
                FailNext--;
                throw new InvalidOperationException("the store is down");
            }
            lock (Batches) Batches.Add(rows.Length);
            Interlocked.Add(ref _rows, rows.Length);
        }

        public Task<int> RollUpAsync(DateOnly beforeDay, CancellationToken cancellationToken) => Task.FromResult(0);
        public Task<long> PruneAsync(DateOnly beforeDay, CancellationToken cancellationToken) => Task.FromResult(0L);
        public Task<DateOnly?> RolledUpUntilAsync(CancellationToken cancellationToken) => Task.FromResult<DateOnly?>(null);
        public Task<DateOnly?> OldestRowDayAsync(CancellationToken cancellationToken) => Task.FromResult<DateOnly?>(null);
        public IAsyncEnumerable<LedgerRow> ReadRowsAsync(long fromMs, long toMs, string? session, int? newestLimit, CancellationToken cancellationToken) => AsyncEnumerable.Empty<LedgerRow>();
        public IAsyncEnumerable<RollupRow> ReadRollupsAsync(DateOnly from, DateOnly until, CancellationToken cancellationToken) => AsyncEnumerable.Empty<RollupRow>();
        public Task<int> AppendFeedbackAsync(IReadOnlyList<FeedbackRecord> records, CancellationToken cancellationToken) => Task.FromResult(0);
        public IAsyncEnumerable<FeedbackRecord> ReadFeedbackAsync(long fromMs, CancellationToken cancellationToken) => AsyncEnumerable.Empty<FeedbackRecord>();
        public Task<IReadOnlyDictionary<string, ModelRatings>> ReadRatingsAsync(long fromMs, long toMs, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<string, ModelRatings>>(new Dictionary<string, ModelRatings>());
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
