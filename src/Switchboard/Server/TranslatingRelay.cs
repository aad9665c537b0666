using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Protocols;
using Switchboard.Protocols.Translation;
using Switchboard.Providers;

namespace Switchboard.Server;

/// <summary>Cross-protocol answer: the upstream's response translated into the client's protocol, streamed or not.</summary>
internal static class TranslatingRelay
{
    public static async Task RelayResponseAsync(HttpContext context, ProviderEndpoint endpoint, HttpResponseMessage upstream, UpstreamPlan plan,
        RequestRecord record, RelayOptions options, ILogger logger, CancellationToken aborted)
    {
        var response = context.Response;
        UpstreamCall.CopyUsefulHeaders(upstream, response);
        if (!upstream.IsSuccessStatusCode)
        {
            await UpstreamCall.RelayErrorAsync(context, upstream, record, options, aborted).ConfigureAwait(false);
            return;
        }

        if (UpstreamCall.IsEventStream(upstream))
        {
            record.Stream = true;
            response.StatusCode = 200;
            response.ContentType = "text/event-stream; charset=utf-8";
            var translator = ProtocolTranslation.CreateStreamTranslator(record.Client, endpoint.Api, plan.ModelId, plan.ClientWantsUsage, plan.EstimatedInputTokens, plan.ToolNames);
            await using var client = await ClientEventStream.StartAsync(context, record.Client, options.StreamKeepAlive, aborted).ConfigureAwait(false);
            await using var stream = new IdleTimeoutStream(await upstream.Content.ReadAsStreamAsync(aborted).ConfigureAwait(false), options.StreamIdleTimeout, aborted);
            var result = await SseEventPump.PumpAsync(stream, translator, client.WriteAsync, aborted).ConfigureAwait(false);
            record.Usage = translator.Usage;
            switch (result.Outcome)
            {
                case SsePumpOutcome.Truncated:
                    GatewayLog.StreamTruncated(logger, record.RequestId, endpoint.Name, StreamEnd.Missing(endpoint.Api), result.EventCount, "events");
                    record.Error = $"upstream stream ended before its final event ({StreamEnd.Missing(endpoint.Api)}) after {result.EventCount} events";
                    break;
                case SsePumpOutcome.UpstreamFailed:
                    GatewayLog.StreamBroken(logger, record.RequestId, endpoint.Name, result.EventCount, result.Error?.Message ?? "unknown");
                    record.Error = $"upstream stream broke after {result.EventCount} events: {result.Error?.Message}";
                    break;
                case SsePumpOutcome.Cancelled or SsePumpOutcome.ClientFailed:
                    aborted.ThrowIfCancellationRequested();
                    throw new OperationCanceledException("the client went away", result.Error, aborted);
            }
            return;
        }

        using var body = await UpstreamCall.ReadPooledAsync(upstream.Content, Array.MaxLength - 1, endpoint.Name, options.StreamIdleTimeout, aborted).ConfigureAwait(false);
        byte[] translated;
        TokenUsage usage;
        try
        {
            using var document = JsonDocument.Parse(body.Memory);
            translated = ProtocolTranslation.TranslateResponse(record.Client, endpoint.Api, document.RootElement, null, out usage, plan.ToolNames);
        }
        catch (TranslationException ex)
        {
            throw new UpstreamException(UpstreamFailureKind.Unreachable, endpoint.Name, $"provider '{endpoint.Name}' answered with a body Switchboard could not translate: {ex.Message}");
        }
        catch (JsonException ex)
        {
            throw new UpstreamException(UpstreamFailureKind.Unreachable, endpoint.Name, $"provider '{endpoint.Name}' answered with a body that is not JSON: {ex.Message}");
        }
        record.Usage = usage;
        if (plan.ClientAskedStream)
        {
            // The upstream ignored stream:true: still give the client the stream it asked for.
            await WriteAsSingleEventStreamAsync(context, record, translated, plan, aborted).ConfigureAwait(false);
            return;
        }
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.ContentLength = translated.Length;
        await response.Body.WriteAsync(translated, aborted).ConfigureAwait(false);
    }

    /// <summary>Replays a whole translated response as the client protocol's event stream.</summary>
    private static async Task WriteAsSingleEventStreamAsync(HttpContext context, RequestRecord record, byte[] clientResponse, UpstreamPlan plan, CancellationToken aborted)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        var frames = StreamReplay.FromResponse(record.Client, clientResponse, plan.ClientWantsUsage);
        await response.Body.WriteAsync(frames, aborted).ConfigureAwait(false);
    }
}
