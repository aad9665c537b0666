using System.Text.Json;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols;

/// <summary>
/// One entry point per translation step, chosen by (client protocol, upstream protocol), so the server never
/// branches on pairs itself. Same-protocol traffic is passthrough and never comes here; Gemini native is not
/// implemented yet (<see cref="NotSupportedException"/>).
/// </summary>
public static class ProtocolTranslation
{
    /// <summary>Whether a client/upstream pair has translators.</summary>
    public static bool CanTranslate(ApiFormat client, ApiFormat upstream) =>
        (client, upstream) is (ApiFormat.Anthropic, ApiFormat.OpenAI) or (ApiFormat.OpenAI, ApiFormat.Anthropic);

    /// <summary>The request body for the target's protocol.</summary>
    public static byte[] TranslateRequest(ApiFormat client, JsonElement request, TranslationTarget target) =>
        (client, target.Api) switch
        {
            (ApiFormat.Anthropic, ApiFormat.OpenAI) => AnthropicToOpenAIRequest.Translate(request, target),
            (ApiFormat.OpenAI, ApiFormat.Anthropic) => OpenAIToAnthropicRequest.Translate(request, target),
            _ => throw Unsupported(client, target.Api),
        };

    /// <summary>A non-streamed upstream response body in the client's protocol.</summary>
    /// <param name="clientModel">The model name the client sees; null keeps the upstream's.</param>
    public static byte[] TranslateResponse(ApiFormat client, ApiFormat upstream, JsonElement response, string? clientModel, out TokenUsage usage) =>
        (client, upstream) switch
        {
            (ApiFormat.Anthropic, ApiFormat.OpenAI) => OpenAIToAnthropicResponse.Translate(response, clientModel, out usage),
            (ApiFormat.OpenAI, ApiFormat.Anthropic) => AnthropicToOpenAIResponse.Translate(response, clientModel, out usage),
            _ => throw Unsupported(client, upstream),
        };

    /// <summary>A fresh translator for one streamed response.</summary>
    /// <param name="clientModel">The model name the client sees in the stream.</param>
    /// <param name="clientWantsUsage">OpenAI clients: the request had <c>stream_options.include_usage</c> (see <see cref="OpenAIToAnthropicRequest.ClientWantsStreamUsage"/>).</param>
    /// <param name="estimatedInputTokens">Anthropic clients: input tokens for message_start (e.g. <see cref="CountTokensEstimator"/>).</param>
    public static IStreamTranslator CreateStreamTranslator(ApiFormat client, ApiFormat upstream, string clientModel,
        bool clientWantsUsage = false, long? estimatedInputTokens = null) =>
        (client, upstream) switch
        {
            (ApiFormat.Anthropic, ApiFormat.OpenAI) => new OpenAIToAnthropicStream(clientModel, estimatedInputTokens: estimatedInputTokens),
            (ApiFormat.OpenAI, ApiFormat.Anthropic) => new AnthropicToOpenAIStream(clientModel, clientWantsUsage),
            _ => throw Unsupported(client, upstream),
        };

    private static NotSupportedException Unsupported(ApiFormat client, ApiFormat upstream) =>
        new($"No translation from {client} clients to {upstream} upstreams.");
}
