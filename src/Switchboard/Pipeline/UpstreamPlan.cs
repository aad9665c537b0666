using Switchboard.Models;
using Switchboard.Protocols;
using Switchboard.Providers;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.OpenAIChat;
using Switchboard.Protocols.Responses;
using Switchboard.Protocols.Translation;

namespace Switchboard.Pipeline;

/// <summary>
/// One candidate's upstream request: where it goes, the bytes it sends, and what the response side needs to
/// know (translation or not, the tool-name map, usage and stream wishes of the client).
/// </summary>
internal sealed record UpstreamPlan(Uri Uri, PooledBody Body, bool Translated, string ModelId) : IDisposable
{
    /// <summary>The edits the same-API body goes with (the model, a capped max_tokens); null: the body as it is.</summary>
    public BodySplice? Splice { get; init; }

    /// <summary>The client's body while it is still arriving: the first attempt forwards it as it comes (<see cref="Relays.StreamedRequestBody"/>).</summary>
    public Relays.StreamedRequestBody? Streamed { get; init; }
    /// <summary>The max_tokens cap of a streamed plan, applied once the body is whole.</summary>
    public int? MaxTokensCap { get; init; }

    /// <summary>Whether <see cref="Body"/> is the plan's own (a translation's output), not the client's.</summary>
    public bool OwnsBody { get; init; }

    /// <summary>One attempt's request content: the body from its buffer, spliced on the way out.</summary>
    public HttpContent CreateContent() => new Relays.SplicedContent(Body, Splice);

    public void Dispose()
    {
        if (OwnsBody) Body.Dispose();
    }

    public ToolNameMap? ToolNames { get; init; }
    public bool ClientAskedStream { get; init; }
    public bool ClientWantsUsage { get; init; }
    public long? EstimatedInputTokens { get; init; }
    /// <summary>Responses clients: which upstream functions stand for custom, namespace or local-shell tools.</summary>
    public Protocols.Responses.ResponsesToolMap? ResponsesTools { get; init; }

    /// <summary>The current candidate's plan for <paramref name="request"/>.</summary>
    /// <returns>
    /// Null when the forward pass declined a large body on a socket thread: the caller moves to the thread pool and calls
    /// again with <paramref name="forwardDeclined"/> set, so the DOM path does not hold the socket thread.
    /// </returns>
    public static UpstreamPlan? Create(GatewayRequest request, bool forwardDeclined = false)
    {
        var client = request.Client;
        var candidate = request.Candidate;
        var endpoint = request.Endpoint;
        ref readonly var peek = ref request.Peek;
        if (client == ApiFormat.Responses && endpoint.ServesResponsesApi)
        {
            // OpenAI itself: its own Responses API, the client's bytes with only the model changed.
            var body = PooledBody.FromArray(peek.WithModel(request.Body!.Span, candidate.ModelId));
            return new UpstreamPlan(endpoint.ResponsesUri, body, false, candidate.ModelId) { OwnsBody = true, ClientAskedStream = peek.Stream };
        }
        if (endpoint.Api == client)
        {
            var body = request.Body!;
            var cap = candidate.Entry.MaxOutputTokens ?? ModelLimits.MaxOutputTokens(candidate.ModelId);
            if (request.StreamedBody is { IsChecked: false } streamed)
            {
                // The body is still arriving: its checks, max_tokens cap and rewrites wait for its end (Relays/StreamedRequestBody).
                return new UpstreamPlan(endpoint.GetCompletionUri(candidate.ModelId, client == ApiFormat.Anthropic ? request.Context.Request.QueryString.Value : null), body, false, candidate.ModelId)
                    { Streamed = streamed, MaxTokensCap = cap };
            }
            var splice = peek.Splice(candidate.ModelId, cap);
            // Thinking an OpenAI-protocol model produced earlier in the conversation carries no signature: Anthropic
            // would reject it. Tool call ids that carried Gemini thought signatures are too long for OpenAI, and a Responses
            // upstream's encrypted reasoning (reasoning_details) means nothing to a Chat one. All are
            // rare: a scan for their marker, and only a body that has it is rewritten whole (a new array). So is a
            // session's conversation whose model moved to another provider: its earlier thinking is removed.
            var stripPriorThinking = client == ApiFormat.Anthropic && request.StripPriorThinking;
            var mayNeedRewrite = stripPriorThinking || (client == ApiFormat.Anthropic
                ? UnsignedThinking.MayContainForeignThinking(body.Span)
                : SignedToolCallIds.MayNeedStripping(body.Span));
            if (mayNeedRewrite)
            {
                var spliced = splice.Apply(body.Span);
                var rewritten = (client == ApiFormat.Anthropic
                    ? UnsignedThinking.StripFromAnthropicRequest(spliced)
                    : SignedToolCallIds.StripFromOpenAIRequest(spliced)) ?? spliced;
                if (stripPriorThinking && Sessions.PriorThinking.StripFromAnthropicRequest(rewritten) is { } stripped)
                    rewritten = stripped;
                body = PooledBody.FromArray(rewritten);
                splice = null;
            }
            var uri = request.Operation == Operation.CountTokens
                ? endpoint.CountTokensUri
                : endpoint.GetCompletionUri(candidate.ModelId, client == ApiFormat.Anthropic ? request.Context.Request.QueryString.Value : null);
            return new UpstreamPlan(uri, body, false, candidate.ModelId) { Splice = splice, OwnsBody = mayNeedRewrite, ClientAskedStream = peek.Stream };
        }

        var target = new TranslationTarget
        {
            ModelId = candidate.ModelId,
            Provider = endpoint.Name,
            Api = endpoint.Api,
            MaxOutputTokens = candidate.Entry.MaxOutputTokens ?? ModelLimits.MaxOutputTokens(candidate.ModelId),
        };
        ToolNameMap? toolNames;
        ResponsesToolMap? responsesTools = null;
        PooledBody translated;
        long? estimatedInputTokens = null;
        if (client == ApiFormat.Anthropic && endpoint.Api == ApiFormat.OpenAI)
        {
            // One forward pass over the client's bytes, no DOM (the token estimate a stream's message_start needs is
            // counted on the way); what it declines (images, documents, odd shapes) goes through the DOM as before.
            using var output = new PooledBufferWriter(Math.Max(16 * 1024, request.Body!.Length + request.Body.Length / 4));
            if (!forwardDeclined && AnthropicToOpenAIRequest.TryTranslateForward(request.Body.Span, peek, target, output, peek.Stream, out toolNames, out var estimate))
            {
                if (peek.Stream) estimatedInputTokens = estimate;
            }
            else if (request.OnSocketThreadWithLargeBody) return null;
            else
            {
                toolNames = ProtocolTranslation.TranslateRequest(client, request.Root, target, output, forwardDeclined: true);
                if (peek.Stream) estimatedInputTokens = CountTokensEstimator.EstimateAnthropicRequest(request.Root);
            }
            var (buffer, length) = output.Detach();
            return new UpstreamPlan(endpoint.GetCompletionUri(candidate.ModelId, stream: peek.Stream), PooledBody.FromRented(buffer, length), true, candidate.ModelId)
            {
                OwnsBody = true,
                ToolNames = toolNames,
                ClientAskedStream = peek.Stream,
                EstimatedInputTokens = estimatedInputTokens,
            };
        }
        var root = request.Root; // the request's one DOM (a router may have built it already)
        if (client == ApiFormat.Responses)
        {
            IReadOnlyList<string>? dropped;
            // Toward Anthropic in one step, into the pooled buffer the request is sent from; other upstreams, and the
            // shapes that step declines, through the Chat form.
            using var output = new PooledBufferWriter(Math.Max(4 * 1024, request.Body!.Length + request.Body.Length / 2));
            if (endpoint.Api == ApiFormat.Anthropic && request.PriorItems.IsEmpty
                && ResponsesToAnthropicRequest.TryTranslate(root, target, output, out responsesTools, out var droppedDirect))
            {
                dropped = droppedDirect;
                toolNames = null;
                var (buffer, length) = output.Detach();
                translated = PooledBody.FromRented(buffer, length);
            }
            else
            {
                var fromResponses = ResponsesTranslation.TranslateThroughChat(root, target, request.PriorItems);
                dropped = fromResponses.DroppedTools;
                toolNames = fromResponses.ToolNames;
                responsesTools = fromResponses.ResponsesTools;
                translated = PooledBody.FromArray(fromResponses.Body);
            }
            if (dropped is { Count: > 0 })
                PipelineLog.HostedToolsDropped(request.Logger, request.Id, string.Join(", ", dropped), candidate.Model);
        }
        else
        {
            // Written into a pooled buffer the request is sent from: no copy into a new (large-object-heap) array.
            using var output = new PooledBufferWriter(Math.Max(16 * 1024, request.Body!.Length + request.Body.Length / 4));
            toolNames = ProtocolTranslation.TranslateRequest(client, root, target, output);
            var (buffer, length) = output.Detach();
            translated = PooledBody.FromRented(buffer, length);
        }
        return new UpstreamPlan(endpoint.GetCompletionUri(candidate.ModelId, stream: peek.Stream), translated, true, candidate.ModelId)
        {
            OwnsBody = true,
            ToolNames = toolNames,
            ResponsesTools = responsesTools,
            ClientAskedStream = peek.Stream,
            ClientWantsUsage = client == ApiFormat.OpenAI && OpenAIToAnthropicRequest.ClientWantsStreamUsage(root),
            EstimatedInputTokens = client == ApiFormat.Anthropic && peek.Stream ? CountTokensEstimator.EstimateAnthropicRequest(root) : null,
        };
    }
}
