using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Switchboard.Protocols;

namespace Switchboard.Pipeline;

/// <summary>
/// The answer to a request refused at the in-flight caps (<c>Runtime/InFlightGate</c>): each client API's own overload
/// error, so its SDK backs off and retries by itself. Anthropic's is 529 <c>overloaded_error</c>, which Claude Code and
/// the Anthropic SDKs retry; OpenAI has no overload status of its own and answers 503 when it sheds load, which the
/// OpenAI SDKs (and Codex) retry, so Chat Completions and Responses clients get 503 with an error object. Both carry
/// <c>retry-after</c>. The bodies are made once: a refusal allocates nothing but the request id.
/// </summary>
internal static class OverloadRefusal
{
    private const string Message = "Switchboard is overloaded: it is at its limit of requests in flight (limits.max_concurrent_requests, max_request_bytes_in_flight). Retry shortly.";
    private const string RetryAfterSeconds = "1";
    public const int AnthropicStatus = 529;
    public const int OpenAIStatus = 503;
    private static readonly byte[] AnthropicBody = ErrorFormats.Anthropic("overloaded_error", Message);
    private static readonly byte[] OpenAIBody = ErrorFormats.OpenAI("server_error", Message, "overloaded");

    public static Task RefuseAsync(HttpContext context, ApiFormat client)
    {
        var headers = context.Response.Headers;
        headers[GatewayRequest.RequestIdHeader] = RequestIds.Next();
        headers[HeaderNames.RetryAfter] = RetryAfterSeconds;
        return client == ApiFormat.Anthropic
            ? ClientErrors.WriteBodyAsync(context, AnthropicStatus, AnthropicBody)
            : ClientErrors.WriteBodyAsync(context, OpenAIStatus, OpenAIBody);
    }
}
