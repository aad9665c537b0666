namespace Switchboard.Routing;

/// <summary>
/// Routing decisions per conversation state: (policy fingerprint, router name, input key) → selection.
/// Claude Code re-sends the same conversation many times per user turn (every tool round-trip), so the
/// router runs once per user turn. Bounded LRU, thread-safe. Only Matched and Other are cached: a Timeout
/// or Error is retried on the next request rather than pinned. Apart from those, it holds the decision made at
/// each conversation's latest user turn, whatever it was, for routing.route_on_user_only.
/// </summary>
internal sealed class RouteDecisionCache
{
    public const int DefaultCapacity = 10_000;

    /// <summary><paramref name="Held"/>: the decision held for the conversation up to its latest user turn (route_on_user_only).</summary>
    private readonly record struct Key(string PolicyFingerprint, string Router, string InputKey, bool Held = false);

    private sealed class Node(Key key, RouteSelection value)
    {
        public readonly Key Key = key;
        public RouteSelection Value = value;
        public Node? Previous;
        public Node? Next;
    }

    private readonly Dictionary<Key, Node> _map;
    private readonly Lock _lock = new();
    private Node? _head; // most recently used
    private Node? _tail; // least recently used
    private long _hits;
    private long _misses;

    public RouteDecisionCache(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _map = new Dictionary<Key, Node>(Math.Min(capacity, 1024));
    }

    public int Capacity { get; }

    public int Count { get { lock (_lock) return _map.Count; } }

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Whether a selection of this kind may be cached.</summary>
    public static bool IsCacheable(RouteSelection selection) =>
        selection.Reason is RouteReason.Matched or RouteReason.Other && !selection.Provisional;

    public bool TryGet(RoutePolicy policy, string router, RouterInput input, out RouteSelection selection) =>
        TryGet(new Key(policy.Fingerprint, router, input.CacheKey), out selection);

    /// <summary>The decision held for this conversation state by <see cref="Hold"/>.</summary>
    public bool TryGetHeld(RoutePolicy policy, string router, RouterInput input, out RouteSelection selection) =>
        TryGet(new Key(policy.Fingerprint, router, input.CacheKey, Held: true), out selection);

    private bool TryGet(Key key, out RouteSelection selection)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var node))
            {
                MoveToFront(node);
                selection = node.Value;
                _hits++;
                return true;
            }
            _misses++;
        }
        selection = null!;
        return false;
    }

    /// <summary>Stores a decision; returns false (and stores nothing) for Timeout, Error and the like.</summary>
    public bool Set(RoutePolicy policy, string router, RouterInput input, RouteSelection selection)
    {
        if (!IsCacheable(selection)) return false;
        Store(new Key(policy.Fingerprint, router, input.CacheKey), selection);
        return true;
    }

    /// <summary>
    /// Holds the decision made at a conversation's latest user turn, of any kind (a timeout included), for the
    /// requests of that turn that follow (tool results, assistant steps); kept apart from the ordinary entries, so a
    /// timeout still never answers a new user turn.
    /// </summary>
    public void Hold(RoutePolicy policy, string router, RouterInput input, RouteSelection selection) =>
        Store(new Key(policy.Fingerprint, router, input.CacheKey, Held: true), selection);

    private void Store(Key key, RouteSelection selection)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var existing))
            {
                existing.Value = selection;
                MoveToFront(existing);
                return;
            }
            if (_map.Count >= Capacity && _tail is { } evicted)
            {
                Unlink(evicted);
                _map.Remove(evicted.Key);
            }
            var node = new Node(key, selection);
            _map.Add(key, node);
            LinkFront(node);
        }
    }

    /// <summary>The cached decision, or the selector's (cached when cacheable). Concurrent misses may both route.</summary>
    public async ValueTask<(RouteSelection Selection, bool FromCache)> GetOrSelectAsync(
        IRouteSelector selector, RouterInput input, RoutePolicy policy, CancellationToken cancellationToken)
    {
        if (TryGet(policy, selector.Name, input, out var cached)) return (cached, true);
        var selection = await selector.SelectAsync(input, policy, cancellationToken).ConfigureAwait(false);
        Set(policy, selector.Name, input, selection);
        return (selection, false);
    }

    public void Clear()
    {
        lock (_lock)
        {
            _map.Clear();
            _head = _tail = null;
        }
    }

    private void MoveToFront(Node node)
    {
        if (ReferenceEquals(node, _head)) return;
        Unlink(node);
        LinkFront(node);
    }

    private void LinkFront(Node node)
    {
        node.Previous = null;
        node.Next = _head;
        if (_head is not null) _head.Previous = node;
        _head = node;
        _tail ??= node;
    }

    private void Unlink(Node node)
    {
        if (node.Previous is not null) node.Previous.Next = node.Next; else _head = node.Next;
        if (node.Next is not null) node.Next.Previous = node.Previous; else _tail = node.Previous;
        node.Previous = node.Next = null;
    }
}
