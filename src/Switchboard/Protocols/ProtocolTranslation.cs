using System.Text.Json;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.Gemini;
using Switchboard.Protocols.OpenAIChat;
using Switchboard.Protocols.Responses;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols;

/// <summary>
/// One entry point per translation step, chosen by (client protocol, upstream protocol), so the server never
/// branches on pairs itself. Same-protocol traffic is passthrough and never comes here. Gemini (native generateContent)
/// is an upstream only: there is no Gemini client API.
/// </summary>
internal static class ProtocolTranslation
{
    /// <summary>Whether a client/upstream pair has translators.</summary>
    public static bool CanTranslate(ApiFormat client, ApiFormat upstream) =>
        (client, upstream) is (ApiFormat.Anthropic, ApiFormat.OpenAI) or (ApiFormat.OpenAI, ApiFormat.Anthropic)
            or (ApiFormat.Anthropic, ApiFormat.Gemini) or (ApiFormat.OpenAI, ApiFormat.Gemini)
            or (ApiFormat.Anthropic, ApiFormat.Responses) or (ApiFormat.OpenAI, ApiFormat.Responses)
            || client == ApiFormat.Responses && Responses.ResponsesTranslation.CanTranslateTo(upstream);

    /// <summary>The request body for the target's protocol, and what the response translation must know about it.</summary>
    /// <exception cref="TranslationException">The request is JSON but not of its protocol's shape.</exception>
    public static TranslatedRequest TranslateRequest(ApiFormat client, JsonElement request, TranslationTarget target)
    {
        try
        {
            return TranslateRequestCore(client, request, target);
        }
        catch (Exception ex) when (IsShapeError(ex))
        {
            throw new TranslationException($"the request cannot be translated for {target.Provider} ({target.ModelId}): {ex.Message}", ex);
        }
    }

    /// <summary>
    /// What <see cref="JsonElement"/> throws when a document is not the shape the code expects: a value of another
    /// kind (InvalidOperationException), a missing property (KeyNotFoundException), a number out of range
    /// (FormatException), invalid UTF-16 in a string (InvalidOperationException / ArgumentException).
    /// </summary>
    private static bool IsShapeError(Exception ex) =>
        ex is InvalidOperationException or KeyNotFoundException or FormatException or ArgumentException && ex is not TranslationException;

    /// <summary>
    /// As <see cref="TranslateRequest(ApiFormat, JsonElement, TranslationTarget)"/>, writing the body into
    /// <paramref name="output"/> (a pooled buffer the caller sends from) instead of a new array; returns the tool-name map.
    /// </summary>
    /// <param name="forwardDeclined">The forward pass (<see cref="AnthropicToOpenAIRequest.TryTranslateForward"/>) already declined this request: go straight to the DOM path.</param>
    public static ToolNameMap? TranslateRequest(ApiFormat client, JsonElement request, TranslationTarget target, PooledBufferWriter output, bool forwardDeclined = false)
    {
        try
        {
            if (request.ValueKind != JsonValueKind.Object) throw new TranslationException("the request must be a JSON object.");
            switch (client, target.Api)
            {
                case (ApiFormat.Anthropic, ApiFormat.OpenAI):
                    return forwardDeclined
                        ? AnthropicToOpenAIRequest.TranslateWithDom(request, target, output)
                        : AnthropicToOpenAIRequest.Translate(request, target, output);
                case (ApiFormat.OpenAI, ApiFormat.Anthropic):
                    OpenAIToAnthropicRequest.Translate(request, target, output);
                    return null;
                default:
                    var translated = TranslateRequestCore(client, request, target);
                    output.Write(translated.Body);
                    return translated.ToolNames;
            }
        }
        catch (Exception ex) when (IsShapeError(ex))
        {
            throw new TranslationException($"the request cannot be translated for {target.Provider} ({target.ModelId}): {ex.Message}", ex);
        }
    }

    private static TranslatedRequest TranslateRequestCore(ApiFormat client, JsonElement request, TranslationTarget target)
    {
        if (request.ValueKind != JsonValueKind.Object) throw new TranslationException("the request must be a JSON object.");
        switch (client, target.Api)
        {
            case (ApiFormat.Anthropic, ApiFormat.OpenAI):
                byte[] body = AnthropicToOpenAIRequest.Translate(request, target, out ToolNameMap? toolNames);
                return new TranslatedRequest(body, toolNames);
            case (ApiFormat.OpenAI, ApiFormat.Anthropic):
                return new TranslatedRequest(OpenAIToAnthropicRequest.Translate(request, target), null);
            case (ApiFormat.Anthropic, ApiFormat.Gemini):
                byte[] fromAnthropic = GeminiRequest.FromAnthropic(request, target, out ToolNameMap? anthropicNames);
                return new TranslatedRequest(fromAnthropic, anthropicNames);
            case (ApiFormat.OpenAI, ApiFormat.Gemini):
                byte[] fromOpenAI = GeminiRequest.FromOpenAI(request, target, out ToolNameMap? openAINames);
                return new TranslatedRequest(fromOpenAI, openAINames);
            case (ApiFormat.OpenAI, ApiFormat.Responses):
                return new TranslatedRequest(ChatToResponsesUpstreamRequest.Translate(request, target), null);
            case (ApiFormat.Anthropic, ApiFormat.Responses):
                // Through the Chat form (the pivot): Anthropic → Chat keeps the Responses reasoning carried in thinking signatures.
                byte[] chat = AnthropicToOpenAIRequest.Translate(request, target, out ToolNameMap? chatNames);
                using (JsonDocument pivot = JsonDocument.Parse(chat))
                    return new TranslatedRequest(ChatToResponsesUpstreamRequest.Translate(pivot.RootElement, target), chatNames);
            case (ApiFormat.Responses, _) when Responses.ResponsesTranslation.CanTranslateTo(target.Api):
                return Responses.ResponsesTranslation.TranslateRequest(request, target);
            default:
                throw Unsupported(client, target.Api);
        }
    }

    /// <summary>A non-streamed upstream response body in the client's protocol.</summary>
    /// <param name="clientModel">The model name the client sees; null keeps the upstream's.</param>
    /// <param name="toolNames">From <see cref="TranslatedRequest.ToolNames"/>.</param>
    /// <exception cref="TranslationException">The response is JSON but not of its protocol's shape.</exception>
    /// <param name="responsesTools">Responses clients: from <see cref="TranslatedRequest.ResponsesTools"/>.</param>
    public static byte[] TranslateResponse(ApiFormat client, ApiFormat upstream, JsonElement response, string? clientModel,
        out TokenUsage usage, ToolNameMap? toolNames = null, ResponsesToolMap? responsesTools = null)
    {
        try
        {
            if (response.ValueKind != JsonValueKind.Object) throw new TranslationException("the response must be a JSON object.");
            return (client, upstream) switch
            {
                (ApiFormat.Anthropic, ApiFormat.OpenAI) => OpenAIToAnthropicResponse.Translate(response, clientModel, out usage, toolNames),
                (ApiFormat.OpenAI, ApiFormat.Anthropic) => AnthropicToOpenAIResponse.Translate(response, clientModel, out usage),
                (ApiFormat.Anthropic, ApiFormat.Gemini) => GeminiResponse.ToAnthropic(response, clientModel, out usage, toolNames),
                (ApiFormat.OpenAI, ApiFormat.Gemini) => GeminiResponse.ToOpenAI(response, clientModel, out usage, toolNames),
                (ApiFormat.OpenAI, ApiFormat.Responses) => ResponsesUpstreamResponse.ToChat(response, clientModel, out usage),
                (ApiFormat.Anthropic, ApiFormat.Responses) => ResponsesUpstreamResponse.ToAnthropic(response, clientModel, out usage, toolNames),
                (ApiFormat.Responses, _) when Responses.ResponsesTranslation.CanTranslateTo(upstream) =>
                    Responses.ResponsesTranslation.TranslateResponse(upstream, response, clientModel, out usage, toolNames, responsesTools),
                _ => throw Unsupported(client, upstream),
            };
        }
        catch (Exception ex) when (IsShapeError(ex))
        {
            throw new TranslationException($"the {upstream} response cannot be translated: {ex.Message}", ex);
        }
    }

    /// <summary>A fresh translator for one streamed response.</summary>
    /// <param name="clientModel">The model name the client sees in the stream.</param>
    /// <param name="clientWantsUsage">OpenAI clients: the request had <c>stream_options.include_usage</c> (see <see cref="OpenAIToAnthropicRequest.ClientWantsStreamUsage"/>).</param>
    /// <param name="estimatedInputTokens">Anthropic clients: input tokens for message_start (e.g. <see cref="CountTokensEstimator"/>).</param>
    /// <param name="toolNames">From <see cref="TranslatedRequest.ToolNames"/>.</param>
    /// <remarks>
    /// <see cref="IStreamTranslator.OnEvent"/> throws <see cref="JsonException"/> (a <see cref="TranslationException"/>
    /// when the event is JSON of the wrong shape) for an event it cannot read; the caller then ends the stream with
    /// <see cref="IStreamTranslator.OnFailed"/>, as <see cref="SseEventPump"/> does.
    /// </remarks>
    /// <param name="responsesTools">Responses clients: from <see cref="TranslatedRequest.ResponsesTools"/>.</param>
    public static IStreamTranslator CreateStreamTranslator(ApiFormat client, ApiFormat upstream, string clientModel,
        bool clientWantsUsage = false, long? estimatedInputTokens = null, ToolNameMap? toolNames = null, ResponsesToolMap? responsesTools = null) =>
        new ShapeCheckedStream((client, upstream) switch
        {
            (ApiFormat.Anthropic, ApiFormat.OpenAI) => new OpenAIToAnthropicStream(clientModel, estimatedInputTokens: estimatedInputTokens, toolNames: toolNames),
            (ApiFormat.OpenAI, ApiFormat.Anthropic) => new AnthropicToOpenAIStream(clientModel, clientWantsUsage),
            (ApiFormat.Anthropic, ApiFormat.Gemini) => new GeminiToAnthropicStream(clientModel, estimatedInputTokens: estimatedInputTokens, toolNames: toolNames),
            (ApiFormat.OpenAI, ApiFormat.Gemini) => new GeminiToOpenAIStream(clientModel, clientWantsUsage, toolNames: toolNames),
            (ApiFormat.OpenAI, ApiFormat.Responses) => new ResponsesUpstreamStreamReader(clientModel, clientWantsUsage),
            (ApiFormat.Anthropic, ApiFormat.Responses) => new ResponsesUpstreamToAnthropicStream(clientModel, estimatedInputTokens: estimatedInputTokens, toolNames: toolNames),
            (ApiFormat.Responses, _) when Responses.ResponsesTranslation.CanTranslateTo(upstream) =>
                Responses.ResponsesTranslation.CreateStreamTranslator(upstream, clientModel, toolNames, responsesTools),
            _ => throw Unsupported(client, upstream),
        });

    /// <summary>The translator inside the shape check.</summary>
    internal static IStreamTranslator Unwrap(IStreamTranslator translator) => translator is ShapeCheckedStream checkedStream ? checkedStream.Inner : translator;

    /// <summary>Turns an upstream event of the wrong shape into the documented <see cref="TranslationException"/>.</summary>
    private sealed class ShapeCheckedStream(IStreamTranslator inner) : IStreamTranslator
    {
        public IStreamTranslator Inner => inner;

        public TokenUsage Usage => inner.Usage;

        public void OnEvent(string? eventType, ReadOnlySpan<byte> data, System.Buffers.IBufferWriter<byte> output)
        {
            try
            {
                inner.OnEvent(eventType, data, output);
            }
            catch (Exception ex) when (IsShapeError(ex))
            {
                throw new TranslationException($"the upstream's '{eventType ?? "message"}' event cannot be translated: {ex.Message}", ex);
            }
        }

        public bool OnCompleted(System.Buffers.IBufferWriter<byte> output) => inner.OnCompleted(output);

        public void OnFailed(string message, System.Buffers.IBufferWriter<byte> output) => inner.OnFailed(message, output);
    }

    private static NotSupportedException Unsupported(ApiFormat client, ApiFormat upstream) =>
        new($"No translation from {client} clients to {upstream} upstreams.");
}

/// <summary>A translated request body, and the tool-name map its response translation needs (null when unused).</summary>
internal sealed record TranslatedRequest(byte[] Body, ToolNameMap? ToolNames)
{
    /// <summary>Responses clients: which upstream functions stand for custom, namespace or local-shell tools.</summary>
    public ResponsesToolMap? ResponsesTools { get; init; }

    /// <summary>Responses clients: hosted tools left out because the upstream cannot run them (for the log).</summary>
    public IReadOnlyList<string>? DroppedTools { get; init; }
}
