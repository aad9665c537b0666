using System.Buffers;
using System.Text.Json;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.Responses;

/// <summary>
/// Errors for Responses API clients. Error bodies share OpenAI's shape (<c>{"error":{"message","type","param","code"}}</c>,
/// <see cref="ErrorFormats.OpenAI"/>); a stream that fails after it started ends with <c>response.failed</c>.
/// </summary>
internal static class ResponsesErrors
{
    /// <summary>A whole response.failed event, for streams the gateway relays byte for byte (passthrough) and cuts short.</summary>
    public static byte[] FailedFrame(string message)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        SseWriter.Raw(buffer, "event: response.failed\ndata: "u8);
        using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "response.failed"u8);
            // After the upstream's own events: a number past any it could have reached.
            json.WriteNumber("sequence_number"u8, int.MaxValue);
            json.WritePropertyName("response"u8);
            ResponseObject.Write(json, ResponsesWire.NewResponseId(), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), "", "failed", null, default, error: message);
            json.WriteEndObject();
        }
        SseWriter.FrameEnd(buffer);
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>A whole Responses API response replayed as its event stream, for upstreams that ignore <c>stream: true</c>.</summary>
internal static class ResponsesReplay
{
    public static byte[] FromResponse(ReadOnlySpan<byte> response)
    {
        using var document = JsonDocument.Parse(response.ToArray());
        var root = document.RootElement;
        var buffer = new ArrayBufferWriter<byte>(response.Length * 3 + 1024);
        var sequence = 0;
        using var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions);

        void Event(string type, Action<Utf8JsonWriter> body)
        {
            SseWriter.Raw(buffer, "event: "u8);
            SseWriter.Raw(buffer, System.Text.Encoding.UTF8.GetBytes(type));
            SseWriter.Raw(buffer, "\ndata: "u8);
            json.Reset(buffer);
            json.WriteStartObject();
            json.WriteString("type"u8, type);
            json.WriteNumber("sequence_number"u8, sequence++);
            body(json);
            json.WriteEndObject();
            json.Flush();
            SseWriter.FrameEnd(buffer);
        }

        void InProgress(Utf8JsonWriter w)
        {
            w.WriteStartObject("response"u8);
            foreach (var property in root.EnumerateObject())
            {
                if (property.NameEquals("output")) { w.WriteStartArray("output"u8); w.WriteEndArray(); }
                else if (property.NameEquals("status")) w.WriteString("status"u8, "in_progress"u8);
                else if (property.NameEquals("usage")) w.WriteNull("usage"u8);
                else property.WriteTo(w);
            }
            w.WriteEndObject();
        }

        Event("response.created", InProgress);
        Event("response.in_progress", InProgress);
        var index = 0;
        if (root.TryGetProperty("output"u8, out var output) && output.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in output.EnumerateArray())
            {
                var outputIndex = index++;
                var id = item.TryGetProperty("id"u8, out var idElement) ? idElement.GetString() : null;
                Event("response.output_item.added", w => { w.WriteNumber("output_index"u8, outputIndex); w.WritePropertyName("item"u8); item.WriteTo(w); });
                if (item.TryGetProperty("type"u8, out var type) && type.ValueEquals("message"u8) && item.TryGetProperty("content"u8, out var content) && content.ValueKind == JsonValueKind.Array)
                {
                    var partIndex = 0;
                    foreach (var part in content.EnumerateArray())
                    {
                        var contentIndex = partIndex++;
                        var text = part.TryGetProperty("text"u8, out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : "";
                        void Ref(Utf8JsonWriter w) { w.WriteString("item_id"u8, id); w.WriteNumber("output_index"u8, outputIndex); w.WriteNumber("content_index"u8, contentIndex); }
                        Event("response.content_part.added", w => { Ref(w); w.WritePropertyName("part"u8); OutputItem.WriteTextPart(w, default); });
                        Event("response.output_text.delta", w => { Ref(w); w.WriteString("delta"u8, text); w.WriteStartArray("logprobs"u8); w.WriteEndArray(); });
                        Event("response.output_text.done", w => { Ref(w); w.WriteString("text"u8, text); w.WriteStartArray("logprobs"u8); w.WriteEndArray(); });
                        Event("response.content_part.done", w => { Ref(w); w.WritePropertyName("part"u8); part.WriteTo(w); });
                    }
                }
                Event("response.output_item.done", w => { w.WriteNumber("output_index"u8, outputIndex); w.WritePropertyName("item"u8); item.WriteTo(w); });
            }
        }
        var status = root.TryGetProperty("status"u8, out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : "completed";
        Event(status switch { "incomplete" => "response.incomplete", "failed" => "response.failed", _ => "response.completed" },
            w => { w.WritePropertyName("response"u8); root.WriteTo(w); });
        return buffer.WrittenSpan.ToArray();
    }
}
