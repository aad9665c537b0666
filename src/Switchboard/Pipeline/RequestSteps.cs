using Switchboard.Pipeline.Steps;

namespace Switchboard.Pipeline;

/// <summary>
/// The steps of a completion request, in order: those run once per request, then those run for each candidate (the
/// chosen model, then its fallbacks while one gives way). A feature adds its step by putting it in a list here, without
/// touching the others, or, when its steps need the host's services, through <see cref="WithAfter{TAfter}"/>: the
/// gateway key's model scope, limits and budget, and the response cache (State/TeamSteps).
/// </summary>
internal sealed class RequestSteps(RequestStep[] perRequest, RequestStep[] perCandidate)
{
    public static readonly RequestSteps Default = new(
        perRequest:
        [
            IdentifyStep.Instance,  // whose key (the gateway-key filter checked it), or a 401
            AdmitStep.Instance,     // content type, size, one pass over the JSON, the client API's required fields
            ChooseStep.Instance,    // the model (literal, alias, route, default) and its fallbacks
        ],
        perCandidate:
        [
            ProviderKeyStep.Instance,        // the provider's API key is set
            CountTokensLocallyStep.Instance, // count_tokens toward a non-Anthropic model: estimated here
            PlanStep.Instance,               // the upstream URL and body (spliced, or translated)
            SendStep.Instance,               // retries and breakers, up to the response headers
            RelayStep.Instance,              // the response back: byte for byte, or translated
        ]);

    public RequestStep[] PerRequest { get; } = perRequest;

    /// <summary>These steps with <paramref name="added"/> run after the per-request step of type <typeparamref name="TAfter"/> (steps that need services: limits, the cache).</summary>
    public RequestSteps WithAfter<TAfter>(params RequestStep[] added) where TAfter : RequestStep
    {
        var at = Array.FindIndex(PerRequest, s => s is TAfter) + 1;
        return new RequestSteps([.. PerRequest[..at], .. added, .. PerRequest[at..]], PerCandidate);
    }

    /// <summary>These steps with <paramref name="added"/> first of the per-candidate steps.</summary>
    public RequestSteps WithFirstPerCandidate(params RequestStep[] added) => new(PerRequest, [.. added, .. PerCandidate]);
    /// <summary>These steps with the session-aware choice (<see cref="Sessions.SessionRouting"/>) in place of the plain one.</summary>
    public RequestSteps WithSessions(Sessions.SessionRouting sessions) =>
        new(Array.ConvertAll(PerRequest, step => step == ChooseStep.Instance ? new ChooseStep(sessions) : step), PerCandidate);

    public RequestStep[] PerCandidate { get; } = perCandidate;
}
