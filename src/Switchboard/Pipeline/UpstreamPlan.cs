using Switchboard.Protocols;
using Switchboard.Protocols.Translation;
using Switchboard.Providers;

namespace Switchboard.Pipeline;

/// <summary>
/// One candidate's upstream request: where it goes, the bytes it sends, and what the response side needs to
/// know (translation or not, the tool-name map, usage and stream wishes of the client).
/// </summary>
internal sealed record UpstreamPlan(Uri Uri, ReadOnlyMemory<byte> Body, bool Translated, string ModelId)
{
    public ToolNameMap? ToolNames { get; init; }
    public bool ClientAskedStream { get; init; }
    public bool ClientWantsUsage { get; init; }
    public long? EstimatedInputTokens { get; init; }

    /// <summary>The current candidate's plan for <paramref name="request"/>.</summary>
    public static UpstreamPlan Create(GatewayRequest request)
    {
        var client = request.Client;
        var candidate = request.Candidate;
        var endpoint = request.Endpoint;
        ref readonly var peek = ref request.Peek;
        if (endpoint.Api == client)
        {
            var upstreamBody = peek.WithModel(request.Body!.Span, candidate.ModelId, candidate.Entry.MaxOutputTokens ?? ModelLimits.MaxOutputTokens(candidate.ModelId));
            // Each rewrite first scans the bytes for its marker and returns null (send them as they are) when it is absent.
            // Thinking an OpenAI-protocol model produced earlier in the conversation carries no signature: Anthropic
            // would reject it. Tool call ids that carried Gemini thought signatures are too long for OpenAI.
            var rewritten = client == ApiFormat.Anthropic
                ? UnsignedThinking.StripFromAnthropicRequest(upstreamBody)
                : SignedToolCallIds.StripFromOpenAIRequest(upstreamBody);
            upstreamBody = rewritten ?? upstreamBody;
            if (client == ApiFormat.Anthropic && request.StripPriorThinking && Sessions.PriorThinking.StripFromAnthropicRequest(upstreamBody) is { } stripped)
                upstreamBody = stripped;
            var uri = request.Operation == Operation.CountTokens
                ? endpoint.CountTokensUri
                : endpoint.GetCompletionUri(candidate.ModelId, client == ApiFormat.Anthropic ? request.Context.Request.QueryString.Value : null);
            return new UpstreamPlan(uri, upstreamBody, false, candidate.ModelId) { ClientAskedStream = peek.Stream };
        }

        var target = new TranslationTarget
        {
            ModelId = candidate.ModelId,
            Provider = endpoint.Name,
            Api = endpoint.Api,
            MaxOutputTokens = candidate.Entry.MaxOutputTokens ?? ModelLimits.MaxOutputTokens(candidate.ModelId),
        };
        var root = request.Root; // the request's one DOM (a router may have built it already)
        var translated = ProtocolTranslation.TranslateRequest(client, root, target);
        return new UpstreamPlan(endpoint.GetCompletionUri(candidate.ModelId, stream: peek.Stream), translated.Body, true, candidate.ModelId)
        {
            ToolNames = translated.ToolNames,
            ClientAskedStream = peek.Stream,
            ClientWantsUsage = client == ApiFormat.OpenAI && OpenAIToAnthropicRequest.ClientWantsStreamUsage(root),
            EstimatedInputTokens = client == ApiFormat.Anthropic && peek.Stream ? CountTokensEstimator.EstimateAnthropicRequest(root) : null,
        };
    }
}
