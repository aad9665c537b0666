using Switchboard.Protocols;

namespace Switchboard.Pipeline;

/// <summary>A well-formed error event that ends a passthrough stream in the client's format.</summary>
internal static class StreamErrors
{
    public static byte[] Frame(ApiFormat client, string message) => client == ApiFormat.Responses
        ? Protocols.Responses.ResponsesErrors.FailedFrame(message)
        : client == ApiFormat.Anthropic
        ? [.. "event: error\ndata: "u8, .. ErrorFormats.Anthropic("api_error", message), .. "\n\n"u8]
        : [.. "data: "u8, .. ErrorFormats.OpenAI("server_error", message, null), .. "\n\ndata: [DONE]\n\n"u8];
}
