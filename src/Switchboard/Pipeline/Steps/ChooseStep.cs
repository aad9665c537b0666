using System.Runtime.CompilerServices;
using Switchboard.Routing;
using Switchboard.Sessions;

namespace Switchboard.Pipeline.Steps;

/// <summary>
/// The model that answers and its fallbacks (Routing/ModelSelector: forced route, literal, bare id, alias, preference
/// route, default), or a 404 listing the models. A router reads the conversation from the request's one DOM. With
/// <paramref name="sessions"/> (the gateway's), a client session's user turn keeps its model and background calls are
/// not routed (Sessions/SessionRouting); without, every request is chosen on its own.
/// </summary>
internal sealed class ChooseStep(SessionRouting? sessions) : RequestStep
{
    public static readonly ChooseStep Instance = new(null);

    private static readonly Func<GatewayRequest, LatestUserTurn> ReadLatestTurn = static request => LatestUserTurn.Read(request.Root);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<StepResult> RunAsync(GatewayRequest request)
    {
        var selector = request.Snapshot.Selector;
        var requested = request.Peek.Model;
        var headers = request.Context.Request.Headers;
        // A model the config does not name may be routed, and a router reads the conversation from the DOM.
        if (request.OnSocketThreadWithLargeBody && selector.SelectExplicit(requested) is null) await Task.Yield();
        ModelSelection? selection;
        if (sessions is null)
        {
            selection = await selector.SelectAsync(requested, headers[ModelSelector.RouteHeader].ToString(), request.RouterInput, request.Aborted).ConfigureAwait(false);
        }
        else
        {
            var hints = ClaudeCodeHints.From(headers[ClaudeCodeHints.RequestClassHeader].ToString(), headers[ClaudeCodeHints.FirstPartyClassHeader].ToString(),
                headers[ClaudeCodeHints.PromptIdHeader].ToString(), headers[ClaudeCodeHints.AgentIdHeader].ToString());
            request.SessionKind = hints.Kind;
            var choice = await sessions.SelectAsync(selector, request.Snapshot.Config, requested ?? "", headers[ModelSelector.RouteHeader].ToString(),
                request.SessionId, hints, request.RouterInput, ReadLatestTurn, request, request.Aborted).ConfigureAwait(false);
            selection = choice.Selection;
            request.StripPriorThinking = choice.StripPriorThinking;
        }
        if (selection is null)
        {
            return await request.RejectAsync(404,
                $"model '{requested}' is not configured, and no default model is set. Available models: {string.Join(", ", selector.AvailableModels)}.",
                ErrorKind.ModelNotFound, code: "model_not_found").ConfigureAwait(false);
        }
        request.Choose(selection, selector.FallbacksFor(selection));
        Log(request, selection);
        return StepResult.Continue;
    }

    private static void Log(GatewayRequest request, ModelSelection selection)
    {
        if (selection.Reason is { } reason)
            PipelineLog.RouteDecision(request.Logger, request.Id, selection.Router, selection.Route ?? "none", selection.Model,
                SelectionNames.Of(reason), selection.RoutingMs, selection.ReasonDetail is null ? "" : $" detail=\"{selection.ReasonDetail}\"");
        else if (selection.Kind == SelectionKind.Default)
            PipelineLog.DefaultModelUsed(request.Logger, request.Id, selection.RequestedModel, selection.Model);
    }
}
