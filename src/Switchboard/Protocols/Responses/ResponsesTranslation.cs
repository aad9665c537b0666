using System.Buffers;
using System.Text.Json;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.Responses;

/// <summary>
/// Responses API clients toward each upstream protocol, through the Chat form (the gateway's pivot): the request is
/// translated to Chat once, then on by the existing Chat translators; the answer comes back the same way. Toward
/// Anthropic, the request (the shapes Codex sends) and a whole answer go in one step each
/// (<see cref="ResponsesToAnthropicRequest"/>, <see cref="AnthropicToResponsesResponse"/>), with the pivot's result.
/// Called by <see cref="ProtocolTranslation"/> for <see cref="ApiFormat.Responses"/> clients.
/// </summary>
internal static class ResponsesTranslation
{
    public static bool CanTranslateTo(ApiFormat upstream) => upstream is ApiFormat.OpenAI or ApiFormat.Anthropic or ApiFormat.Gemini;

    public static TranslatedRequest TranslateRequest(JsonElement request, TranslationTarget target, ReadOnlyMemory<byte> prior = default)
    {
        if (target.Api == ApiFormat.Anthropic && prior.IsEmpty)
        {
            var buffer = ScratchBuffer.Rent();
            if (ResponsesToAnthropicRequest.TryTranslate(request, target, buffer, out var directTools, out var directDropped))
                return new TranslatedRequest(ScratchBuffer.ToArrayAndReturn(buffer), null) { ResponsesTools = directTools, DroppedTools = directDropped };
            ScratchBuffer.Return(buffer);
        }
        return TranslateThroughChat(request, target, prior);
    }

    /// <summary>Through the Chat form: what every upstream gets, and Anthropic for the shapes <see cref="ResponsesToAnthropicRequest"/> declines.</summary>
    internal static TranslatedRequest TranslateThroughChat(JsonElement request, TranslationTarget target, ReadOnlyMemory<byte> prior = default)
    {
        var chat = ResponsesToChatRequest.Translate(request, out var tools, out var dropped, target.ModelId, target.MaxOutputTokens, prior);
        if (target.Api == ApiFormat.OpenAI)
            return new TranslatedRequest(chat, null) { ResponsesTools = tools, DroppedTools = dropped };
        using var document = JsonDocument.Parse(chat);
        var onward = ProtocolTranslation.TranslateRequest(ApiFormat.OpenAI, document.RootElement, target);
        return onward with { ResponsesTools = tools, DroppedTools = dropped };
    }

    public static byte[] TranslateResponse(ApiFormat upstream, JsonElement response, string? clientModel, out TokenUsage usage, ToolNameMap? toolNames, ResponsesToolMap? tools) => upstream switch
    {
        ApiFormat.OpenAI => ChatToResponsesResponse.Translate(response, clientModel, tools, out usage),
        ApiFormat.Anthropic => AnthropicToResponsesResponse.Translate(response, clientModel, tools, out usage),
        _ => TranslateResponseThroughChat(upstream, response, clientModel, out usage, toolNames, tools),
    };

    /// <summary>Through the Chat form: Gemini's answers (and what <see cref="AnthropicToResponsesResponse"/> is checked against).</summary>
    internal static byte[] TranslateResponseThroughChat(ApiFormat upstream, JsonElement response, string? clientModel, out TokenUsage usage, ToolNameMap? toolNames, ResponsesToolMap? tools)
    {
        var chat = ProtocolTranslation.TranslateResponse(ApiFormat.OpenAI, upstream, response, clientModel, out usage, toolNames);
        using var document = JsonDocument.Parse(chat);
        var result = ChatToResponsesResponse.Translate(document.RootElement, clientModel, tools, out var chatUsage);
        usage = chatUsage.InputTokens is null && chatUsage.OutputTokens is null ? usage : chatUsage;
        return result;
    }

    /// <summary>The Responses events writer at the end of a translator chain (for the state store), or null.</summary>
    public static ChatStreamToResponsesEvents? EventsOf(IStreamTranslator translator) => ProtocolTranslation.Unwrap(translator) switch
    {
        ChatStreamToResponsesEvents events => events,
        AnthropicToResponsesStream fromAnthropic => fromAnthropic.Events,
        ChainedStreamTranslator { Second: ChatStreamToResponsesEvents events } => events,
        _ => null,
    };

    public static IStreamTranslator CreateStreamTranslator(ApiFormat upstream, string clientModel, ToolNameMap? toolNames, ResponsesToolMap? tools)
    {
        if (upstream == ApiFormat.Anthropic) return new AnthropicToResponsesStream(clientModel, tools);
        return CreateChainedStreamTranslator(upstream, clientModel, toolNames, tools);
    }

    /// <summary>Through the Chat form: Gemini's streams (and what <see cref="AnthropicToResponsesStream"/> is checked against).</summary>
    internal static IStreamTranslator CreateChainedStreamTranslator(ApiFormat upstream, string clientModel, ToolNameMap? toolNames, ResponsesToolMap? tools)
    {
        var events = new ChatStreamToResponsesEvents(clientModel, tools);
        if (upstream == ApiFormat.OpenAI) return events;
        return new ChainedStreamTranslator(ProtocolTranslation.CreateStreamTranslator(ApiFormat.OpenAI, upstream, clientModel, clientWantsUsage: true, toolNames: toolNames), events);
    }
}

/// <summary>
/// Two stream translators in a row: the first's SSE output (Chat chunks) is parsed and fed to the second. The
/// intermediate buffer is reused for the whole stream, so the chain adds copies, not allocations.
/// </summary>
internal sealed class ChainedStreamTranslator(IStreamTranslator first, IStreamTranslator second) : IStreamTranslator
{
    private readonly ArrayBufferWriter<byte> _between = new(4096);

    public TokenUsage Usage => second.Usage.InputTokens is null && second.Usage.OutputTokens is null ? first.Usage : second.Usage;

    public IStreamTranslator Second => second;

    public void OnEvent(string? eventType, ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        _between.ResetWrittenCount();
        first.OnEvent(eventType, data, _between);
        Forward(output);
    }

    public bool OnCompleted(IBufferWriter<byte> output)
    {
        _between.ResetWrittenCount();
        var whole = first.OnCompleted(_between);
        Forward(output);
        // A truncated first stream wrote its error chunk, which the second turned into response.failed.
        return second.OnCompleted(output) && whole;
    }

    public void OnFailed(string message, IBufferWriter<byte> output) => second.OnFailed(message, output);

    /// <summary>Hands each complete <c>data:</c> event in the buffer to the second translator.</summary>
    private void Forward(IBufferWriter<byte> output)
    {
        var rest = _between.WrittenSpan;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\n\n"u8);
            var frame = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 2)..];
            ReadOnlySpan<byte> data = default;
            while (!frame.IsEmpty)
            {
                var lineEnd = frame.IndexOf((byte)'\n');
                var line = lineEnd < 0 ? frame : frame[..lineEnd];
                frame = lineEnd < 0 ? default : frame[(lineEnd + 1)..];
                if (line.StartsWith("data: "u8)) data = line[6..];
                else if (line.StartsWith("data:"u8)) data = line[5..];
            }
            // Chat chunks carry no event: lines; the data is all the second translator reads.
            if (!data.IsEmpty) second.OnEvent(null, data, output);
        }
    }
}
