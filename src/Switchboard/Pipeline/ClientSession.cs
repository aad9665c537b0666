using System.Text.Json;

namespace Switchboard.Pipeline;

/// <summary>Reads the client session out of what Claude Code sends: its session header, else <c>metadata.user_id</c>.</summary>
internal static class ClientSession
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
