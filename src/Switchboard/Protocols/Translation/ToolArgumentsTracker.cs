namespace Switchboard.Protocols.Translation;

/// <summary>
/// Follows the nesting of a tool call's arguments JSON as its fragments stream in, to tell when the arguments object
/// is complete. Works on the fragments as they appear inside the upstream's JSON string (escaped once), so no
/// unescaping copy is needed. The escapes of the outer string never split across fragments (each fragment is a whole
/// JSON string token); the inner JSON's state (inside a string, after a backslash) carries over.
/// </summary>
internal struct ToolArgumentsTracker
{
    private int _depth;
    private bool _started;
    private bool _inString;
    private bool _innerEscape;

    /// <summary>True once a top-level object or array has opened and closed again.</summary>
    public readonly bool IsComplete => _started && _depth == 0;

    public void Append(ReadOnlySpan<byte> escaped)
    {
        for (int i = 0; i < escaped.Length; i++)
        {
            byte c = escaped[i];
            if (c == (byte)'\\' && i + 1 < escaped.Length)
            {
                byte e = escaped[++i];
                if (e == (byte)'u' && i + 4 < escaped.Length)
                {
                    c = HexToChar(escaped.Slice(i + 1, 4));
                    i += 4;
                }
                else
                {
                    c = e switch { (byte)'"' => (byte)'"', (byte)'\\' => (byte)'\\', (byte)'/' => (byte)'/', _ => (byte)' ' };
                }
            }
            Inner(c);
        }
    }

    private void Inner(byte c)
    {
        if (_inString)
        {
            if (_innerEscape) _innerEscape = false;
            else if (c == (byte)'\\') _innerEscape = true;
            else if (c == (byte)'"') _inString = false;
            return;
        }
        switch (c)
        {
            case (byte)'"': _inString = true; break;
            case (byte)'{' or (byte)'[': _depth++; _started = true; break;
            case (byte)'}' or (byte)']': _depth--; break;
        }
    }

    /// <summary>A \uXXXX escape: only ASCII matters for structure; anything else is a plain character.</summary>
    private static byte HexToChar(ReadOnlySpan<byte> hex)
    {
        int value = 0;
        foreach (byte h in hex)
        {
            int digit = h switch
            {
                >= (byte)'0' and <= (byte)'9' => h - '0',
                >= (byte)'a' and <= (byte)'f' => h - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => h - 'A' + 10,
                _ => 0,
            };
            value = value * 16 + digit;
        }
        return value < 128 ? (byte)value : (byte)'x';
    }
}
