using Microsoft.Extensions.DependencyInjection;
using Switchboard.Caching;
using Switchboard.Limits;
using Switchboard.Pipeline;
using Switchboard.Pipeline.Steps;

namespace Switchboard.State;

/// <summary>
/// The steps of issue #18, put into the pipeline: the gateway key's model scope before routing and for each candidate,
/// then after the model is chosen its limits and budget, and the response cache.
/// </summary>
internal static class TeamSteps
{
    public static RequestSteps Build(RequestSteps steps, IServiceProvider services)
    {
        var state = services.GetRequiredService<TeamState>();
        return steps
            .WithAfter<AdmitStep>(ModelScopeStep.Instance)
            .WithAfter<ChooseStep>(new LimitStep(state), new CacheStep(state))
            .WithFirstPerCandidate(CandidateScopeStep.Instance);
    }
}
