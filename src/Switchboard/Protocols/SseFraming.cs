namespace Switchboard.Protocols;

/// <summary>
/// Event boundaries in raw SSE bytes, so a relay forwards whole events only: a client never sees half an
/// event when an upstream dies, and the gateway can append a well-formed error event after the last one.
/// </summary>
internal static class SseFraming
{
    /// <summary>Length of the prefix of <paramref name="buffer"/> made of complete events (0 when none is complete).</summary>
    public static int CompleteEventsLength(ReadOnlySpan<byte> buffer)
    {
        // An event ends at a blank line: "\n\n", "\r\r" or "\r\n\r\n" (whose tail "\n\r\n" is matched below).
        for (var i = buffer.Length - 1; i > 0; i--)
        {
            var c = buffer[i];
            if (c == (byte)'\n')
            {
                if (buffer[i - 1] == (byte)'\n') return i + 1;
                if (i >= 2 && buffer[i - 1] == (byte)'\r' && buffer[i - 2] == (byte)'\n') return i + 1;
            }
            else if (c == (byte)'\r' && buffer[i - 1] == (byte)'\r')
            {
                // "\r\r" could be the start of "\r\r\n"? Not a valid SSE newline pair; treat as a boundary.
                return i + 1;
            }
        }
        return 0;
    }

    /// <summary>Calls <paramref name="onData"/> with each "data:" line's payload in complete events.</summary>
    public static void ForEachDataLine<TState>(ReadOnlySpan<byte> events, ref TState state, DataLineHandler<TState> onData)
    {
        while (events.Length > 0)
        {
            var end = events.IndexOfAny((byte)'\n', (byte)'\r');
            var line = end < 0 ? events : events[..end];
            if (line.StartsWith("data:"u8))
            {
                var payload = line[5..];
                if (payload.Length > 0 && payload[0] == (byte)' ') payload = payload[1..];
                onData(payload, ref state);
            }
            if (end < 0) break;
            events = events[(end + 1)..];
        }
    }

    public delegate void DataLineHandler<TState>(ReadOnlySpan<byte> payload, ref TState state);
}
