using System.Net;
using Switchboard.Providers;

namespace Switchboard.Pipeline;

/// <summary>
/// The fallback loop's rules: when a candidate that cannot answer gives way to the next one, and what the client gets
/// when none is left. A candidate gives way while another comes after it, or when an earlier candidate's 429 is held:
/// then the client gets that 429 (its retry-after counting down) rather than the last failure.
/// </summary>
internal static class FallbackDecision
{
    /// <summary>A candidate that cannot be sent (no key, content its API cannot take) gives way?</summary>
    public static bool GivesWay(bool isLast, bool holdsRateLimit) => !isLast || holdsRateLimit;

    /// <summary>
    /// A candidate with no response after its retries gives way? Also the last one when it is cooling down after a 429:
    /// that 429 is then the answer.
    /// </summary>
    public static bool GivesWay(UpstreamException failure, bool isLast, bool holdsRateLimit) =>
        GivesWay(isLast, holdsRateLimit) || failure.RateLimit is not null;

    /// <summary>
    /// A candidate whose response after retries is a failure a fallback may mend gives way? The last candidate's
    /// answer is relayed as it is, unless an earlier candidate's 429 says more than its failure (its own 429 is that, live).
    /// </summary>
    public static bool GivesWay(HttpStatusCode status, bool isRateLimit, bool isLast, bool holdsRateLimit) =>
        ProviderResilience.IsTransientStatus(status) && (!isLast || (holdsRateLimit && !isRateLimit));

    public static bool GivesWay(GatewayRequest request) => GivesWay(request.IsLastCandidate, request.RateLimited is not null);

    /// <summary>
    /// The current candidate gave way: true to go on with the next one (logged); with none left, the client gets the
    /// held 429, and false.
    /// </summary>
    public static async ValueTask<bool> NextAsync(GatewayRequest request)
    {
        var skipped = request.Candidate;
        var reason = request.SkipReason ?? "no answer";
        if (!request.IsLastCandidate)
        {
            request.BeginCandidate(request.CandidateIndex + 1);
            PipelineLog.FallbackSkipped(request.Logger, request.Id, skipped.Model, reason, request.Candidate.Model);
            return true;
        }
        var held = request.RateLimited!;
        PipelineLog.UpstreamFailed(request.Logger, request.Id, held.Candidate.Entry.Provider,
            $"no candidate could answer (last: {skipped.Model}: {reason}); answering with {held.Candidate.Model}'s HTTP 429");
        request.AnswerWith(held.Candidate);
        await UpstreamCall.WriteRateLimitAsync(request, held.Notice, held.UpstreamApi).ConfigureAwait(false);
        return false;
    }
}
