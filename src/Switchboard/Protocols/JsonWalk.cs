using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace Switchboard.Protocols;

/// <summary>
/// Steps through the members of an object and the items of an array in a body that already passed
/// <see cref="RequestPeek"/> (valid JSON), finding each value's end by a vectorized search for its structural bytes
/// alone (the body was checked once; nothing here checks it again): what a forward-pass translation reads with, where a
/// <see cref="System.Text.Json.JsonDocument"/> would index every token first. Anything it does not expect (an escaped
/// member name, nesting deeper than <see cref="MaxDepth"/>) throws <see cref="JsonWalkDeclined"/>: the caller then
/// takes its DOM path, which decides and words any error. Bytes that were never checked can give a wrong end without a
/// throw: only call it on a peeked body.
/// </summary>
internal static class JsonWalk
{
    /// <summary>Deepest nesting walked, as <see cref="JsonScan"/>'s; deeper values are the DOM path's.</summary>
    private const int MaxDepth = 64;

    private static readonly SearchValues<byte> Structural = SearchValues.Create("\"{}[]"u8);

    private static readonly SearchValues<byte> ScalarEnds = SearchValues.Create(",}] \n\r\t"u8);

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
        var nameEnd = StringEnd(json, i);
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
        switch (json[start])
        {
            case (byte)'"':
                return StringEnd(json, start);
            case (byte)'{' or (byte)'[':
                return Vector256.IsHardwareAccelerated ? ContainerEndByMasks(json, start) : ContainerEndBySearch(json, start);
            default:
                // A number, true, false or null: it ends where the JSON around it goes on.
                var length = json[start..].IndexOfAny(ScalarEnds);
                return length < 0 ? json.Length : start + length;
        }
    }

    /// <summary>The end of the object or array at <paramref name="start"/>, one search per string and bracket.</summary>
    internal static int ContainerEndBySearch(ReadOnlySpan<byte> json, int start)
    {
        var depth = 0;
        var i = start;
        while (true)
        {
            var stop = json[i..].IndexOfAny(Structural);
            if (stop < 0) throw new JsonWalkDeclined();
            i += stop;
            switch (json[i])
            {
                case (byte)'"':
                    i = StringEnd(json, i);
                    break;
                case (byte)'{' or (byte)'[':
                    if (++depth > MaxDepth) throw new JsonWalkDeclined();
                    i++;
                    break;
                default:
                    i++;
                    if (--depth == 0) return i;
                    break;
            }
        }
    }

    /// <summary>
    /// The end of the object or array at <paramref name="start"/>, 64 bytes at a time: bit masks of its quotes,
    /// backslashes and brackets, the escaped quotes taken out, the inside of strings found by a prefix XOR of the quotes,
    /// and only the brackets outside strings visited. Schemas and tool inputs are dense with short strings, where a
    /// search per string costs more than the bytes it skips.
    /// </summary>
    internal static int ContainerEndByMasks(ReadOnlySpan<byte> json, int start)
    {
        Span<byte> tail = stackalloc byte[64];
        var depth = 0;
        ulong inString = 0;   // all ones when the block before ended inside a string
        ulong escapedFirst = 0; // 1 when the block before ended on an escaping backslash
        for (var block = start; block < json.Length; block += 64)
        {
            scoped ReadOnlySpan<byte> bytes;
            if (json.Length - block >= 64) bytes = json.Slice(block, 64);
            else
            {
                tail.Fill((byte)' ');
                json[block..].CopyTo(tail);
                bytes = tail;
            }
            var low = Vector256.Create(bytes);
            var high = Vector256.Create(bytes[32..]);
            var quotes = Mask(low, high, (byte)'"');
            var backslashes = Mask(low, high, (byte)'\\');
            var opens = Mask(low, high, (byte)'{') | Mask(low, high, (byte)'[');
            var closes = Mask(low, high, (byte)'}') | Mask(low, high, (byte)']');

            // Escaped bytes: the one after each backslash that is not itself escaped.
            var escaped = escapedFirst;
            escapedFirst = 0;
            var starts = backslashes & ~escaped;
            while (starts != 0)
            {
                var at = BitOperations.TrailingZeroCount(starts);
                if (at == 63)
                {
                    escapedFirst = 1;
                    break;
                }
                escaped |= 1UL << (at + 1);
                starts &= ~(3UL << at);
            }
            quotes &= ~escaped;

            // Each bit from an opening quote up to (not including) its closing quote.
            var prefix = quotes;
            prefix ^= prefix << 1;
            prefix ^= prefix << 2;
            prefix ^= prefix << 4;
            prefix ^= prefix << 8;
            prefix ^= prefix << 16;
            prefix ^= prefix << 32;
            prefix ^= inString;
            inString = (ulong)((long)prefix >> 63);

            var brackets = (opens | closes) & ~prefix;
            while (brackets != 0)
            {
                var at = BitOperations.TrailingZeroCount(brackets);
                if ((opens >> at & 1) != 0)
                {
                    if (++depth > MaxDepth) throw new JsonWalkDeclined();
                }
                else if (--depth == 0) return block + at + 1;
                brackets &= brackets - 1;
            }
        }
        throw new JsonWalkDeclined();
    }

    private static ulong Mask(Vector256<byte> low, Vector256<byte> high, byte value)
    {
        var v = Vector256.Create(value);
        return Vector256.Equals(low, v).ExtractMostSignificantBits() | (ulong)Vector256.Equals(high, v).ExtractMostSignificantBits() << 32;
    }

    /// <summary>
    /// The end of the string whose opening quote is at <paramref name="start"/>: past the first quote after it that an
    /// even run of backslashes precedes (an odd run escapes it). Checked JSON only: this jumps from quote to quote, over
    /// every other escape, where a check must stop at each backslash.
    /// </summary>
    public static int StringEnd(ReadOnlySpan<byte> json, int start)
    {
        var i = start + 1;
        while (true)
        {
            var quote = json[i..].IndexOf((byte)'"');
            if (quote < 0) throw new JsonWalkDeclined();
            i += quote;
            var backslashes = 0;
            while (json[i - 1 - backslashes] == '\\') backslashes++; // the opening quote ends the run
            i++;
            if ((backslashes & 1) == 0) return i;
        }
    }

    /// <summary>The value starting at <paramref name="start"/>, as a range.</summary>
    public static JsonRange Range(ReadOnlySpan<byte> json, int start) => new(start, End(json, start) - start);
}

/// <summary>A forward pass met something only the DOM path handles; never reaches a client.</summary>
internal sealed class JsonWalkDeclined : Exception
{
    public JsonWalkDeclined() : base("the forward pass declined; the DOM path decides") { }
}
