using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;

namespace Switchboard.Sessions;

/// <summary>
/// Session pins in this process, bounded twice: a session idle for longer than the time to live is forgotten, and past
/// the capacity the least recently active one goes first. Evictions are counted
/// (<c>switchboard.sessions.evicted</c>, tagged <c>reason</c>: ttl or capacity), and the sessions held are a gauge
/// (<c>switchboard.sessions.active</c>). One lock, held for a dictionary lookup and a list move; a touch allocates nothing.
/// </summary>
internal sealed class InProcessSessionPinStore : ISessionPinStore, IDisposable
{
    private static readonly KeyValuePair<string, object?> TtlTag = new("reason", "ttl");
    private static readonly KeyValuePair<string, object?> CapacityTag = new("reason", "capacity");

    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _byKey = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new(); // most recently active first
    private readonly TimeProvider _time;
    private readonly long _ttlTicks;
    private readonly int _capacity;
    private readonly Meter _meter;
    private readonly Counter<long> _evicted;
    private long _evictedCount;

    private struct Entry(string key, SessionPin pin, long lastSeen)
    {
        public readonly string Key = key;
        public SessionPin Pin = pin;
        public long LastSeen = lastSeen;
    }

    public InProcessSessionPinStore(TimeSpan timeToLive, int capacity, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        _time = time ?? TimeProvider.System;
        _ttlTicks = (long)(timeToLive.TotalSeconds * _time.TimestampFrequency);
        _capacity = capacity;
        // The gateway's meter name: `dotnet-counters monitor --counters Switchboard` and the OTLP export see these too.
        _meter = new Meter("Switchboard");
        _evicted = _meter.CreateCounter<long>("switchboard.sessions.evicted", description: "Session pins forgotten (reason: ttl or capacity)");
        _meter.CreateObservableGauge("switchboard.sessions.active", () => Count, description: "Sessions whose turn model is held");
    }

    public int Count
    {
        get { lock (_gate) return _byKey.Count; }
    }

    /// <summary>Pins forgotten so far, for either reason.</summary>
    public long Evicted => Interlocked.Read(ref _evictedCount);

    public bool TryGet(string key, [NotNullWhen(true)] out SessionPin? pin)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_byKey.TryGetValue(key, out var node))
            {
                if (now - node.ValueRef.LastSeen <= _ttlTicks)
                {
                    node.ValueRef.LastSeen = now;
                    MoveToFront(node);
                    pin = node.ValueRef.Pin;
                    return true;
                }
                Remove(node, TtlTag);
            }
        }
        pin = null;
        return false;
    }

    public void Set(string key, SessionPin pin)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_byKey.TryGetValue(key, out var node))
            {
                node.ValueRef.Pin = pin;
                node.ValueRef.LastSeen = now;
                MoveToFront(node);
                return;
            }
            _byKey[key] = _recency.AddFirst(new Entry(key, pin, now));
            // The idle ones first, from the least recently active end; then whatever the capacity still asks for.
            while (_recency.Last is { } oldest && now - oldest.ValueRef.LastSeen > _ttlTicks) Remove(oldest, TtlTag);
            while (_byKey.Count > _capacity) Remove(_recency.Last!, CapacityTag);
        }
    }

    /// <summary>Nothing is newer than this process's own pin.</summary>
    public ValueTask<SessionPin?> RefreshAsync(string key, SessionPin? local, CancellationToken cancellationToken) => new(local);

    private void MoveToFront(LinkedListNode<Entry> node)
    {
        if (node.Previous is null) return;
        _recency.Remove(node);
        _recency.AddFirst(node);
    }

    private void Remove(LinkedListNode<Entry> node, KeyValuePair<string, object?> reason)
    {
        _recency.Remove(node);
        _byKey.Remove(node.ValueRef.Key);
        _evictedCount++;
        _evicted.Add(1, reason);
    }

    public void Dispose() => _meter.Dispose();
}
