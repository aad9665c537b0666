using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Server;

/// <summary>Writes gateway errors in the client's own API format, with the right status.</summary>
internal static class ClientErrors
{
    /// <summary>Messages keep quotes and non-ASCII readable; the body is JSON, never HTML.</summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task WriteAsync(HttpContext context, ApiFormat client, int status, string message, string? openAIType = null, string? code = null)
    {
        var response = context.Response;
        if (response.HasStarted) return Task.CompletedTask;
        response.StatusCode = status;
        response.ContentType = "application/json";
        var body = Format(client, status, message, openAIType, code);
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    public static byte[] FormatAnthropic(string type, string message)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "error"u8);
            writer.WriteStartObject("error"u8);
            writer.WriteString("type"u8, type);
            writer.WriteString("message"u8, message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Format(ApiFormat client, int status, string message, string? openAIType = null, string? code = null)
    {
        if (client == ApiFormat.Anthropic) return FormatAnthropic(AnthropicType(status), message);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error"u8);
            writer.WriteString("message"u8, message);
            writer.WriteString("type"u8, openAIType ?? OpenAIType(status));
            writer.WriteNull("param"u8);
            if (code is null) writer.WriteNull("code"u8); else writer.WriteString("code"u8, code);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static string AnthropicType(int status) => status switch
    {
        400 or 415 or 422 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 or 529 => "overloaded_error",
        504 => "timeout_error",
        _ => "api_error",
    };

    public static string OpenAIType(int status) => status switch
    {
        400 or 404 or 413 or 415 or 422 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        429 => "rate_limit_error",
        _ => "server_error",
    };
}
