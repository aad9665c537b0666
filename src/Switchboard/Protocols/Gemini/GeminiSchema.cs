using System.Text.Json;

namespace Switchboard.Protocols.Gemini;

/// <summary>
/// Google's Gemini endpoints (including the OpenAI-compatible one) take an OpenAPI-style subset of JSON Schema and
/// reject the whole request for one unknown keyword ("Unknown name \"$schema\"", "additionalProperties",
/// "propertyNames", "const"…). Claude Code's and MCP tools' schemas use all of those, so toward Gemini a schema is
/// rewritten to the supported subset: unknown keywords dropped, <c>const</c> as a one-value <c>enum</c>,
/// <c>["string","null"]</c> as <c>type</c> plus <c>nullable</c>, string formats other than enum/date-time dropped.
/// </summary>
internal static class GeminiSchema
{
    private static readonly HashSet<string> s_keywords = new(StringComparer.Ordinal)
    {
        "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems", "properties", "required",
        "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering",
        "default", "items", "minimum", "maximum",
    };

    public static bool AppliesTo(TranslationTarget target) =>
        target.Provider.Equals("gemini", StringComparison.OrdinalIgnoreCase)
        || target.Provider.Equals("google", StringComparison.OrdinalIgnoreCase)
        || target.Provider.StartsWith("vertex", StringComparison.OrdinalIgnoreCase);

    public static void Write(Utf8JsonWriter json, JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            schema.WriteTo(json);
            return;
        }
        json.WriteStartObject();
        bool wroteEnum = schema.TryGetProperty("enum"u8, out _);
        foreach (JsonProperty property in schema.EnumerateObject())
        {
            string name = property.Name;
            JsonElement value = property.Value;
            switch (name)
            {
                case "const" when !wroteEnum:
                    json.WriteStartArray("enum"u8);
                    value.WriteTo(json);
                    json.WriteEndArray();
                    wroteEnum = true;
                    continue;
                case "type" when value.ValueKind == JsonValueKind.Array:
                    string? single = null;
                    bool nullable = false;
                    foreach (JsonElement t in value.EnumerateArray())
                    {
                        if (t.ValueEquals("null"u8)) nullable = true;
                        else single ??= t.GetString();
                    }
                    json.WriteString("type"u8, single ?? "string");
                    if (nullable) json.WriteBoolean("nullable"u8, true);
                    continue;
                case "format" when !(value.ValueEquals("enum"u8) || value.ValueEquals("date-time"u8)):
                    continue;
            }
            if (!s_keywords.Contains(name)) continue;

            json.WritePropertyName(name);
            switch (name)
            {
                case "properties" when value.ValueKind == JsonValueKind.Object:
                    json.WriteStartObject();
                    foreach (JsonProperty p in value.EnumerateObject())
                    {
                        json.WritePropertyName(p.Name);
                        Write(json, p.Value);
                    }
                    json.WriteEndObject();
                    break;
                case "items":
                    Write(json, value);
                    break;
                case "anyOf" when value.ValueKind == JsonValueKind.Array:
                    json.WriteStartArray();
                    foreach (JsonElement s in value.EnumerateArray()) Write(json, s);
                    json.WriteEndArray();
                    break;
                default:
                    value.WriteTo(json);
                    break;
            }
        }
        json.WriteEndObject();
    }
}
