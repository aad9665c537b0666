using System.Runtime.CompilerServices;
using Switchboard.Pipeline.Relays;
using Switchboard.Providers;

namespace Switchboard.Pipeline.Steps;

/// <summary>
/// Sends the plan through the candidate's resilience pipeline (retries, its breaker, its endpoint's, a 429 cooldown)
/// up to the response headers. No response, or a failure a fallback may mend, gives way to the next candidate
/// (<see cref="FallbackDecision"/>); a 429 is held for when none answers.
/// </summary>
internal sealed class SendStep : RequestStep
{
    public static readonly SendStep Instance = new();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<StepResult> RunAsync(GatewayRequest request)
    {
        var candidate = request.Candidate;
        var endpoint = request.Endpoint;
        var isLast = request.IsLastCandidate;
        HttpResponseMessage upstream;
        request.StartAttempt();
        try
        {
            upstream = await endpoint.ResilienceFor(candidate.ModelId).ExecuteAsync(request.SendAttempt, hasFallback: !isLast, request.Aborted).ConfigureAwait(false);
        }
        catch (StreamedBodyException ex)
        {
            return await StreamedBodyStoppedAsync(request, ex).ConfigureAwait(false);
        }
        catch (UpstreamException ex)
        {
            if (!FallbackDecision.GivesWay(ex, isLast, request.RateLimited is not null))
            {
                request.RecordAttempt(AttemptOutcome.Failed, 0, ex.Message);
                throw;
            }
            if (ex.RateLimit is { } notice) request.RateLimited ??= new HeldRateLimit(candidate, notice, endpoint.Api);
            return request.GiveWay(ex.Message, AttemptOutcome.Failed);
        }

        if (request.StreamedBody is { } streamed)
        {
            StreamedRequestBody.Verdict verdict;
            try
            {
                verdict = await streamed.CompleteAsync(request).ConfigureAwait(false);
            }
            catch
            {
                upstream.Dispose(); // not the request's yet: nothing else would close it (an HTTP/2 stream slot)
                throw;
            }
            if (verdict.Problem is { } invalid)
            {
                // The provider answered before the body was whole (an early error): the client still gets its 400.
                upstream.Dispose();
                return await request.RejectAsync(400, invalid, ErrorKind.InvalidRequest).ConfigureAwait(false);
            }
        }
        var status = upstream.StatusCode;
        var isRateLimit = RateLimitNotice.IsRateLimit(upstream);
        if (FallbackDecision.GivesWay(status, isRateLimit, isLast, request.RateLimited is not null))
        {
            using (upstream)
            {
                if (isRateLimit)
                    request.RateLimited ??= new HeldRateLimit(candidate,
                        await RateLimitNotice.ReadAsync(upstream, request.Snapshot.Relay.StreamIdleTimeout, TimeProvider.System, request.Aborted).ConfigureAwait(false), endpoint.Api);
            }
            return request.GiveWay($"HTTP {(int)status} after retries", AttemptOutcome.Failed, (int)status);
        }
        request.Upstream = upstream;
        return StepResult.Continue;
    }

    /// <summary>A body forwarded as it arrived stopped before its end on purpose (the provider saw an incomplete request).</summary>
    private async ValueTask<StepResult> StreamedBodyStoppedAsync(GatewayRequest request, StreamedBodyException stopped)
    {
        switch (stopped.Failure)
        {
            case StreamedBodyFailure.Invalid:
                return await request.RejectAsync(400, stopped.Message, ErrorKind.InvalidRequest).ConfigureAwait(false);
            case StreamedBodyFailure.SendWhole:
                // An edit the held tail could not take: the whole body, planned and sent as a buffered one.
                request.Plan = UpstreamPlan.Create(request);
                return await RunAsync(request).ConfigureAwait(false);
            default:
                if (request.Aborted.IsCancellationRequested) throw new OperationCanceledException(request.Aborted);
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(stopped.InnerException ?? stopped);
                throw stopped;
        }
    }
}
