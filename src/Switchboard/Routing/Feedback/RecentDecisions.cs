namespace Switchboard.Routing.Feedback;

/// <summary>What the router decided for one request: enough to turn a correction into a labelled example.</summary>
internal sealed record RecentDecision(string RequestId, RoutePolicy Policy, string Prompt, string? Route, string Router, string Model, DateTimeOffset Time);

/// <summary>
/// The routing decisions of the most recent requests, by request id, so a correction can name one after the fact.
/// Bounded: the oldest are forgotten first. Thread-safe.
/// </summary>
internal sealed class RecentDecisions
{
    public const int DefaultCapacity = 4096;

    private readonly object _lock = new();
    private readonly Dictionary<string, RecentDecision> _byId = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly int _capacity;
    private RecentDecision? _last;

    public RecentDecisions(int capacity = DefaultCapacity) => _capacity = Math.Max(1, capacity);

    public int Count { get { lock (_lock) return _byId.Count; } }

    public void Add(RecentDecision decision)
    {
        lock (_lock)
        {
            if (_byId.TryAdd(decision.RequestId, decision)) _order.Enqueue(decision.RequestId);
            else _byId[decision.RequestId] = decision;
            while (_order.Count > _capacity) _byId.Remove(_order.Dequeue());
            _last = decision;
        }
    }

    /// <summary>A request's decision by id, or the latest one for "last".</summary>
    public RecentDecision? Find(string requestId)
    {
        lock (_lock)
        {
            if (requestId.Equals("last", StringComparison.OrdinalIgnoreCase)) return _last;
            return _byId.GetValueOrDefault(requestId);
        }
    }
}
