using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchboard.Protocols;
using Switchboard.Providers;

namespace Switchboard.Pipeline.Relays;

/// <summary>Cross-protocol success: the upstream's response translated into the client's protocol, streamed or not.</summary>
internal static class TranslatingRelay
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask RelayAsync(GatewayRequest request)
    {
        var upstream = request.Upstream!;
        var endpoint = request.Endpoint;
        var plan = request.Plan!;
        var options = request.Snapshot.Relay;
        var aborted = request.Aborted;
        var response = request.Response;

        if (UpstreamCall.IsEventStream(upstream))
        {
            request.Stream = true;
            response.StatusCode = 200;
            response.ContentType = "text/event-stream; charset=utf-8";
            var translator = ProtocolTranslation.CreateStreamTranslator(request.Client, endpoint.Api, plan.ModelId, plan.ClientWantsUsage, plan.EstimatedInputTokens, plan.ToolNames, plan.ResponsesTools);
            await using var client = await ClientEventStream.StartAsync(request.Context, request.Client, options.StreamKeepAlive, aborted).ConfigureAwait(false);
            await using var stream = new IdleTimeoutStream(await upstream.Content.ReadAsStreamAsync(aborted).ConfigureAwait(false), options.StreamIdleTimeout, aborted);
            var result = await SseEventPump.PumpAsync(stream, translator, client.WriteAsync, aborted).ConfigureAwait(false);
            request.Usage = translator.Usage;
            if (request.Client == ApiFormat.Responses && result.Outcome == SsePumpOutcome.Completed) Responses.ResponsesFront.Remember(request, translator);
            switch (result.Outcome)
            {
                case SsePumpOutcome.Truncated:
                    PipelineLog.StreamTruncated(request.Logger, request.Id, endpoint.Name, StreamEnd.Missing(endpoint.Api), result.EventCount, "events");
                    request.Fail(ErrorKind.StreamTruncated, $"upstream stream ended before its final event ({StreamEnd.Missing(endpoint.Api)}) after {result.EventCount} events");
                    break;
                case SsePumpOutcome.UpstreamFailed:
                    PipelineLog.StreamBroken(request.Logger, request.Id, endpoint.Name, result.EventCount, result.Error?.Message ?? "unknown");
                    request.Fail(ErrorKind.StreamBroken, $"upstream stream broke after {result.EventCount} events: {result.Error?.Message}");
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
            translated = ProtocolTranslation.TranslateResponse(request.Client, endpoint.Api, document.RootElement, null, out usage, plan.ToolNames, plan.ResponsesTools);
        }
        catch (TranslationException ex)
        {
            throw new UpstreamException(UpstreamFailureKind.Unreachable, endpoint.Name, $"provider '{endpoint.Name}' answered with a body Switchboard could not translate: {ex.Message}");
        }
        catch (JsonException ex)
        {
            throw new UpstreamException(UpstreamFailureKind.Unreachable, endpoint.Name, $"provider '{endpoint.Name}' answered with a body that is not JSON: {ex.Message}");
        }
        request.Usage = usage;
        if (request.Client == ApiFormat.Responses) Responses.ResponsesFront.Remember(request, translated);
        if (plan.ClientAskedStream)
        {
            // The upstream ignored stream:true: still give the client the stream it asked for.
            await WriteAsSingleEventStreamAsync(request, translated, plan).ConfigureAwait(false);
            return;
        }
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.ContentLength = translated.Length;
        await response.Body.WriteAsync(translated, aborted).ConfigureAwait(false);
    }

    /// <summary>Replays a whole translated response as the client protocol's event stream.</summary>
    private static async Task WriteAsSingleEventStreamAsync(GatewayRequest request, byte[] clientResponse, UpstreamPlan plan)
    {
        var response = request.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        var frames = StreamReplay.FromResponse(request.Client, clientResponse, plan.ClientWantsUsage);
        await response.Body.WriteAsync(frames, request.Aborted).ConfigureAwait(false);
    }
}
