using System.Buffers;
using System.Text.Json;

namespace Switchboard.Protocols;

/// <summary>
/// Turns one whole response (already in the client's protocol) into that protocol's event stream, for upstreams
/// that ignore <c>stream: true</c> and answer with a single JSON body.
/// </summary>
internal static class StreamReplay
{
    private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] FromResponse(ApiFormat client, ReadOnlySpan<byte> response, bool includeUsage)
    {
        if (client == ApiFormat.Responses) return Responses.ResponsesReplay.FromResponse(response);
        using var document = JsonDocument.Parse(response.ToArray());
        var buffer = new ArrayBufferWriter<byte>(response.Length * 2 + 512);
        if (client == ApiFormat.Anthropic) Anthropic(document.RootElement, buffer);
        else OpenAI(document.RootElement, buffer, includeUsage);
        return buffer.WrittenSpan.ToArray();
    }

    private static void Anthropic(JsonElement message, ArrayBufferWriter<byte> output)
    {
        Event(output, "message_start", w =>
        {
            w.WriteString("type", "message_start");
            w.WriteStartObject("message");
            foreach (var p in message.EnumerateObject())
            {
                if (p.NameEquals("content")) { w.WriteStartArray("content"); w.WriteEndArray(); }
                else if (p.NameEquals("stop_reason") || p.NameEquals("stop_sequence")) w.WriteNull(p.Name);
                else p.WriteTo(w);
            }
            w.WriteEndObject();
        });
        var index = 0;
        if (message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in content.EnumerateArray())
            {
                var type = block.TryGetProperty("type", out var t) ? t.GetString() : null;
                var at = index++;
                Event(output, "content_block_start", w =>
                {
                    w.WriteString("type", "content_block_start");
                    w.WriteNumber("index", at);
                    w.WriteStartObject("content_block");
                    foreach (var p in block.EnumerateObject())
                    {
                        if (p.NameEquals("text") || p.NameEquals("thinking")) w.WriteString(p.Name, "");
                        else if (p.NameEquals("input")) { w.WriteStartObject("input"); w.WriteEndObject(); }
                        else if (p.NameEquals("signature")) w.WriteString("signature", "");
                        else p.WriteTo(w);
                    }
                    w.WriteEndObject();
                });
                void Delta(string deltaType, string field, string value) => Event(output, "content_block_delta", w =>
                {
                    w.WriteString("type", "content_block_delta");
                    w.WriteNumber("index", at);
                    w.WriteStartObject("delta");
                    w.WriteString("type", deltaType);
                    w.WriteString(field, value);
                    w.WriteEndObject();
                });
                switch (type)
                {
                    case "text" when block.TryGetProperty("text", out var text):
                        Delta("text_delta", "text", text.GetString() ?? "");
                        break;
                    case "thinking" when block.TryGetProperty("thinking", out var thinking):
                        Delta("thinking_delta", "thinking", thinking.GetString() ?? "");
                        if (block.TryGetProperty("signature", out var sig) && sig.GetString() is { Length: > 0 } signature) Delta("signature_delta", "signature", signature);
                        break;
                    case "tool_use" when block.TryGetProperty("input", out var input):
                        Delta("input_json_delta", "partial_json", input.GetRawText());
                        break;
                }
                Event(output, "content_block_stop", w => { w.WriteString("type", "content_block_stop"); w.WriteNumber("index", at); });
            }
        }
        Event(output, "message_delta", w =>
        {
            w.WriteString("type", "message_delta");
            w.WriteStartObject("delta");
            if (message.TryGetProperty("stop_reason", out var reason)) { w.WritePropertyName("stop_reason"); reason.WriteTo(w); }
            if (message.TryGetProperty("stop_sequence", out var sequence)) { w.WritePropertyName("stop_sequence"); sequence.WriteTo(w); }
            w.WriteEndObject();
            if (message.TryGetProperty("usage", out var usage)) { w.WritePropertyName("usage"); usage.WriteTo(w); }
        });
        Event(output, "message_stop", w => w.WriteString("type", "message_stop"));
    }

    private static void OpenAI(JsonElement completion, ArrayBufferWriter<byte> output, bool includeUsage)
    {
        var choices = completion.TryGetProperty("choices", out var c) && c.ValueKind == JsonValueKind.Array ? c : default;
        void Chunk(Action<Utf8JsonWriter> choicesWriter, bool withUsage) => Data(output, w =>
        {
            foreach (var p in completion.EnumerateObject())
                if (!p.NameEquals("choices") && !p.NameEquals("usage") && !p.NameEquals("object")) p.WriteTo(w);
            w.WriteString("object", "chat.completion.chunk");
            w.WriteStartArray("choices");
            choicesWriter(w);
            w.WriteEndArray();
            if (withUsage && completion.TryGetProperty("usage", out var usage)) { w.WritePropertyName("usage"); usage.WriteTo(w); }
        });
        // Both chunks have one entry per choice, with its index; only the delta and finish_reason differ.
        void EachChoice(Utf8JsonWriter w, Action<JsonElement> writeDeltaAndFinish)
        {
            if (choices.ValueKind != JsonValueKind.Array) return;
            foreach (var choice in choices.EnumerateArray())
            {
                w.WriteStartObject();
                w.WriteNumber("index", choice.TryGetProperty("index", out var i) ? i.GetInt32() : 0);
                writeDeltaAndFinish(choice);
                w.WriteEndObject();
            }
        }
        Chunk(w => EachChoice(w, choice =>
        {
            w.WriteStartObject("delta");
            if (choice.TryGetProperty("message", out var message))
                foreach (var p in message.EnumerateObject())
                {
                    if (p.NameEquals("tool_calls") && p.Value.ValueKind == JsonValueKind.Array)
                    {
                        w.WriteStartArray("tool_calls");
                        var n = 0;
                        foreach (var call in p.Value.EnumerateArray())
                        {
                            w.WriteStartObject();
                            w.WriteNumber("index", n++);
                            foreach (var cp in call.EnumerateObject()) cp.WriteTo(w);
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                    }
                    else p.WriteTo(w);
                }
            w.WriteEndObject();
            w.WriteNull("finish_reason");
        }), false);
        Chunk(w => EachChoice(w, choice =>
        {
            w.WriteStartObject("delta");
            w.WriteEndObject();
            if (choice.TryGetProperty("finish_reason", out var finish)) { w.WritePropertyName("finish_reason"); finish.WriteTo(w); }
        }), false);
        if (includeUsage) Chunk(_ => { }, true);
        output.Write("data: [DONE]\n\n"u8);
    }

    private static void Event(ArrayBufferWriter<byte> output, string name, Action<Utf8JsonWriter> body)
    {
        output.Write("event: "u8);
        output.Write(System.Text.Encoding.UTF8.GetBytes(name));
        output.Write("\n"u8);
        Data(output, body);
    }

    private static void Data(ArrayBufferWriter<byte> output, Action<Utf8JsonWriter> body)
    {
        output.Write("data: "u8);
        using (var w = new Utf8JsonWriter(output, Options))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        output.Write("\n\n"u8);
    }
}
