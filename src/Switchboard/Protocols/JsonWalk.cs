namespace Switchboard.Protocols;

/// <summary>
/// Steps through the members of an object and the items of an array in a body that already passed
/// <see cref="RequestPeek"/> (valid JSON), finding each value's end with <see cref="JsonScan"/>'s vectorized search:
/// what a forward-pass translation reads with, where a <see cref="System.Text.Json.JsonDocument"/> would index every
/// token first. Anything it does not expect (an escaped member name, nesting deeper than the scan goes) throws
/// <see cref="JsonWalkDeclined"/>: the caller then takes its DOM path, which decides and words any error.
/// </summary>
internal static class JsonWalk
{
    /// <summary>The position after the opening brace or bracket at <paramref name="start"/>.</summary>
    public static int Open(ReadOnlySpan<byte> json, int start) => JsonScan.SkipWhitespace(json, start + 1);

    /// <summary>
    /// The next member of the object being walked: <paramref name="i"/> is where the last value ended (or
    /// <see cref="Open"/>'s result); on true, <paramref name="value"/> is where the member's value starts and the caller
    /// sets <paramref name="i"/> to its end; on false, <paramref name="i"/> is past the closing brace.
    /// </summary>
    public static bool NextMember(ReadOnlySpan<byte> json, ref int i, out ReadOnlySpan<byte> name, out int value)
    {
        i = JsonScan.SkipWhitespace(json, i);
        if (json[i] == ',') i = JsonScan.SkipWhitespace(json, i + 1);
        if (json[i] == '}')
        {
            i++;
            name = default;
            value = 0;
            return false;
        }
        var nameEnd = JsonScan.String(json, i);
        if (nameEnd < 0) throw new JsonWalkDeclined();
        name = json[(i + 1)..(nameEnd - 1)];
        if (name.IndexOf((byte)'\\') >= 0) throw new JsonWalkDeclined();
        i = JsonScan.SkipWhitespace(json, nameEnd);
        value = JsonScan.SkipWhitespace(json, i + 1); // past the colon
        return true;
    }

    /// <summary>The next item of the array being walked, as <see cref="NextMember"/> does for objects.</summary>
    public static bool NextItem(ReadOnlySpan<byte> json, ref int i, out int item)
    {
        i = JsonScan.SkipWhitespace(json, i);
        if (json[i] == ',') i = JsonScan.SkipWhitespace(json, i + 1);
        if (json[i] == ']')
        {
            i++;
            item = 0;
            return false;
        }
        item = i;
        return true;
    }

    /// <summary>The end of the value starting at <paramref name="start"/>.</summary>
    public static int End(ReadOnlySpan<byte> json, int start)
    {
        var end = JsonScan.Value(json, start, out _);
        return end < 0 ? throw new JsonWalkDeclined() : end;
    }

    /// <summary>The value starting at <paramref name="start"/>, as a range.</summary>
    public static JsonRange Range(ReadOnlySpan<byte> json, int start) => new(start, End(json, start) - start);
}

/// <summary>A forward pass met something only the DOM path handles; never reaches a client.</summary>
internal sealed class JsonWalkDeclined : Exception
{
    public JsonWalkDeclined() : base("the forward pass declined; the DOM path decides") { }
}
