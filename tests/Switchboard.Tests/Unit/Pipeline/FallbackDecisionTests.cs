using System.Net;
using Switchboard.Pipeline;
using Switchboard.Providers;

namespace Switchboard.Tests.Unit.Pipeline;

[Trait("Kind", "Unit")]
public sealed class FallbackDecisionTests
{
    [Theory]
    [InlineData(false, false, true)] // another candidate comes after it
    [InlineData(true, false, false)] // the last one: its own failure is the answer
    [InlineData(true, true, true)]   // the last one, with an earlier 429 held: that 429 answers
    public void A_candidate_that_cannot_be_sent_gives_way_while_something_can_answer(bool isLast, bool holdsRateLimit, bool givesWay) =>
        Assert.Equal(givesWay, FallbackDecision.GivesWay(isLast, holdsRateLimit));

    [Theory]
    [InlineData(UpstreamFailureKind.Unreachable, false, false, false, true)]
    [InlineData(UpstreamFailureKind.Unreachable, false, true, false, false)]
    [InlineData(UpstreamFailureKind.CircuitOpen, false, true, true, true)]
    [InlineData(UpstreamFailureKind.RateLimited, true, true, false, true)] // the last one is cooling down after a 429: it is held, and answers
    public void A_candidate_without_a_response_gives_way(UpstreamFailureKind kind, bool coolingDown, bool isLast, bool holdsRateLimit, bool givesWay)
    {
        var failure = new UpstreamException(kind, "p", "no answer") { RateLimit = coolingDown ? new RateLimitNotice(Array.Empty<byte>(), null, TimeProvider.System) : null };
        Assert.Equal(givesWay, FallbackDecision.GivesWay(failure, isLast, holdsRateLimit));
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, false, false, false, true)]  // a failure a fallback may mend, and there is one
    [InlineData(HttpStatusCode.ServiceUnavailable, false, true, false, false)]  // the last one's failure is relayed as it is
    [InlineData(HttpStatusCode.ServiceUnavailable, false, true, true, true)]    // ... unless an earlier 429 says more
    [InlineData(HttpStatusCode.TooManyRequests, true, true, true, false)]       // the last one's own 429 is that, live
    [InlineData(HttpStatusCode.TooManyRequests, true, false, false, true)]
    [InlineData(HttpStatusCode.BadRequest, false, false, false, false)]         // the request's own fault: no fallback mends it
    [InlineData(HttpStatusCode.OK, false, false, true, false)]
    public void A_response_gives_way_only_when_a_fallback_may_mend_it(HttpStatusCode status, bool isRateLimit, bool isLast, bool holdsRateLimit, bool givesWay) =>
        Assert.Equal(givesWay, FallbackDecision.GivesWay(status, isRateLimit, isLast, holdsRateLimit));
}
