using System.Runtime.CompilerServices;
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
}
