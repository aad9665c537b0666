using Switchboard.Pipeline;
using Switchboard.Routing;
using Switchboard.Routing.Feedback;

namespace Switchboard.Observability;

/// <summary>Remembers each routed request's decision by request id, so a correction can name it later.</summary>
internal sealed class FeedbackSink(RecentDecisions decisions) : ICompletionSink
{
    public void OnCompleted(in CompletedRequest request)
    {
        // Only decisions the router made (a route, or "other" that sent the request to the default): not literals, aliases or forced routes.
        if (request.Choice is not { } choice || choice.Router is "none" or "forced" || request.RoutePolicy is not { } policy
            || request.RouterInput is not { } input) return;
        string? prompt = null;
        for (var i = input.Turns.Count - 1; i >= 0 && prompt is null; i--)
            if (input.Turns[i].Role == TurnRole.User) prompt = input.Turns[i].Text;
        if (prompt is null) return;
        decisions.Add(new RecentDecision(request.RequestId, policy, prompt, choice.Route, choice.Router, request.Model, request.Time));
    }
}
