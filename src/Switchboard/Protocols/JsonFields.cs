using System.Text.Json;

namespace Switchboard.Protocols;

/// <summary>Reading one optional field of a JSON object by its UTF-8 name, as every translator does.</summary>
internal static class JsonFields
{
    /// <summary>The field's string value; null when <paramref name="obj"/> is not an object or the field is absent or not a string.</summary>
    public static string? Str(JsonElement obj, ReadOnlySpan<byte> name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>The field's integer value; null when <paramref name="obj"/> is not an object or the field is absent or not an integer.</summary>
    public static long? Long(JsonElement obj, ReadOnlySpan<byte> name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long l) ? l : null;
}
