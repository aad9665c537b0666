using Switchboard.Identity;
using Switchboard.Pipeline;
using Switchboard.Routing;

namespace Switchboard.Limits;

/// <summary>
/// A gateway key with <c>models</c> may use only those literals, aliases and routes. Before routing: a request naming
/// a model the key does not list, and that needs no router to resolve (a literal, bare id or alias), is refused with a
/// 403 in the client's format, and no router runs for it. A name the key lists grants whatever it resolves to.
/// </summary>
internal sealed class ModelScopeStep : RequestStep
{
    public static readonly ModelScopeStep Instance = new();

    public override ValueTask<StepResult> RunAsync(GatewayRequest request)
    {
        if (request.Caller is not { IsScoped: true } caller || caller.Allows(request.RequestedModel)) return new(StepResult.Continue);
        if (request.Context.Request.Headers[ModelSelector.RouteHeader].Count > 0) return new(StepResult.Continue); // a forced route: judged once chosen
        if (request.Snapshot.Selector.SelectExplicit(request.RequestedModel) is { } explicitModel && !caller.Allows(explicitModel.Model))
            return Refuse(request, caller, request.RequestedModel);
        return new(StepResult.Continue);
    }

    internal static ValueTask<StepResult> Refuse(GatewayRequest request, Caller caller, string model) =>
        request.RejectAsync(403, $"Switchboard: gateway key '{caller.Name}' may not use model '{model}'. It may use: {string.Join(", ", caller.Key.Models)}.", ErrorKind.Forbidden, code: "model_not_allowed");
}

/// <summary>
/// The same scope, for each candidate once chosen (a routed request's model, each fallback): the chosen model the key
/// may not use is a 403; a fallback it may not use is skipped.
/// </summary>
internal sealed class CandidateScopeStep : RequestStep
{
    public static readonly CandidateScopeStep Instance = new();

    public override ValueTask<StepResult> RunAsync(GatewayRequest request)
    {
        if (request.Caller is not { IsScoped: true } caller) return new(StepResult.Continue);
        var candidate = request.Candidate;
        if (caller.Allows(request.RequestedModel) || caller.Allows(request.Selection!.Route) || caller.Allows(candidate.Model)) return new(StepResult.Continue);
        if (request.CandidateIndex > 0 && FallbackDecision.GivesWay(request)) return new(request.GiveWay($"gateway key '{caller.Name}' may not use {candidate.Model}"));
        request.RecordAttempt(AttemptOutcome.Skipped, 0, "not allowed for the gateway key");
        return ModelScopeStep.Refuse(request, caller, candidate.Model);
    }
}
