using Microsoft.AspNetCore.Http;
using Switchboard.Protocols;

namespace Switchboard.Pipeline;

/// <summary>Writes gateway errors in the client's own API format, with the right status.</summary>
internal static class ClientErrors
{
    /// <summary>Messages keep quotes and non-ASCII readable; the body is JSON, never HTML.</summary>
    internal static readonly System.Text.Json.JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task WriteAsync(HttpContext context, ApiFormat client, int status, string message, string? openAIType = null, string? code = null)
    {
        var response = context.Response;
        if (response.HasStarted) return Task.CompletedTask;
        var body = Format(client, status, message, openAIType, code);
        return WriteBodyAsync(context, status, body);
    }

    public static Task WriteBodyAsync(HttpContext context, int status, byte[] body)
    {
        var response = context.Response;
        if (response.HasStarted) return Task.CompletedTask;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    public static byte[] Format(ApiFormat client, int status, string message, string? openAIType = null, string? code = null) =>
        client == ApiFormat.Anthropic
            ? ErrorFormats.Anthropic(ErrorFormats.AnthropicTypeForStatus(status), message)
            : ErrorFormats.OpenAI(openAIType ?? ErrorFormats.OpenAITypeForStatus(status), message, code);
}
