using Switchboard.Pipeline;

namespace Switchboard.Limits;

/// <summary>
/// What happens once a request is over, before the completion sinks get it: its tokens count toward tokens per
/// minute, its budget reservation becomes its real cost, and a fresh answer goes into the response cache.
/// </summary>
internal static class RequestSettlement
{
    public static void Run(GatewayRequest request)
    {
        if (request.Admission is { } admission && admission.BeginSettle())
        {
            var usage = request.Usage;
            var tokens = request.CacheHit ? 0 : (usage.InputTokens ?? 0) + (usage.OutputTokens ?? 0);
            admission.Engine.Settle(admission, tokens, admission.Budget is null ? 0 : Cost(request, admission));
        }
        request.CacheFill?.Complete(request);
    }

    /// <summary>
    /// The real cost: the answering model's price for the usage the provider reported. A cache hit and a request no
    /// provider answered cost nothing; an answer without usage (a stream cut short) or from an unpriced model is
    /// charged its reservation, so a budget never counts less than was spent.
    /// </summary>
    private static long Cost(GatewayRequest request, Admission admission)
    {
        if (request.CacheHit || request.Upstream is null) return 0;
        var usage = request.Usage;
        if (usage.InputTokens is null && usage.OutputTokens is null) return request.Status is >= 200 and < 300 ? admission.ReservedMicros : 0;
        var candidate = request.Candidate;
        return admission.Prices.TryGet(candidate.Entry, candidate.Model, out var price)
            ? price.Micros(usage.InputTokens ?? 0, usage.OutputTokens ?? 0)
            : admission.ReservedMicros;
    }
}
