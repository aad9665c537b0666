using System.Text;
using System.Text.Json;

namespace Switchboard.Server;

/// <summary>Re-wraps an upstream's error in the client's format, keeping its status, message and (same API) type.</summary>
internal static class UpstreamErrors
{
    public static byte[] ToClientFormat(ApiFormat client, int status, ReadOnlySpan<byte> upstreamBody, string provider)
    {
        var (message, type) = Extract(upstreamBody);
        message = string.IsNullOrWhiteSpace(message) ? $"provider '{provider}' returned HTTP {status}." : $"provider '{provider}' returned HTTP {status}: {message}";
        // Keep the upstream's error type when it is meaningful in the client's format.
        if (client == ApiFormat.Anthropic && type is not null && !type.EndsWith("_error", StringComparison.Ordinal) && type != "error") type = null;
        return client == ApiFormat.Anthropic
            ? ClientErrors.FormatAnthropic(type ?? ClientErrors.AnthropicType(status), message)
            : ClientErrors.Format(ApiFormat.OpenAI, status, message, type);
    }

    /// <summary>The message (and type) from an OpenAI, Anthropic or other JSON error, or the text itself.</summary>
    internal static (string? Message, string? Type) Extract(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty) return (null, null);
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("error", out var error))
                {
                    if (error.ValueKind == JsonValueKind.String) return (error.GetString(), null);
                    if (error.ValueKind == JsonValueKind.Object)
                        return (error.TryGetProperty("message", out var m) ? m.ToString() : error.GetRawText(),
                                error.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null);
                }
                if (root.TryGetProperty("message", out var message)) return (message.ToString(), null);
                if (root.TryGetProperty("detail", out var detail)) return (detail.ToString(), null);
            }
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
            {
                var (m, t) = Extract(Encoding.UTF8.GetBytes(root[0].GetRawText()));
                return (m, t);
            }
            return (Truncate(root.GetRawText()), null);
        }
        catch (JsonException)
        {
            return (Truncate(Encoding.UTF8.GetString(body).Trim()), null);
        }
    }

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500] + "…";
}

/// <summary>Well-formed error events that end a stream in the client's format.</summary>
internal static class StreamErrors
{
    public static byte[] Frame(ApiFormat client, string message)
    {
        if (client == ApiFormat.Anthropic)
        {
            var json = ClientErrors.FormatAnthropic("api_error", message);
            return [.. "event: error\ndata: "u8, .. json, .. "\n\n"u8];
        }
        var openAI = ClientErrors.Format(ApiFormat.OpenAI, 502, message, "server_error");
        return [.. "data: "u8, .. openAI, .. "\n\ndata: [DONE]\n\n"u8];
    }
}
