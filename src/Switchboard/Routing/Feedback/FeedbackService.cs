namespace Switchboard.Routing.Feedback;

/// <summary>The outcome of a piece of feedback: the stored record, or the status and message that explain why not.</summary>
internal readonly record struct FeedbackOutcome(FeedbackRecord? Record, int Status, string? Error);

/// <summary>
/// Turns a correction or rating of a recent request into a stored record: checks it against the decision the gateway
/// remembers for that request id and the policy the decision was made under.
/// </summary>
internal static class FeedbackService
{
    public static async Task<FeedbackOutcome> ApplyAsync(FeedbackRequest request, RecentDecisions decisions, IFeedbackStore? store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.RequestId))
            return Fail(400, "\"request_id\" is required: the x-switchboard-request-id of a routed request, or \"last\".");
        var hasRoute = !string.IsNullOrWhiteSpace(request.Route);
        var hasRating = !string.IsNullOrWhiteSpace(request.Rating);
        if (hasRoute == hasRating)
            return Fail(400, "give either \"route\" (a route name, or \"other\" for none) or \"rating\" (\"good\" or \"bad\"), not both and not neither.");
        if (hasRating && request.Rating is not ("good" or "bad"))
            return Fail(400, $"\"rating\" must be \"good\" or \"bad\", not \"{request.Rating}\".");
        if (store is null)
            return Fail(409, "this gateway runs without a config file, so it has nowhere to keep feedback: start it with --config.");
        if (decisions.Find(request.RequestId.Trim()) is not { } decision)
            return Fail(404, $"no recent routed request '{request.RequestId}': the gateway remembers the latest {RecentDecisions.DefaultCapacity} requests the router decided since it started.");

        string? route = null;
        if (hasRoute)
        {
            var asked = request.Route!.Trim();
            route = asked.Equals(PolicyKey.Other, StringComparison.OrdinalIgnoreCase) ? PolicyKey.Other : decision.Policy.Find(asked)?.Name;
            if (route is null)
                return Fail(400, $"route '{asked}' is not in the routing policy; its routes are: {string.Join(", ", decision.Policy.Routes.Select(r => r.Name))}, or \"other\".");
        }

        var record = new FeedbackRecord
        {
            Kind = hasRoute ? FeedbackRecord.CorrectionKind : FeedbackRecord.RatingKind,
            Time = time.GetUtcNow(),
            RequestId = decision.RequestId,
            Policy = PolicyKey.Of(decision.Policy),
            PolicyRoutes = decision.Policy.Routes.Select(r => r.Name).ToArray(),
            Prompt = hasRoute ? decision.Prompt : null,
            Routed = decision.Route ?? PolicyKey.Other,
            Route = route,
            Rating = hasRating ? request.Rating : null,
            Model = decision.Model,
        };
        try
        {
            await store.AppendAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The store's own message may name a host or a path: the client gets the kind of failure only.
            return Fail(503, $"the feedback store failed ({ex.GetType().Name}); nothing was recorded, try again.");
        }
        return new FeedbackOutcome(record, 200, null);

        static FeedbackOutcome Fail(int status, string message) => new(null, status, message);
    }
}
