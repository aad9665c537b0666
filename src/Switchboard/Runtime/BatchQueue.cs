using System.Runtime.CompilerServices;

namespace Switchboard.Runtime;

/// <summary>Writes one batch of queued items, on the queue's own thread (it may block: nothing else waits on it).</summary>
internal delegate void BatchHandler<T>(ReadOnlySpan<T> batch);

/// <summary>
/// A bounded queue with many writers (request threads) and one reader: a thread of its own that sleeps until a batch
/// is due and hands it to a <see cref="BatchHandler{T}"/>. Behind the request log and the usage ledger.
/// <para>
/// Why a thread and not a thread-pool task: each pool wake-up (a <c>WaitToReadAsync</c>, a <c>Task.Delay</c>) is
/// followed by the worker's spin-waiting, which on two cores cost more CPU per request than the writing itself
/// (docs/benchmarks.md). Here the thread waits on an event that never spins and is set once per batch: by the item
/// that makes the queue non-empty, then the thread sleeps <c>gather</c> (or until <c>batchSize</c> items are queued,
/// or a flush is asked) and takes everything queued at once.
/// </para>
/// <para>
/// Items are copied into an array under a lock that is held for the copy only: a struct item is handed over without
/// an allocation. Two arrays take turns (one filling while the other is written), grown on demand up to
/// <c>capacity</c>; when the filling one is full an item is refused (<see cref="TryAdd"/> is false) and counted, never
/// waited for: a writer that is slow or stuck never reaches the callers.
/// </para>
/// </summary>
internal sealed class BatchQueue<T>
{
    private readonly Lock _gate = new();
    private readonly int _capacity;
    private readonly int _batchSize;
    private readonly TimeSpan _gather;
    private readonly BatchHandler<T> _handler;
    // Set by the item that makes the queue non-empty (and by Flush, Complete): the thread's sleep until there is work.
    private readonly ManualResetEventSlim _arrived = new(false, spinCount: 0);
    // Set when a batch is due before its gathering time: batchSize items queued, a flush, completion.
    private readonly ManualResetEventSlim _due = new(false, spinCount: 0);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private T[] _filling;
    private T[] _spare;
    private int _count;
    private long _added;
    private long _refused;
    private long _handled;
    private bool _completing;
    private bool _completed;

    /// <param name="name">The thread's name (seen in a debugger or a profile).</param>
    /// <param name="capacity">Most items queued and not yet taken by the thread; more are refused.</param>
    /// <param name="batchSize">Most items per <paramref name="handler"/> call; this many queued ends the gathering early.</param>
    /// <param name="gather">How long the thread lets a batch gather after its first item.</param>
    public BatchQueue(string name, int capacity, int batchSize, TimeSpan gather, BatchHandler<T> handler)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _capacity = capacity;
        _batchSize = Math.Min(batchSize, capacity);
        _gather = gather;
        _handler = handler;
        var initial = Math.Min(capacity, Math.Min(_batchSize, 256));
        _filling = new T[initial];
        _spare = new T[initial];
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Items accepted so far.</summary>
    public long Added => Volatile.Read(ref _added);

    /// <summary>Items refused: the queue was full, or completed.</summary>
    public long Refused => Volatile.Read(ref _refused);

    /// <summary>Items handed to the handler so far (whatever it made of them).</summary>
    public long Handled => Volatile.Read(ref _handled);

    /// <summary>Completed when the thread has handled everything queued before <see cref="Complete"/> and ended.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Queues a copy of <paramref name="item"/>; false (and counted) when the queue is full or completed. Never blocks.</summary>
    public bool TryAdd(in T item)
    {
        bool first, full;
        lock (_gate)
        {
            if (_completed || _count == _filling.Length && !TryGrow())
            {
                _refused++;
                return false;
            }
            _filling[_count++] = item;
            _added++;
            first = _count == 1;
            full = _count == _batchSize;
        }
        // Outside the lock: a set wakes the thread (a futex), once per batch.
        if (first) _arrived.Set();
        if (full) _due.Set();
        return true;
    }

    private bool TryGrow()
    {
        if (_filling.Length >= _capacity) return false;
        Array.Resize(ref _filling, (int)Math.Min(_capacity, 2L * _filling.Length));
        return true;
    }

    /// <summary>Ends the gathering now: what is queued is handed over without waiting out <c>gather</c>.</summary>
    public void Flush()
    {
        _due.Set();
        _arrived.Set();
    }

    /// <summary>Refuses new items; the thread hands over what is queued, then ends (<see cref="Stopped"/>).</summary>
    public void Complete()
    {
        lock (_gate) _completing = true;
        Flush();
    }

    private void Run()
    {
        try
        {
            while (true)
            {
                _arrived.Wait();
                _due.Wait(_gather);
                T[] batch;
                int count;
                bool last;
                lock (_gate)
                {
                    batch = _filling;
                    count = _count;
                    (_filling, _spare, _count) = (_spare, batch, 0);
                    // An item queued from here on sets the events again; one queued before is in this batch.
                    _arrived.Reset();
                    _due.Reset();
                    last = _completed = _completing;
                }
                for (var at = 0; at < count; at += _batchSize)
                {
                    var size = Math.Min(_batchSize, count - at);
                    try
                    {
                        _handler(batch.AsSpan(at, size));
                    }
                    catch (Exception)
                    {
                        // The handler counts and reports its own failures; an exception here must not end the thread (or the process).
                    }
                    Volatile.Write(ref _handled, _handled + size);
                }
                if (RuntimeHelpers.IsReferenceOrContainsReferences<T>()) Array.Clear(batch, 0, count); // let the items' strings go
                if (last) return;
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    /// <summary>Completes the queue and waits up to <paramref name="timeout"/> for the thread to hand over what is queued.</summary>
    public bool Stop(TimeSpan timeout)
    {
        Complete();
        return _thread.Join(timeout);
    }

    // The two events are never disposed: a caller that queued just before completion may still set one, and without a
    // wait handle asked of them they hold nothing to release.
}
