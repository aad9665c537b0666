using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Pipeline;

/// <summary>Reads the client session out of what Claude Code sends (its session header, else <c>metadata.user_id</c>) or Codex sends (its <c>session_id</c> header).</summary>
internal static class ClientSession
{
    /// <summary>Claude Code's session id on every request: the same id its status line command gets as session_id.</summary>
    public const string Header = "x-claude-code-session-id";

    /// <summary>Codex's session id on every request (its Responses and Chat clients spell it both ways).</summary>
    public static readonly string[] CodexHeaders = ["session_id", "session-id"];

    private const string Marker = "_session_";

    /// <summary>Claude Code's session header, else the session in <paramref name="userId"/>, else Codex's session header.</summary>
    public static string? From(IHeaderDictionary headers, string? userId) =>
        From(headers[Header].ToString(), userId) ?? FromCodexHeaders(headers);

    /// <summary>Codex's session header, or null.</summary>
    public static string? FromCodexHeaders(IHeaderDictionary headers)
    {
        foreach (var name in CodexHeaders)
            if (headers[name].ToString() is { Length: > 0 } codex && !string.IsNullOrWhiteSpace(codex)) return codex.Trim();
        return null;
    }

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
