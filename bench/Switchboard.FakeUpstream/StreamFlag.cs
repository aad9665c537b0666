using System.Buffers;
using System.IO.Pipelines;

namespace Switchboard.FakeUpstream;

/// <summary>
/// Reads a request body to its end and tells whether it holds <c>"stream":true</c> (or <c>"stream": true</c>),
/// consuming every read as it comes: nothing is buffered or copied but the few bytes that may hold a match split
/// across two segments.
/// </summary>
public sealed class StreamFlag
{
    private static ReadOnlySpan<byte> Compact => "\"stream\":true"u8;
    private static ReadOnlySpan<byte> Spaced => "\"stream\": true"u8;
    private const int Overlap = 13; // the longer needle's length − 1: all a match can leave in the previous segment

    private readonly byte[] _seam = new byte[2 * Overlap];
    private int _tail; // the last bytes seen, at _seam[0.._tail]
    private bool _found;

    public static async ValueTask<bool> ReadAsync(PipeReader reader, CancellationToken ct)
    {
        var scan = new StreamFlag();
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            foreach (var segment in result.Buffer) scan.Feed(segment.Span);
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted) return scan._found;
        }
    }

    public void Feed(ReadOnlySpan<byte> span)
    {
        if (_found || span.IsEmpty) return;
        // A match across the seam: the previous bytes' tail and this span's head.
        var head = Math.Min(span.Length, Overlap);
        span[..head].CopyTo(_seam.AsSpan(_tail));
        var seam = _seam.AsSpan(0, _tail + head);
        if (Holds(seam) || Holds(span)) { _found = true; return; }
        var keep = span.Length >= Overlap ? span[^Overlap..] : seam[Math.Max(0, seam.Length - Overlap)..];
        keep.CopyTo(_seam);
        _tail = keep.Length;
    }

    private static bool Holds(ReadOnlySpan<byte> span) => span.IndexOf(Compact) >= 0 || span.IndexOf(Spaced) >= 0;
}
