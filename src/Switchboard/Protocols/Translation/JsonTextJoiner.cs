using System.Runtime.InteropServices;
using System.Text.Json;

namespace Switchboard.Protocols.Translation;

/// <summary>
/// Builds one JSON string value from several parts (text blocks joined by a separator, a tool result's parts) as
/// escaped UTF-8, copying each part's bytes as the client escaped them instead of decoding it to a .NET string and
/// encoding it again: a Claude Code request carries ~150 KB of such text. A part with a \u escape goes through
/// <see cref="JsonElement.GetString"/> as before, so a lone surrogate is still refused the same way. Reused per request.
/// </summary>
internal sealed class JsonTextJoiner : IDisposable
{
    private readonly PooledBufferWriter _buffer = new(32 * 1024); // a Claude Code system prompt fits: no regrowth

    /// <summary>Whether any non-empty text was added.</summary>
    public bool HasText => _buffer.WrittenCount > 1;

    public void Start()
    {
        _buffer.Clear();
        _buffer.Write("\""u8);
    }

    /// <summary>Adds a JSON string element's text, after <paramref name="separator"/> (already JSON-escaped) if text came before.</summary>
    public void Add(JsonElement text, ReadOnlySpan<byte> separator)
    {
        if (text.ValueKind == JsonValueKind.Null) return;
        if (text.ValueKind != JsonValueKind.String) _ = text.GetString(); // throws, as reading it as text always did
        var raw = JsonMarshal.GetRawUtf8Value(text);
        if (HasText) _buffer.Write(separator); // even before an empty part, as joining .NET strings did
        var inner = raw[1..^1];
        if (inner.IndexOf("\\u"u8) < 0) _buffer.Write(inner);
        else _buffer.Write(JsonEncodedText.Encode(text.GetString()!, SseWriter.JsonOptions.Encoder).EncodedUtf8Bytes);
    }

    /// <summary>
    /// As <see cref="Add(JsonElement, ReadOnlySpan{byte})"/> for a value's raw token (a string with its quotes, or null)
    /// from a forward pass: the same bytes, the same rules.
    /// </summary>
    public void AddRaw(ReadOnlySpan<byte> token, ReadOnlySpan<byte> separator)
    {
        if (token[0] != (byte)'"')
        {
            if (token.SequenceEqual("null"u8)) return;
            throw new InvalidOperationException("a text value is not a string."); // as GetString on it would
        }
        if (HasText) _buffer.Write(separator);
        var inner = token[1..^1];
        if (inner.IndexOf("\\u"u8) < 0) _buffer.Write(inner);
        else _buffer.Write(JsonEncodedText.Encode(Decode(token), SseWriter.JsonOptions.Encoder).EncodedUtf8Bytes);
    }

    /// <summary>A string token's text (throws for a lone surrogate, as <see cref="JsonElement.GetString"/> does).</summary>
    internal static string Decode(ReadOnlySpan<byte> token)
    {
        var reader = new Utf8JsonReader(token);
        reader.Read();
        return reader.GetString()!;
    }

    /// <summary>Adds .NET text (a note the gateway writes), escaped.</summary>
    public void Add(string text, ReadOnlySpan<byte> separator)
    {
        if (HasText) _buffer.Write(separator);
        _buffer.Write(JsonEncodedText.Encode(text, SseWriter.JsonOptions.Encoder).EncodedUtf8Bytes);
    }

    /// <summary>Puts <paramref name="prefix"/> (escaped) before what was added so far.</summary>
    public void Prepend(ReadOnlySpan<byte> prefix)
    {
        var written = _buffer.WrittenSpan[1..].ToArray();
        _buffer.Clear();
        _buffer.Write("\""u8);
        _buffer.Write(prefix);
        _buffer.Write(written);
    }

    /// <summary>The joined text as .NET text (the rare caller that must keep it past the next <see cref="Start"/>).</summary>
    public string Decode() => Decode([.. _buffer.WrittenSpan, (byte)'"']);

    /// <summary>Writes the joined text as the value of <paramref name="property"/>.</summary>
    public void WriteTo(Utf8JsonWriter json, ReadOnlySpan<byte> property)
    {
        _buffer.Write("\""u8);
        json.WritePropertyName(property);
        json.WriteRawValue(_buffer.WrittenSpan, skipInputValidation: true);
    }

    public void Dispose() => _buffer.Dispose();
}
