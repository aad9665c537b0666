namespace Switchboard.Protocols;

/// <summary>
/// The few in-place edits a same-API request needs (the model id, a capped max_tokens, a thinking budget kept under
/// it), as byte ranges of the client's body and their new values: the body goes upstream as its own bytes around
/// these, never copied whole (<see cref="RequestPeek.Splice"/>).
/// </summary>
internal sealed class BodySplice
{
    private readonly (int Start, int Length, byte[] Value)[] _edits;

    internal BodySplice((int Start, int Length, byte[] Value)[] edits)
    {
        Array.Sort(edits, static (a, b) => a.Start.CompareTo(b.Start));
        _edits = edits;
    }

    public int EditCount => _edits.Length;

    /// <summary>Edit <paramref name="index"/> in body order: where it starts, how many bytes it replaces, and with what.</summary>
    public (int Start, int Length, byte[] Value) EditAt(int index) => _edits[index];

    /// <summary>Length of the spliced body made from a body of <paramref name="bodyLength"/> bytes.</summary>
    public int LengthFor(int bodyLength)
    {
        var length = bodyLength;
        foreach (var edit in _edits) length += edit.Value.Length - edit.Length;
        return length;
    }

    /// <summary>
    /// The spliced body's pieces in order, each a range of <paramref name="body"/> or a new value, for a writer that
    /// sends them one after another (piece <paramref name="index"/>; false past the last).
    /// </summary>
    public bool TryGetPiece(ReadOnlyMemory<byte> body, int index, ref int from, out ReadOnlyMemory<byte> piece)
    {
        // Pieces alternate: the body up to edit k, edit k's value, ..., the body after the last edit.
        var edit = index / 2;
        if (index % 2 == 0)
        {
            if (edit < _edits.Length)
            {
                piece = body[from.._edits[edit].Start];
                return true;
            }
            if (edit == _edits.Length)
            {
                piece = body[from..];
                return true;
            }
            piece = default;
            return false;
        }
        if (edit >= _edits.Length)
        {
            piece = default;
            return false;
        }
        piece = _edits[edit].Value;
        from = _edits[edit].Start + _edits[edit].Length;
        return true;
    }

    /// <summary>The spliced body as one new array (for the rare rewrites that need the whole body, and tests).</summary>
    public byte[] Apply(ReadOnlySpan<byte> body)
    {
        var result = new byte[LengthFor(body.Length)];
        int from = 0, to = 0;
        foreach (var (start, oldLength, value) in _edits)
        {
            body[from..start].CopyTo(result.AsSpan(to));
            to += start - from;
            value.CopyTo(result.AsSpan(to));
            to += value.Length;
            from = start + oldLength;
        }
        body[from..].CopyTo(result.AsSpan(to));
        return result;
    }
}
