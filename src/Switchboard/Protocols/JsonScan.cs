using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Switchboard.Protocols;

/// <summary>
/// A JSON grammar check that jumps from one quote, backslash or control byte to the next with a vectorized search.
/// <see cref="System.Text.Json.Utf8JsonReader"/> walks the rest of a string byte by byte once it meets an escape, and
/// the text Claude Code sends is full of them (every <c>\n</c> of a tool result): on a 214 KB request that walk was
/// the gateway's largest single cost. It never accepts what the reader rejects (and says -1 for anything unusual, so
/// the reader decides and words the error); it does not check UTF-8, which <see cref="RequestPeek"/> does first (checking
/// it here, on the blocks that are not ASCII, cost more at 200/s than the one whole-body pass: docs/benchmarks.md, round 13).
/// </summary>
internal static class JsonScan
{
    /// <summary>Deepest nesting scanned here; deeper values go to the reader (whose limit is <see cref="RequestPeek.MaxDepth"/>).</summary>
    private const int MaxDepth = 64;

    private static readonly SearchValues<byte> StringStops = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);

    public static int SkipWhitespace(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t') i++;
        return i;
    }

    /// <summary>The end of the string whose opening quote is at <paramref name="i"/>, or -1 when it is not a valid JSON string.</summary>
    public static int String(ReadOnlySpan<byte> json, int i)
    {
        i++;
        if (Vector256.IsHardwareAccelerated)
        {
            // 32 bytes at a time: one mask of the quotes, backslashes and control bytes, every stop in it visited
            // without searching again. Claude Code's text has an escape every ~40-80 bytes (each \n), so a search per
            // stop spent more in starting the search than in searching (docs/benchmarks.md, round 13).
            ref var origin = ref MemoryMarshal.GetReference(json);
            while (i <= json.Length - Vector256<byte>.Count)
            {
                var block = Vector256.LoadUnsafe(ref origin, (nuint)i);
                var stops = (Vector256.Equals(block, Vector256.Create((byte)'"')) | Vector256.Equals(block, Vector256.Create((byte)'\\'))
                    | Vector256.LessThan(block, Vector256.Create((byte)0x20))).ExtractMostSignificantBits();
                var blockStart = i;
                i += Vector256<byte>.Count;
                while (stops != 0)
                {
                    var at = blockStart + BitOperations.TrailingZeroCount(stops);
                    if (json[at] == '"') return at + 1;
                    if (json[at] != '\\') return -1; // a control character
                    var next = EscapeEnd(json, at);
                    if (next < 0) return -1;
                    var skipped = next - blockStart;
                    if (skipped >= Vector256<byte>.Count)
                    {
                        i = next; // the escape ran past this block
                        break;
                    }
                    stops &= ~0u << skipped; // the escaped byte (a quote, a backslash) is no stop
                }
            }
        }
        while (true)
        {
            var stop = json[i..].IndexOfAny(StringStops);
            if (stop < 0) return -1;
            i += stop;
            if (json[i] == '"') return i + 1;
            if (json[i] != '\\') return -1; // a control character
            i = EscapeEnd(json, i);
            if (i < 0) return -1;
        }
    }

    /// <summary>The index after the escape whose backslash is at <paramref name="i"/>, or -1 when it is not a valid one.</summary>
    private static int EscapeEnd(ReadOnlySpan<byte> json, int i)
    {
        if (i + 1 >= json.Length) return -1;
        switch (json[i + 1])
        {
            case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                return i + 2;
            case (byte)'u':
                if (i + 6 > json.Length || !IsHex(json[i + 2]) || !IsHex(json[i + 3]) || !IsHex(json[i + 4]) || !IsHex(json[i + 5])) return -1;
                return i + 6;
            default:
                return -1;
        }
    }

    /// <summary>
    /// The end of the value that starts at <paramref name="i"/>, or -1 when it is not valid JSON (or nests deeper than
    /// this scan goes). <paramref name="elements"/>: how many items it has when it is an array.
    /// </summary>
    public static int Value(ReadOnlySpan<byte> json, int i, out int elements)
    {
        elements = 0;
        // One bit per open container, set for an array.
        ulong arrays = 0;
        var depth = 0;
        while (true)
        {
            // A value starts at i.
            if (i >= json.Length) return -1;
            if (depth == 1 && (arrays & 1) != 0) elements++;
            switch (json[i])
            {
                case (byte)'"':
                    i = String(json, i);
                    if (i < 0) return -1;
                    break;
                case (byte)'{':
                    if (++depth > MaxDepth) return -1;
                    arrays &= ~(1UL << (depth - 1));
                    i = SkipWhitespace(json, i + 1);
                    if (i < json.Length && json[i] == '}')
                    {
                        depth--;
                        i++;
                        break;
                    }
                    i = PropertyName(json, i);
                    if (i < 0) return -1;
                    continue;
                case (byte)'[':
                    if (++depth > MaxDepth) return -1;
                    arrays |= 1UL << (depth - 1);
                    i = SkipWhitespace(json, i + 1);
                    if (i < json.Length && json[i] == ']')
                    {
                        depth--;
                        i++;
                        break;
                    }
                    continue;
                case (byte)'t':
                    if (!json[i..].StartsWith("true"u8)) return -1;
                    i += 4;
                    break;
                case (byte)'f':
                    if (!json[i..].StartsWith("false"u8)) return -1;
                    i += 5;
                    break;
                case (byte)'n':
                    if (!json[i..].StartsWith("null"u8)) return -1;
                    i += 4;
                    break;
                default:
                    i = Number(json, i);
                    if (i < 0) return -1;
                    break;
            }

            // After a value: close what ends here, then the next item or member.
            while (true)
            {
                if (depth == 0) return i;
                i = SkipWhitespace(json, i);
                if (i >= json.Length) return -1;
                var inArray = (arrays & (1UL << (depth - 1))) != 0;
                if (json[i] == ',')
                {
                    i = SkipWhitespace(json, i + 1);
                    if (!inArray)
                    {
                        i = PropertyName(json, i);
                        if (i < 0) return -1;
                    }
                    break;
                }
                if (json[i] != (inArray ? ']' : '}')) return -1;
                depth--;
                i++;
            }
        }
    }

    /// <summary>A member's name and colon at <paramref name="i"/>; the index of its value (whitespace skipped), or -1.</summary>
    private static int PropertyName(ReadOnlySpan<byte> json, int i)
    {
        if (i >= json.Length || json[i] != '"') return -1;
        i = String(json, i);
        if (i < 0) return -1;
        i = SkipWhitespace(json, i);
        if (i >= json.Length || json[i] != ':') return -1;
        return SkipWhitespace(json, i + 1);
    }

    /// <summary>-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; the end of it, or -1.</summary>
    private static int Number(ReadOnlySpan<byte> json, int i)
    {
        if (json[i] == '-') i++;
        if (i >= json.Length) return -1;
        if (json[i] == '0') i++;
        else if (IsDigit(json[i])) i = Digits(json, i);
        else return -1;
        if (i < json.Length && json[i] == '.')
        {
            if (++i >= json.Length || !IsDigit(json[i])) return -1;
            i = Digits(json, i);
        }
        if (i < json.Length && json[i] is (byte)'e' or (byte)'E')
        {
            if (++i < json.Length && json[i] is (byte)'+' or (byte)'-') i++;
            if (i >= json.Length || !IsDigit(json[i])) return -1;
            i = Digits(json, i);
        }
        return i;
    }

    private static int Digits(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && IsDigit(json[i])) i++;
        return i;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static bool IsHex(byte b) => IsDigit(b) || (uint)((b | 0x20) - 'a') <= 'f' - 'a';
}
