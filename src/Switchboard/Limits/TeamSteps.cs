using Microsoft.Extensions.DependencyInjection;
using Switchboard.Caching;
using Switchboard.Pipeline;
using Switchboard.Pipeline.Steps;

namespace Switchboard.Limits;

/// <summary>The steps of issue #18 that need the host's state, put in after the model is chosen: limits and budget, then the response cache.</summary>
internal static class TeamSteps
{
    public static RequestSteps Build(RequestSteps steps, IServiceProvider services)
    {
        var state = services.GetRequiredService<TeamState>();
        return steps.WithAfter<ChooseStep>(new LimitStep(state), new CacheStep(state));
    }
}
