using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Pipeline;

namespace Switchboard.Endpoints;

/// <summary>The conversation endpoints of each client API, all into the <see cref="CompletionPipeline"/>.</summary>
internal static class CompletionEndpoints
{
    public const string MessagesPath = "/v1/messages";
    public const string CountTokensPath = "/v1/messages/count_tokens";
    public const string ChatCompletionsPath = "/v1/chat/completions";
    public const string ResponsesPath = "/v1/responses";

    public static void Map(RouteGroupBuilder api, CompletionPipeline pipeline)
    {
        // Anthropic Messages
        Map(api, MessagesPath, pipeline, ApiFormat.Anthropic, Operation.Messages);
        Map(api, CountTokensPath, pipeline, ApiFormat.Anthropic, Operation.CountTokens);
        // OpenAI Chat Completions; some OpenAI clients are configured without the /v1 prefix.
        Map(api, ChatCompletionsPath, pipeline, ApiFormat.OpenAI, Operation.ChatCompletions);
        Map(api, "/chat/completions", pipeline, ApiFormat.OpenAI, Operation.ChatCompletions);
        // OpenAI Responses (Codex): translated through the Chat form, passed through to OpenAI itself.
        Map(api, ResponsesPath, pipeline, ApiFormat.Responses, Operation.Responses);
        Map(api, "/responses", pipeline, ApiFormat.Responses, Operation.Responses);
        // The Responses WebSocket transport is not served: 426 makes Codex fall back to HTTP after one try (a 404 costs it seven).
        api.MapGet(ResponsesPath, (HttpContext c) => ClientErrors.WriteAsync(c, ApiFormat.Responses, 426,
            "Switchboard serves the Responses API over HTTP (POST /v1/responses); the WebSocket transport is not supported.", code: "websocket_not_supported"))
            .WithMetadata(ClientApiMetadata.Detected(static _ => ApiFormat.Responses));
    }

    private static void Map(RouteGroupBuilder api, string path, CompletionPipeline pipeline, ApiFormat client, Operation operation) =>
        api.MapPost(path, (HttpContext c) => pipeline.HandleAsync(c, client, operation)).WithMetadata(ClientApiMetadata.Completions(client));
}
