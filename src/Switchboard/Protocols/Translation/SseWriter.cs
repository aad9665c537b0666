using System.Buffers;
using System.Buffers.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Switchboard.Protocols.Translation;

/// <summary>
/// Low-level helpers that write SSE frames and JSON fragments straight into the output buffer.
/// The hot paths (text deltas) build frames from byte literals and the upstream's already-escaped JSON string
/// bytes, so a delta costs a few copies and no allocation.
/// </summary>
internal static class SseWriter
{
    /// <summary>Readable JSON (non-ASCII kept as UTF-8); the output is JSON over SSE, never embedded in HTML.</summary>
    public static readonly JsonWriterOptions JsonOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public static void Raw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        Span<byte> span = output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        output.Advance(bytes.Length);
    }

    public static void Number(IBufferWriter<byte> output, long value)
    {
        Span<byte> span = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out int written);
        output.Advance(written);
    }

    /// <summary>Writes a JSON string token whose contents are already JSON-escaped (copied from an upstream token).</summary>
    public static void QuotedEscaped(IBufferWriter<byte> output, ReadOnlySpan<byte> escapedContents)
    {
        Span<byte> span = output.GetSpan(escapedContents.Length + 2);
        span[0] = (byte)'"';
        escapedContents.CopyTo(span[1..]);
        span[escapedContents.Length + 1] = (byte)'"';
        output.Advance(escapedContents.Length + 2);
    }

    /// <summary>"event: {type}\ndata: " — the head of an Anthropic-style frame.</summary>
    public static void EventHead(IBufferWriter<byte> output, ReadOnlySpan<byte> eventType)
    {
        Raw(output, "event: "u8);
        Raw(output, eventType);
        Raw(output, "\ndata: "u8);
    }

    public static void FrameEnd(IBufferWriter<byte> output) => Raw(output, "\n\n"u8);

    /// <summary>
    /// Points a per-stream <see cref="Utf8JsonWriter"/> (created on first use) at whatever output buffer the current
    /// call got; <see cref="Utf8JsonWriter.Flush"/> after the value. For the rarer events (starts, stops, usage), where
    /// building JSON by hand would not pay off. A field rather than an owning object: one allocation less per stream.
    /// </summary>
    public static Utf8JsonWriter BeginJson(ref Utf8JsonWriter? writer, IBufferWriter<byte> output)
    {
        if (writer is null)
        {
            writer = new Utf8JsonWriter(output, JsonOptions);
        }
        else
        {
            writer.Reset(output);
        }
        return writer;
    }

    /// <summary>Closes the frame's top-level JSON object, flushes it into the output and ends the frame.</summary>
    public static void EndJsonFrame(Utf8JsonWriter json, IBufferWriter<byte> output)
    {
        json.WriteEndObject();
        json.Flush();
        FrameEnd(output);
    }
}
