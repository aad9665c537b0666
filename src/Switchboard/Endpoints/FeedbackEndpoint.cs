using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchboard.Pipeline;
using Switchboard.Routing.Feedback;
using Switchboard.Runtime;

namespace Switchboard.Endpoints;

/// <summary>
/// POST /switchboard/feedback (behind the gateway key): a team's correction of a routing decision
/// (<c>{"request_id", "route": name|"other"}</c>) or a rating of the answer (<c>{"request_id", "rating": "good"|"bad"}</c>).
/// Corrections are stored beside the config and the router follows them from the next request on.
/// </summary>
internal static class FeedbackEndpoint
{
    public const string Path = "/switchboard/feedback";
    private const int MaxBodyBytes = 16 * 1024;

    public static async Task HandleAsync(HttpContext context, GatewayRuntime runtime, RecentDecisions decisions, TimeProvider time)
    {
        FeedbackRequest? request;
        try
        {
            if (context.Request.ContentLength > MaxBodyBytes)
            {
                await ClientErrors.WriteAsync(context, ApiFormat.OpenAI, 413, $"feedback bodies are small JSON objects (at most {MaxBodyBytes} bytes).").ConfigureAwait(false);
                return;
            }
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, FeedbackJsonContext.Default.FeedbackRequest, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            await ClientErrors.WriteAsync(context, ApiFormat.OpenAI, 400, $"feedback body is not a JSON object of the expected shape: {ex.Message}").ConfigureAwait(false);
            return;
        }
        if (request is null)
        {
            await ClientErrors.WriteAsync(context, ApiFormat.OpenAI, 400, "feedback body must be a JSON object: {\"request_id\": …, \"route\": …} or {\"request_id\": …, \"rating\": \"good\"|\"bad\"}.").ConfigureAwait(false);
            return;
        }

        var store = (runtime.Current.Selector.Router as LearningRouteSelector)?.Store;
        var outcome = await FeedbackService.ApplyAsync(request, decisions, store, time, context.RequestAborted).ConfigureAwait(false);
        if (outcome.Record is not { } record)
        {
            await ClientErrors.WriteAsync(context, ApiFormat.OpenAI, outcome.Status, outcome.Error!).ConfigureAwait(false);
            return;
        }
        // A corrected decision may be cached: the next request with that conversation must see the correction.
        if (record.Kind == FeedbackRecord.CorrectionKind) SnapshotFactory.DecisionCache.Clear();
        context.Response.StatusCode = 200;
        await context.Response.WriteAsJsonAsync(
            new FeedbackResponse(record.RequestId, record.Kind, record.Routed, record.Route, record.Rating, record.Model),
            FeedbackJsonContext.Default.FeedbackResponse, cancellationToken: context.RequestAborted).ConfigureAwait(false);
    }
}
