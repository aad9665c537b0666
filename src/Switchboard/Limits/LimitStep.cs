using Switchboard.Models;
using System.Runtime.CompilerServices;
using Switchboard.Config;
using Switchboard.Pipeline;
using Switchboard.Providers;

namespace Switchboard.Limits;

/// <summary>
/// After the model is chosen: the gateway key's and the model entry's rate limits, and the key's budget. Past a limit
/// is a 429 in the client's format with retry-after and a message naming the limit. The budget reserves the request's
/// worst-case cost (prompt estimate + max output tokens at the dearest candidate's price) before anything is sent;
/// the request settles to its real cost once over (<see cref="Admission.Finish"/>). Requests with no limits pass at
/// the cost of two null checks.
/// </summary>
internal sealed class LimitStep(ILimitState state) : RequestStep
{
    /// <summary>Output tokens reserved for when neither the request, the entry nor the model's known limits say.</summary>
    internal const int DefaultMaxOutputTokens = 32_000;

    public override ValueTask<StepResult> RunAsync(GatewayRequest request)
    {
        var key = request.Caller?.Key;
        var entry = request.Selection!.Entry;
        if ((key is null || (key.RateLimit is null && key.Budget is null)) && entry.RateLimit is null) return new(StepResult.Continue);
        return AdmitAsync(request, key, entry);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<StepResult> AdmitAsync(GatewayRequest request, GatewayKey? key, ModelEntry entry)
    {
        var policy = key is null ? null : state.PolicyOf(key);
        var model = state.LimitsOf(entry);
        var admission = new Admission
        {
            KeyRequests = policy?.Limits?.Requests,
            KeyTokens = policy?.Limits?.Tokens,
            ModelRequests = model.Requests,
            ModelTokens = model.Tokens,
            Budget = policy?.Budget,
            Prices = state.Prices,
        };
        if (admission.Budget is { } budget)
        {
            if (WorstCase(request, out var unpriced) is not { } reserve)
                return await request.RejectAsync(403, $"Switchboard: gateway key '{budget.KeyName}' has a budget, and model {unpriced} has no price to hold it to. Add pricing to its model entry.",
                    ErrorKind.Forbidden, code: "model_not_priced").ConfigureAwait(false);
            admission.ReservedMicros = reserve;
        }
        admission.Engine = state.EngineFor(request.Snapshot);
        var verdict = await admission.Engine.AdmitAsync(admission, request.Aborted).ConfigureAwait(false);
        switch (verdict.Outcome)
        {
            case LimitOutcome.Admitted:
                request.OnFinished(admission);
                return StepResult.Continue;
            case LimitOutcome.Unavailable when request.Snapshot.Config.State.OnUnavailable == StateUnavailable.Open:
                return StepResult.Continue; // configured to let requests through, unlimited, while the store is away
            case LimitOutcome.Unavailable:
                return await request.RejectAsync(503, verdict.Message!, ErrorKind.StateUnavailable).ConfigureAwait(false);
            default:
                if (verdict.RetryAfterSeconds > 0) request.Response.Headers.RetryAfter = verdict.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return await request.RejectAsync(429, verdict.Message!, verdict.Outcome == LimitOutcome.BudgetExhausted ? ErrorKind.BudgetExhausted : ErrorKind.GatewayRateLimited,
                    code: verdict.Outcome == LimitOutcome.BudgetExhausted ? "budget_exhausted" : "rate_limit_exceeded").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The most the request can cost, in micro-dollars: a prompt of one token per 3 bytes of body (more than any
    /// tokenizer counts for JSON) and the full output allowance, at the dearest candidate's price. Null when the chosen
    /// model has no price.
    /// </summary>
    private long? WorstCase(GatewayRequest request, out string? unpriced)
    {
        unpriced = null;
        var prompt = (request.Body?.Length ?? 0) / 3 + 1;
        long worst = 0;
        for (var i = 0; i < request.CandidateCount; i++)
        {
            var candidate = request.CandidateAt(i);
            if (!state.Prices.TryGet(candidate.Entry, candidate.Model, out var price))
            {
                if (i == 0) { unpriced = candidate.Model; return null; }
                continue; // an unpriced fallback is charged its reservation if it answers (Admission.Cost)
            }
            var output = request.Peek.MaxTokens ?? candidate.Entry.MaxOutputTokens ?? ModelLimits.MaxOutputTokens(candidate.ModelId) ?? DefaultMaxOutputTokens;
            worst = Math.Max(worst, price.Micros(prompt, output));
        }
        return worst;
    }
}
