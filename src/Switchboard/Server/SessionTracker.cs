using System.Text.Json;

namespace Switchboard.Server;

/// <summary>
/// The latest finished request of each recent client session (Claude Code's status line asks for its own, by the
/// session id it passes the status line command), bounded so a long-running gateway never grows it: the least
/// recently active session is forgotten first. A session never sees another session's requests.
/// </summary>
public sealed class SessionTracker
{
    public const int DefaultCapacity = 256;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<RequestEvent>> _bySession = new(StringComparer.Ordinal);
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
            return _bySession.TryGetValue(sessionId, out var node) ? node.Value : null;
    }

    private void Record(RequestEvent e)
    {
        if (string.IsNullOrEmpty(e.SessionId)) return;
        lock (_gate)
        {
            if (_bySession.TryGetValue(e.SessionId, out var node))
            {
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
            }
        }
    }
}

/// <summary>Reads the client session out of what Claude Code sends: its session header, else <c>metadata.user_id</c>.</summary>
public static class ClientSession
{
    /// <summary>Claude Code's session id on every request: the same id its status line command gets as session_id.</summary>
    public const string Header = "x-claude-code-session-id";

    private const string Marker = "_session_";

    /// <summary>The session header when the client sent one, else the session inside <paramref name="userId"/>.</summary>
    public static string? From(string? header, string? userId) =>
        string.IsNullOrWhiteSpace(header) ? FromUserId(userId) : header.Trim();

    /// <summary>
    /// "user_HASH_account_UUID_session_UUID" → the UUID after "_session_"; a JSON object string
    /// (newer clients) → its "session_id"; anything else → null.
    /// </summary>
    public static string? FromUserId(string? userId)
    {
        if (string.IsNullOrWhiteSpace(userId)) return null;
        var text = userId.AsSpan().Trim();
        if (text[0] == '{')
        {
            try
            {
                using var document = JsonDocument.Parse(userId);
                return document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("session_id", out var id) && id.ValueKind == JsonValueKind.String
                    && id.GetString() is { Length: > 0 } fromJson ? fromJson : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
        var at = text.LastIndexOf(Marker, StringComparison.Ordinal);
        if (at < 0) return null;
        var session = text[(at + Marker.Length)..];
        return session.IsEmpty ? null : session.ToString();
    }
}
