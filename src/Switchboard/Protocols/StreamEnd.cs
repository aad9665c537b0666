
namespace Switchboard.Protocols;

/// <summary>
/// What ends a stream in each protocol, so a stream the upstream cut short (its connection closed cleanly before the
/// final event) never reaches the client looking finished:
/// <list type="bullet">
/// <item>OpenAI: a choice's <c>finish_reason</c>, or <c>data: [DONE]</c>. Either counts, because OpenAI-compatible servers
///   differ: some never send [DONE], and a stream that ended at its finish_reason has all of its content (only the
///   optional usage chunk may follow).</item>
/// <item>Anthropic: <c>message_stop</c>.</item>
/// <item>Gemini: a candidate's <c>finishReason</c> (or <c>promptFeedback.blockReason</c>, a prompt refused whole).</item>
/// </list>
/// An error event the upstream sent itself also ends its stream (the client has an error already).
/// </summary>
internal static class StreamEnd
{
    /// <summary>The final event the upstream left out, in its protocol's words.</summary>
    public static string Missing(ApiFormat upstream) => upstream switch
    {
        ApiFormat.OpenAI => "no finish_reason or [DONE]",
        ApiFormat.Anthropic => "no message_stop",
        ApiFormat.Responses => "no response.completed",
        _ => "no finishReason",
    };

    /// <summary>The error the client gets (in its own format) when the upstream's stream stopped short.</summary>
    public static string TruncatedMessage(ApiFormat upstream) =>
        $"Upstream stream ended before its final event ({Missing(upstream)}): the answer is incomplete.";

    /// <summary>
    /// Whether one SSE event's data ends a same-protocol (passthrough) stream; Gemini has no client API, so no
    /// passthrough. Byte searches, no parsing: a property name with its quotes cannot occur inside a JSON string value,
    /// where quotes are escaped.
    /// </summary>
    public static bool IsFinalEvent(ApiFormat api, ReadOnlySpan<byte> data) => api == ApiFormat.Anthropic
        ? HasTypeMessageStopOrError(data)
        : api == ApiFormat.Responses ? IsResponsesFinalEvent(data)
        : data.SequenceEqual("[DONE]"u8) || HasStringValue(data, "\"finish_reason\""u8) || StartsWithProperty(data, "\"error\""u8);

    /// <summary><paramref name="name"/> followed by a colon and a string (not null).</summary>
    private static bool HasStringValue(ReadOnlySpan<byte> data, ReadOnlySpan<byte> name)
    {
        while (true)
        {
            int at = data.IndexOf(name);
            if (at < 0) return false;
            data = data[(at + name.Length)..];
            ReadOnlySpan<byte> value = AfterColon(data);
            if (!value.IsEmpty && value[0] == (byte)'"') return true;
        }
    }

    /// <summary><c>"type": "message_stop"</c> or <c>"type": "error"</c> (one pass over the "type" properties).</summary>
    private static bool HasTypeMessageStopOrError(ReadOnlySpan<byte> data)
    {
        while (true)
        {
            int at = data.IndexOf("\"type\""u8);
            if (at < 0) return false;
            data = data[(at + 6)..];
            ReadOnlySpan<byte> value = AfterColon(data);
            if (value.StartsWith("\"message_stop\""u8) || value.StartsWith("\"error\""u8)) return true;
        }
    }

    /// <summary>An object whose first property is <paramref name="name"/> (an error chunk: <c>{"error": {…}}</c>).</summary>
    private static bool StartsWithProperty(ReadOnlySpan<byte> data, ReadOnlySpan<byte> name)
    {
        data = data.TrimStart(" \t\r\n"u8);
        return !data.IsEmpty && data[0] == (byte)'{' && data[1..].TrimStart(" \t\r\n"u8).StartsWith(name);
    }

    /// <summary>What follows ": " after a property name; empty when no colon follows.</summary>
    private static ReadOnlySpan<byte> AfterColon(ReadOnlySpan<byte> rest)
    {
        rest = rest.TrimStart(" \t\r\n"u8);
        return !rest.IsEmpty && rest[0] == (byte)':' ? rest[1..].TrimStart(" \t\r\n"u8) : default;
    }

    /// <summary>Responses: response.completed, .incomplete or .failed, or an error event (the type is the first property OpenAI writes; searched anywhere).</summary>
    private static bool IsResponsesFinalEvent(ReadOnlySpan<byte> data) =>
        data.IndexOf("\"response.completed\""u8) >= 0 || data.IndexOf("\"response.incomplete\""u8) >= 0
        || data.IndexOf("\"response.failed\""u8) >= 0 || data.IndexOf("\"type\":\"error\""u8) >= 0;
}
