using System.Runtime.CompilerServices;
using Switchboard.Routing;

namespace Switchboard.Pipeline.Steps;

/// <summary>
/// The model that answers and its fallbacks (Routing/ModelSelector: forced route, literal, bare id, alias, preference
/// route, default), or a 404 listing the models. A router reads the conversation from the request's one DOM.
/// </summary>
internal sealed class ChooseStep : RequestStep
{
    public static readonly ChooseStep Instance = new();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<StepResult> RunAsync(GatewayRequest request)
    {
        var selector = request.Snapshot.Selector;
        var requested = request.Peek.Model;
        var selection = await selector.SelectAsync(requested, request.Context.Request.Headers[ModelSelector.RouteHeader].ToString(),
            request.RouterInput, request.Aborted).ConfigureAwait(false);
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
