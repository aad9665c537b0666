using System.Buffers;
using System.Text;
using System.Text.Json;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols;

/// <summary>
/// Error bodies in each client protocol, for the gateway's own errors and for upstream errors crossing protocols.
/// The message is always kept; the type follows the HTTP status (the one thing every upstream gets right).
/// </summary>
internal static class ErrorFormats
{
    /// <summary>Upstream messages longer than this are cut: an HTML error page is not worth forwarding whole.</summary>
    private const int MaxMessageChars = 4000;

    /// <summary>Anthropic: <c>{"type":"error","error":{"type":…,"message":…}}</c>.</summary>
    public static byte[] Anthropic(string type, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + message.Length);
        using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
        {
            WriteAnthropic(json, type, message);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>OpenAI: <c>{"error":{"message":…,"type":…,"param":…,"code":…}}</c>.</summary>
    public static byte[] OpenAI(string type, string message, string? code, string? param = null)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + message.Length);
        using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
        {
            WriteOpenAI(json, type, message, code, param);
        }
        return buffer.WrittenSpan.ToArray();
    }

    internal static void WriteAnthropic(Utf8JsonWriter json, string type, string message)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "error"u8);
        json.WriteStartObject("error"u8);
        json.WriteString("type"u8, type);
        json.WriteString("message"u8, message);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    internal static void WriteOpenAI(Utf8JsonWriter json, string type, string message, string? code, string? param = null)
    {
        json.WriteStartObject();
        json.WriteStartObject("error"u8);
        json.WriteString("message"u8, message);
        json.WriteString("type"u8, type);
        if (param is null) json.WriteNull("param"u8); else json.WriteString("param"u8, param);
        if (code is null) json.WriteNull("code"u8); else json.WriteString("code"u8, code);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>The Anthropic error type for an HTTP status (Anthropic's documented table).</summary>
    public static string AnthropicTypeForStatus(int status) => status switch
    {
        400 => "invalid_request_error",
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 or 529 => "overloaded_error",
        504 => "timeout_error",
        >= 400 and < 500 => "invalid_request_error",
        _ => "api_error",
    };

    /// <summary>The OpenAI error type for an HTTP status.</summary>
    public static string OpenAITypeForStatus(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        >= 400 and < 500 => "invalid_request_error",
        _ => "server_error",
    };

    /// <summary>
    /// The status to send a client of the given protocol: Anthropic's 529 (overloaded) is not a status OpenAI
    /// clients know how to retry, so they get 503.
    /// </summary>
    public static int StatusForClient(ApiFormat client, int upstreamStatus) =>
        client != ApiFormat.Anthropic && upstreamStatus == 529 ? 503 : upstreamStatus;

    /// <summary>An upstream error as the client gets it: the status to send and the body in the client's format.</summary>
    public readonly record struct ClientError(int Status, byte[] Body);

    /// <summary>
    /// An upstream error for the client. When the upstream speaks the client's protocol and answered in its error format,
    /// status and body pass through byte for byte (every field the provider sent, such as OpenAI's <c>param</c> or
    /// Anthropic's <c>request_id</c>, survives). Otherwise the body is rewritten in the client's format
    /// (<see cref="FromUpstream"/>); a context-length error becomes the client protocol's own 400 for it
    /// (<see cref="ContextLengthErrors"/>), which is what lets clients compact and retry. Never throws on malformed input.
    /// </summary>
    public static ClientError ForClient(ApiFormat client, ApiFormat upstream, int status, ReadOnlySpan<byte> upstreamBody)
    {
        // The Responses API's errors are Chat's shape ({"error":{message,type,param,code}}): between OpenAI Chat and
        // Responses (either side) they pass as they are.
        bool sameErrorShape = client == upstream
            || (client, upstream) is (ApiFormat.OpenAI, ApiFormat.Responses) or (ApiFormat.Responses, ApiFormat.OpenAI);
        if (sameErrorShape && IsClientErrorShape(client, upstreamBody)) return new ClientError(status, upstreamBody.ToArray());
        UpstreamError error = Parse(status, upstreamBody);
        if (ContextLengthErrors.Detect(status, error.Message, error.Code) is { } overflow)
            return new ClientError(400, ContextLengthErrors.Format(client, overflow, Truncate(error.Message)));
        return new ClientError(StatusForClient(client, status), Rewrap(client, status, error));
    }

    /// <summary>
    /// Rewrites an upstream error body (OpenAI JSON, Anthropic JSON, other JSON, or plain text/HTML) into the
    /// client's error format, keeping the upstream message (a context-length error in the client protocol's own
    /// words). Never throws on malformed input.
    /// </summary>
    public static byte[] FromUpstream(ApiFormat client, int status, ReadOnlySpan<byte> upstreamBody)
    {
        UpstreamError error = Parse(status, upstreamBody);
        if (ContextLengthErrors.Detect(status, error.Message, error.Code) is { } overflow)
            return ContextLengthErrors.Format(client, overflow, Truncate(error.Message));
        return Rewrap(client, status, error);
    }

    private static byte[] Rewrap(ApiFormat client, int status, UpstreamError error)
    {
        error = error with { Message = Truncate(error.Message) };
        if (client == ApiFormat.Anthropic)
        {
            // An Anthropic upstream's own type is more precise than the status (e.g. 400 request_too_large).
            string type = error.AnthropicType ?? AnthropicTypeForStatus(status);
            return Anthropic(type, error.Message);
        }
        string openAIType = error.OpenAIType ?? OpenAITypeForStatus(status);
        return OpenAI(openAIType, error.Message, error.Code ?? error.AnthropicType);
    }

    private readonly record struct UpstreamError(string Message, string? OpenAIType, string? AnthropicType, string? Code);

    /// <summary>Whether a body is already an error in the client protocol's own shape (so it can pass unchanged).</summary>
    private static bool IsClientErrorShape(ApiFormat client, ReadOnlySpan<byte> body)
    {
        ReadOnlySpan<byte> trimmed = body.Trim(" \t\r\n"u8);
        if (trimmed.IsEmpty || trimmed[0] != (byte)'{') return false;
        try
        {
            var reader = new Utf8JsonReader(trimmed);
            using JsonDocument doc = JsonDocument.ParseValue(ref reader);
            if (reader.BytesConsumed != trimmed.Length) return false;
            JsonElement root = doc.RootElement;
            if (!root.TryGetProperty("error"u8, out JsonElement error) || error.ValueKind != JsonValueKind.Object || StringOrNull(error, "message"u8) is null) return false;
            bool typedError = root.TryGetProperty("type"u8, out JsonElement type) && type.ValueEquals("error"u8);
            return client == ApiFormat.Anthropic
                ? typedError && StringOrNull(error, "type"u8) is not null
                : !typedError;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static UpstreamError Parse(int status, ReadOnlySpan<byte> body)
    {
        ReadOnlySpan<byte> trimmed = body.Trim(" \t\r\n"u8);
        if (trimmed.IsEmpty)
        {
            return new UpstreamError($"Upstream returned HTTP {status} with an empty body.", null, null, null);
        }
        if (trimmed[0] == (byte)'{')
        {
            try
            {
                var reader = new Utf8JsonReader(trimmed);
                using JsonDocument doc = JsonDocument.ParseValue(ref reader);
                if (FromJson(doc.RootElement) is { } parsed) return parsed;
            }
            catch (JsonException)
            {
                // Not JSON after all: fall through to text.
            }
        }
        return new UpstreamError(TextMessage(status, trimmed), null, null, null);
    }

    private static UpstreamError? FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return null;
        bool isAnthropic = root.TryGetProperty("type"u8, out JsonElement t) && t.ValueEquals("error"u8);

        if (root.TryGetProperty("error"u8, out JsonElement error))
        {
            if (error.ValueKind == JsonValueKind.String)
            {
                return new UpstreamError(error.GetString()!, null, null, null);
            }
            if (error.ValueKind == JsonValueKind.Object)
            {
                string? message = StringOrNull(error, "message"u8);
                string? type = StringOrNull(error, "type"u8);
                string? code = error.TryGetProperty("code"u8, out JsonElement c)
                    ? c.ValueKind switch
                    {
                        JsonValueKind.String => c.GetString(),
                        JsonValueKind.Number => c.GetRawText(),
                        _ => null,
                    }
                    : null;
                // Google: {"error": {"code": 400, "message": …, "status": "INVALID_ARGUMENT"}}: the status names the error.
                if (StringOrNull(error, "status"u8) is { } googleStatus) code = googleStatus;
                message ??= type ?? error.GetRawText();
                return isAnthropic
                    ? new UpstreamError(message, null, type, null)
                    : new UpstreamError(message, type, null, code);
            }
        }
        // FastAPI/vLLM ({"detail": …}), Ollama and others ({"message": …}).
        if (StringOrNull(root, "message"u8) is { } m) return new UpstreamError(m, null, null, null);
        if (root.TryGetProperty("detail"u8, out JsonElement detail))
        {
            return new UpstreamError(detail.ValueKind == JsonValueKind.String ? detail.GetString()! : detail.GetRawText(), null, null, null);
        }
        return new UpstreamError(root.GetRawText(), null, null, null);
    }

    private static string? StringOrNull(JsonElement obj, ReadOnlySpan<byte> name) =>
        obj.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string TextMessage(int status, ReadOnlySpan<byte> text)
    {
        return $"Upstream returned HTTP {status}: {Encoding.UTF8.GetString(text)}";
    }

    private static string Truncate(string message) =>
        message.Length <= MaxMessageChars ? message : string.Concat(message.AsSpan(0, MaxMessageChars), "…");
}
