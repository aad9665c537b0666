using Microsoft.AspNetCore.Http;

namespace Switchboard.Endpoints;

/// <summary>What clients probe before they start: GET or HEAD / and /api/hello. Open: no gateway key, nothing of the config.</summary>
internal static class ProbeEndpoints
{
    /// <summary>What the gateway serves, for GET / and for the 404 of a path it does not.</summary>
    public const string EndpointList = "POST /v1/messages, POST /v1/messages/count_tokens, POST /v1/chat/completions, GET /v1/models, POST /v1/route and GET /healthz";

    /// <summary>
    /// GET /: where clients should point, in plain text. HEAD / (Claude Code's connectivity check) gets the same
    /// headers and no body. Nothing here depends on the config or needs a gateway key.
    /// </summary>
    public static Task RootAsync(HttpContext context)
    {
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}";
        var text = $"""
            Switchboard is running: an LLM gateway serving the Anthropic and OpenAI APIs.
              Anthropic clients (Claude Code): ANTHROPIC_BASE_URL={baseUrl}
              OpenAI clients:                  OPENAI_BASE_URL={baseUrl}/v1
            Endpoints: {EndpointList}.

            """;
        return EndpointResponses.WriteAsync(context, "text/plain; charset=utf-8", System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>GET or HEAD /api/hello: Claude Code probes it (HEAD) to check that its base URL answers.</summary>
    public static Task HelloAsync(HttpContext context) => EndpointResponses.WriteAsync(context, "application/json", """{"status":"ok"}"""u8.ToArray());
}
