namespace Switchboard.Observability;

/// <summary>
/// The latest finished request of each recent client session (Claude Code's status line asks for its own, by the
/// session id it passes the status line command), bounded so a long-running gateway never grows it: the least
/// recently active session is forgotten first. A session never sees another session's requests. A background call
/// (a title, a summary: <see cref="RequestEvent.Background"/>) does not replace the session's latest turn request, so
/// the line keeps showing the route and model of the user's turn. It also sums each session's cost (its priced
/// requests, since the gateway started), for the status line.
/// </summary>
internal sealed class SessionTracker
{
    public const int DefaultCapacity = 256;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<RequestEvent>> _bySession = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _spent = new(StringComparer.Ordinal);
    private readonly LinkedList<RequestEvent> _recency = new(); // most recent first
    private readonly RequestEventHub _hub;
    private readonly int _capacity;

    public SessionTracker(RequestEventHub hub, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _hub = hub;
        _capacity = capacity;
        hub.Published += Record;
    }

    public int Count
    {
        get { lock (_gate) return _bySession.Count; }
    }

    /// <summary>
    /// The latest request of <paramref name="sessionId"/> (null while that session has made none); with no session
    /// (the command run by hand), the latest request overall.
    /// </summary>
    public RequestEvent? Latest(string? sessionId)
    {
        if (string.IsNullOrEmpty(sessionId)) return _hub.Latest;
        lock (_gate)
            return _bySession.TryGetValue(sessionId, out var node)
                ? node.Value with { SessionCostUsd = _spent.TryGetValue(sessionId, out var spent) ? spent : null }
                : null;
    }

    private void Record(RequestEvent e)
    {
        if (string.IsNullOrEmpty(e.SessionId)) return;
        lock (_gate)
        {
            if (e.CostUsd is { } cost) _spent[e.SessionId] = _spent.GetValueOrDefault(e.SessionId) + cost;
            if (_bySession.TryGetValue(e.SessionId, out var node))
            {
                if (e.Background && !node.Value.Background) return;
                _recency.Remove(node);
                node.Value = e;
                _recency.AddFirst(node);
                return;
            }
            _bySession[e.SessionId] = _recency.AddFirst(e);
            if (_bySession.Count > _capacity)
            {
                var oldest = _recency.Last!;
                _recency.RemoveLast();
                _bySession.Remove(oldest.Value.SessionId!);
                _spent.Remove(oldest.Value.SessionId!);
            }
        }
    }
}
