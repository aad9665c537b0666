using System.Text.Json;
using Switchboard.Protocols;
using Switchboard.Pipeline.Responses;

namespace Switchboard.Pipeline.Steps;

/// <summary>
/// The candidate's upstream request (<see cref="UpstreamPlan"/>): same API, the client's bytes with the model spliced
/// in; another API, translated from the request's DOM. Content the target cannot take gives way to the next
/// candidate; a field translation cannot read is the client's 400.
/// </summary>
internal sealed class PlanStep : RequestStep
{
    public static readonly PlanStep Instance = new();

    public override ValueTask<StepResult> RunAsync(GatewayRequest request)
    {
        // A body still arriving goes on arriving only toward the client's own API; one that has arrived (or another API)
        // is read whole and checked first, and planned as a buffered one.
        if (request.StreamedBody is { IsChecked: false } streamed && (streamed.IsComplete || request.Endpoint.Api != request.Client || request.StripPriorThinking)) return CompleteThenRunAsync(request);
        return request.OnSocketThreadWithLargeBody && TranslatesThroughDom(request) ? MoveThenRunAsync(request) : Run(request);
    }

    private async ValueTask<StepResult> CompleteThenRunAsync(GatewayRequest request)
    {
        if (await request.StreamedBody!.CompleteAsync(request).ConfigureAwait(false) is { Problem: { } invalid })
            return await request.RejectAsync(400, invalid, ErrorKind.InvalidRequest).ConfigureAwait(false);
        return await RunAsync(request).ConfigureAwait(false);
    }

    /// <summary>
    /// A translation that reads the DOM and writes a new body: for a large one, milliseconds off the socket thread.
    /// Anthropic → Chat Completions is one forward pass (~0.15 ms on a 165 KB body, about what the move itself costs),
    /// so it stays, as passthrough does, up to <see cref="ForwardPassOnSocketMaxBytes"/>; what that pass declines
    /// (images, documents) moves before its DOM path runs (<see cref="UpstreamPlan.Create"/> returns null).
    /// </summary>
    private static bool TranslatesThroughDom(GatewayRequest request) =>
        request.Endpoint.Api != request.Client && !(request.Client == ApiFormat.Responses && request.Endpoint.ServesResponsesApi)
        && !(request.Client == ApiFormat.Anthropic && request.Endpoint.Api == ApiFormat.OpenAI && request.Body!.Length <= ForwardPassOnSocketMaxBytes);

    /// <summary>Above this the forward pass alone takes over a millisecond: the socket thread's other connections would wait.</summary>
    private const int ForwardPassOnSocketMaxBytes = 1024 * 1024;

    private static async ValueTask<StepResult> MoveThenRunAsync(GatewayRequest request, bool forwardDeclined = false)
    {
        await Task.Yield();
        return await Run(request, forwardDeclined).ConfigureAwait(false);
    }

    private static ValueTask<StepResult> Run(GatewayRequest request) => Run(request, forwardDeclined: false);

    /// <summary>A previous_response_id this gateway does not hold: another gateway on the same state.redis may.</summary>
    private static async ValueTask<StepResult> ExpandSharedThenRunAsync(GatewayRequest request, string previous, bool forwardDeclined)
    {
        var lookup = await ResponsesFront.TryExpandSharedAsync(request, previous).ConfigureAwait(false);
        if (lookup.Items is not null) return await Run(request, forwardDeclined).ConfigureAwait(false);
        if (lookup.Unavailable)
        {
            // It may well exist: a retry can find it, where "not found" would send the client to start over.
            return await request.RejectAsync(503, $"Previous response with id '{previous}' could not be looked up: the shared state store (Redis) cannot be reached. Retry, or send the whole conversation as input.",
                ErrorKind.StateUnavailable).ConfigureAwait(false);
        }
        return await request.RejectAsync(400, $"Previous response with id '{previous}' not found: Switchboard keeps responses sent with store: true for an hour (at most 1024 of them in each gateway, and in state.redis when one is configured); send the whole conversation as input instead.",
            ErrorKind.InvalidRequest, code: "previous_response_not_found").ConfigureAwait(false);
    }

    private static ValueTask<StepResult> Run(GatewayRequest request, bool forwardDeclined)
    {
        if (request.Client == ApiFormat.Responses && request.Peek.PreviousResponseId is { } previous && !request.Endpoint.ServesResponsesApi
            && request.PriorItems.IsEmpty && !ResponsesFront.TryExpand(request, previous))
        {
            return ExpandSharedThenRunAsync(request, previous, forwardDeclined);
        }
        try
        {
            if (UpstreamPlan.Create(request, forwardDeclined) is not { } plan) return MoveThenRunAsync(request, forwardDeclined: true);
            request.Plan = plan;
            return new(StepResult.Continue);
        }
        catch (UnsupportedByTargetException ex) when (FallbackDecision.GivesWay(request))
        {
            return new(request.GiveWay(ex.Message));
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonException or FormatException or KeyNotFoundException or ArgumentException)
        {
            // A field of an unexpected shape that only translation looks at: the request's fault, said in its format.
            request.RecordAttempt(AttemptOutcome.Skipped, 0, ex.Message);
            return request.RejectAsync(400, $"the request could not be translated for {request.Candidate.Model}: {ex.Message}", ErrorKind.Untranslatable);
        }
    }
}
