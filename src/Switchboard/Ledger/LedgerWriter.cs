using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Ledger.Storage;
using Switchboard.Pipeline;
using Switchboard.Runtime;

namespace Switchboard.Ledger;

/// <summary>
/// The ledger's background side: opens the store and migrates it at start, then writes the rows
/// <see cref="LedgerSink"/> queues in batches (one transaction each) on a thread of its own (<see cref="BatchQueue{T}"/>:
/// it sleeps until a batch is due, <see cref="Coalesce"/> after its first row or at <see cref="BatchSize"/> rows, so
/// no thread-pool worker is woken per batch), and once an hour rolls up finished days and prunes rows past the
/// retention. A failing store costs the batch, counted and logged at most once a minute; it never reaches a request.
/// It outlives the server's drain: rows of the requests that finish while the gateway stops are written when the
/// container is disposed.
/// </summary>
internal sealed class LedgerWriter : IHostedService, IAsyncDisposable
{
    public const int BatchSize = 512;
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaintenanceEvery = TimeSpan.FromHours(1);
    private static readonly TimeSpan WarnEvery = TimeSpan.FromMinutes(1);
    /// <summary>A day is rolled up this long after it ends: rows of requests that finished at its last moment are in by then.</summary>
    private static readonly TimeSpan RollupGrace = TimeSpan.FromMinutes(10);

    private readonly LedgerSink _sink;
    private readonly ILedgerStore? _store;
    private readonly int _retentionDays;
    private readonly TimeProvider _time;
    private readonly ILogger<LedgerWriter> _logger;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private BatchQueue<CompletedRequest>? _queue;
    private readonly LedgerRow[] _rows = new LedgerRow[BatchSize]; // the writer thread's, reused for every batch
    private long _written;
    private long _droppedFailed;
    private long _lastWarnTicks;
    private readonly CancellationTokenSource _stopping = new();
    private Task _maintenance = Task.CompletedTask;
    private int _disposed;

    public LedgerWriter(LedgerSink sink, ILedgerStore? store, int retentionDays, TimeProvider time, ILogger<LedgerWriter> logger)
    {
        _sink = sink;
        _store = store;
        _retentionDays = retentionDays;
        _time = time;
        _logger = logger;
    }

    /// <summary>The open store, or null when the ledger is off or could not be opened.</summary>
    public ILedgerStore? Store => _ready.Task.IsCompletedSuccessfully && _sink.Enabled ? _store : null;

    public long Written => Interlocked.Read(ref _written);

    /// <summary>Rows lost: the queue was full, or the store failed their batch.</summary>
    public long Dropped => _sink.DroppedFull + Interlocked.Read(ref _droppedFailed);

    /// <summary>Opens and migrates the store before the gateway takes requests, so none is lost to a cold start.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_store is null)
        {
            _ready.TrySetResult();
            return;
        }
        try
        {
            await _store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            _queue = new BatchQueue<CompletedRequest>("Switchboard ledger writer", LedgerSink.Capacity, BatchSize, Coalesce, Write);
            _sink.Open(_queue);
            LedgerLog.Opened(_logger, _store.Description, _retentionDays);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LedgerLog.Unavailable(_logger, _store.Description, ex is LedgerException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}");
        }
        if (_sink.Enabled) _maintenance = Task.Run(() => MaintainAsync(_stopping.Token), CancellationToken.None);
        _ready.TrySetResult();
    }

    /// <summary>The server drains its requests after this; the writer goes on until <see cref="DisposeAsync"/>.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>One batch into the store, on the queue's thread: each request made into its row here, off the request's thread.</summary>
    private void Write(ReadOnlySpan<CompletedRequest> requests)
    {
        var rows = _rows.AsSpan(0, requests.Length);
        try
        {
            for (var i = 0; i < requests.Length; i++) rows[i] = LedgerRow.From(in requests[i]);
            _store!.Write(rows);
            Interlocked.Add(ref _written, rows.Length);
        }
        catch (Exception ex)
        {
            Interlocked.Add(ref _droppedFailed, rows.Length);
            WarnDropped($"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            rows.Clear(); // let the batch's strings go
        }
    }

    private void WarnDropped(string reason)
    {
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastWarnTicks);
        if (last != 0 && _time.GetElapsedTime(last, now) < WarnEvery) return;
        if (Interlocked.CompareExchange(ref _lastWarnTicks, now, last) != last) return;
        LedgerLog.Dropped(_logger, Dropped, reason);
    }

    /// <summary>Waits until every row accepted before the call is written (or dropped), for up to <paramref name="timeout"/>: a reader sees its own requests.</summary>
    public async Task FlushAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Store is null) return;
        var target = _sink.Enqueued;
        var deadline = _time.GetTimestamp();
        _queue?.Flush(); // every row up to the target goes in the next batch, without waiting out its gathering
        while (Written + Interlocked.Read(ref _droppedFailed) < target && _time.GetElapsedTime(deadline) < timeout)
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        if (_sink.DroppedFull > 0) WarnDropped("the queue to the store was full");
    }

    private async Task MaintainAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = _time.GetUtcNow();
                var today = DateOnly.FromDateTime(now.UtcDateTime);
                var rollBefore = DateOnly.FromDateTime((now - RollupGrace).UtcDateTime);
                var days = await _store!.RollUpAsync(rollBefore, stoppingToken).ConfigureAwait(false);
                var cutoff = today.AddDays(-_retentionDays);
                var pruned = await _store.PruneAsync(cutoff, stoppingToken).ConfigureAwait(false);
                if (days > 0 || pruned > 0) LedgerLog.Maintained(_logger, days, pruned, cutoff);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LedgerLog.MaintenanceFailed(_logger, $"{ex.GetType().Name}: {ex.Message}");
            }
            await Task.Delay(MaintenanceEvery, _time, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes what is still queued, then closes the store.</summary>
    public async ValueTask DisposeAsync()
    {
        // The container holds it twice (itself, and as a hosted service): once is enough.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _sink.Close();
        if (_queue is { } queue)
        {
            queue.Complete();
            await queue.Stopped.ConfigureAwait(false);
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        try { await _maintenance.ConfigureAwait(false); } catch (OperationCanceledException) { }
        if (_store is not null) await _store.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
