using System.Globalization;
using System.Text;
using Switchboard.Routing.Feedback;

namespace Switchboard.Routing;

/// <summary>Accuracy on one set before and after the corrections were learnt.</summary>
internal sealed record LearningSetResult(string Name, int Rows, double Before, double After);

/// <summary>What replaying a labelled stream with corrections did: how many were made, and accuracy before and after.</summary>
internal sealed record LearningResult(int StreamRows, int Corrections, double StreamAccuracy, IReadOnlyList<LearningSetResult> Sets);

/// <summary>
/// <c>eval-router --learn</c>: replays half of a labelled set (every other row) as a stream, correcting each miss as a
/// user would with <c>switchboard feedback --route</c>, then measures the other half (held out: never corrected) and
/// any other sets of the same policy, before and after. Corrections go to an in-memory store: nothing is written.
/// </summary>
internal static class LearningEvaluator
{
    public static async Task<LearningResult> RunAsync(
        RoutePolicy policy,
        IRouteSelector router,
        IReadOnlyList<LabelledConversation> rows,
        IReadOnlyList<(string Name, IReadOnlyList<LabelledConversation> Rows)> otherSets,
        int tokenBudget = RouterInputBuilder.DefaultTokenBudget,
        CancellationToken cancellationToken = default)
    {
        var stream = rows.Where((_, i) => i % 2 == 0).ToList();
        var heldOut = rows.Where((_, i) => i % 2 == 1).ToList();
        var sets = new List<(string Name, IReadOnlyList<LabelledConversation> Rows)> { ("held-out half", heldOut) };
        sets.AddRange(otherSets);

        var before = new List<double>();
        foreach (var set in sets)
            before.Add((await RouterEvaluator.EvaluateAsync(policy, router, set.Rows, tokenBudget, cancellationToken).ConfigureAwait(false)).Accuracy);

        var store = new JsonlFeedbackStore(path: null);
        var learning = new LearningRouteSelector(router, store);
        var key = PolicyKey.Of(policy);
        var names = policy.Routes.Select(r => r.Name).ToArray();
        int corrections = 0, correct = 0;
        foreach (var row in stream)
        {
            var input = RouterInputBuilder.FromTurns(row.Turns, tokenBudget);
            var selection = await learning.SelectAsync(input, policy, cancellationToken).ConfigureAwait(false);
            var actual = selection.Route ?? RoutingDataLoader.OtherLabel;
            if (string.Equals(actual, row.Expected, StringComparison.OrdinalIgnoreCase)) { correct++; continue; }
            var latest = row.Turns.LastOrDefault(t => t.Role == TurnRole.User).Text;
            if (string.IsNullOrWhiteSpace(latest)) continue;
            store.Append(new FeedbackRecord
            {
                Kind = FeedbackRecord.CorrectionKind, Time = DateTimeOffset.UnixEpoch, RequestId = row.Id, Policy = key, PolicyRoutes = names,
                Prompt = latest, Routed = actual, Route = row.Expected,
            });
            corrections++;
        }

        var results = new List<LearningSetResult>();
        for (var s = 0; s < sets.Count; s++)
        {
            var after = await RouterEvaluator.EvaluateAsync(policy, learning, sets[s].Rows, tokenBudget, cancellationToken).ConfigureAwait(false);
            results.Add(new LearningSetResult(sets[s].Name, sets[s].Rows.Count, before[s], after.Accuracy));
        }
        return new LearningResult(stream.Count, corrections, stream.Count == 0 ? 0 : (double)correct / stream.Count, results);
    }

    public static string RenderReport(LearningResult result)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"learning: replayed {result.StreamRows} rows as a stream, {result.Corrections} corrections made (stream accuracy while learning {result.StreamAccuracy:P1})");
        var width = Math.Max(14, result.Sets.Max(s => s.Name.Length));
        text.Append("set".PadRight(width)).AppendLine("   rows   before    after");
        foreach (var set in result.Sets)
            text.Append(set.Name.PadRight(width)).AppendLine(c, $"  {set.Rows,5}  {set.Before,7:P1}  {set.After,7:P1}");
        return text.ToString();
    }
}
