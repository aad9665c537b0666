using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Switchboard.Routing;

/// <summary>Precision and recall of one label ("other" included).</summary>
internal sealed record RouteMetrics(string Label, int Support, int Predicted, int Correct)
{
    public double Precision => Predicted == 0 ? 0 : (double)Correct / Predicted;
    public double Recall => Support == 0 ? 0 : (double)Correct / Support;
}

/// <summary>A row the router got wrong, with what it said and why.</summary>
internal sealed record Misclassification(string Id, string Expected, string Actual, RouteReason Reason, string? Detail, string LatestUserText);

/// <summary>The outcome of running a router over labelled conversations. Rendering is separate (<see cref="RouterEvaluator.RenderReport"/>).</summary>
internal sealed record EvaluationResult
{
    public required string Router { get; init; }
    public required int Total { get; init; }
    public required int Correct { get; init; }
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
    /// <summary>Labels in policy order, then "other".</summary>
    public required IReadOnlyList<string> Labels { get; init; }
    public required IReadOnlyList<RouteMetrics> PerLabel { get; init; }
    /// <summary>Confusion[expected][actual], indexed like <see cref="Labels"/>.</summary>
    public required int[][] Confusion { get; init; }
    public required double LatencyP50Ms { get; init; }
    public required double LatencyP99Ms { get; init; }
    /// <summary>Rows answered with Timeout or Error (counted as "other").</summary>
    public required int Failures { get; init; }
    public required IReadOnlyList<Misclassification> Misclassified { get; init; }
}

/// <summary>Measures a router against labelled conversations: accuracy, per-route precision/recall, confusion, latency.</summary>
internal static class RouterEvaluator
{
    public static async Task<EvaluationResult> EvaluateAsync(
        RoutePolicy policy,
        IRouteSelector selector,
        IReadOnlyList<LabelledConversation> rows,
        int tokenBudget = RouterInputBuilder.DefaultTokenBudget,
        CancellationToken cancellationToken = default)
    {
        var labels = policy.Routes.Select(r => r.Name).Append(RoutingDataLoader.OtherLabel).ToList();
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < labels.Count; i++) index.TryAdd(labels[i], i);

        var inputs = rows.Select(r => RouterInputBuilder.FromTurns(r.Turns, tokenBudget)).ToArray();

        // Warm-up (JIT, per-policy precomputation) so latency reflects steady-state decisions.
        if (inputs.Length > 0) await selector.SelectAsync(inputs[0], policy, cancellationToken).ConfigureAwait(false);

        var confusion = new int[labels.Count][];
        for (var i = 0; i < labels.Count; i++) confusion[i] = new int[labels.Count];
        var latencies = new double[rows.Count];
        var misclassified = new List<Misclassification>();
        int correct = 0, failures = 0;

        for (var i = 0; i < rows.Count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var selection = await selector.SelectAsync(inputs[i], policy, cancellationToken).ConfigureAwait(false);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

            if (selection.Reason is RouteReason.Timeout or RouteReason.Error) failures++;
            var actual = selection.Route is { } route && index.ContainsKey(route) ? route : RoutingDataLoader.OtherLabel;
            var expected = index.ContainsKey(rows[i].Expected) ? rows[i].Expected : RoutingDataLoader.OtherLabel;
            var expectedIndex = index[expected];
            var actualIndex = index[actual];
            confusion[expectedIndex][actualIndex]++;
            if (expectedIndex == actualIndex)
            {
                correct++;
            }
            else
            {
                var latest = rows[i].Turns.LastOrDefault(t => t.Role == TurnRole.User).Text ?? "";
                misclassified.Add(new Misclassification(rows[i].Id, labels[expectedIndex], labels[actualIndex], selection.Reason, selection.Detail, latest));
            }
        }

        var perLabel = new List<RouteMetrics>(labels.Count);
        for (var l = 0; l < labels.Count; l++)
        {
            var support = confusion[l].Sum();
            var predicted = 0;
            for (var e = 0; e < labels.Count; e++) predicted += confusion[e][l];
            perLabel.Add(new RouteMetrics(labels[l], support, predicted, confusion[l][l]));
        }

        Array.Sort(latencies);
        return new EvaluationResult
        {
            Router = selector.Name,
            Total = rows.Count,
            Correct = correct,
            Labels = labels,
            PerLabel = perLabel,
            Confusion = confusion,
            LatencyP50Ms = Percentile(latencies, 0.50),
            LatencyP99Ms = Percentile(latencies, 0.99),
            Failures = failures,
            Misclassified = misclassified,
        };
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    internal static double Percentile(double[] sorted, double fraction)
    {
        if (sorted.Length == 0) return 0;
        var rank = (int)Math.Ceiling(fraction * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    /// <summary>A plain-text report for the CLI.</summary>
    public static string RenderReport(EvaluationResult result)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(c, $"router: {result.Router}   rows: {result.Total}   accuracy: {result.Accuracy:P1} ({result.Correct}/{result.Total})");
        if (result.Failures > 0) text.Append(c, $"   failures (timeout/error): {result.Failures}");
        text.AppendLine();
        text.AppendLine(c, $"decision latency: p50 {result.LatencyP50Ms:F3} ms, p99 {result.LatencyP99Ms:F3} ms");
        text.AppendLine();

        var width = Math.Max(8, result.Labels.Max(l => l.Length));
        text.Append("label".PadRight(width)).AppendLine("  precision  recall  support");
        foreach (var m in result.PerLabel)
            text.Append(m.Label.PadRight(width)).AppendLine(c, $"  {m.Precision,9:P0}  {m.Recall,6:P0}  {m.Support,7}");
        text.AppendLine();

        text.AppendLine("confusion (rows: expected, columns: actual)");
        var codes = result.Labels.Select((_, i) => $"[{i}]").ToArray();
        text.Append(new string(' ', width + 5));
        foreach (var code in codes) text.Append(code.PadLeft(6));
        text.AppendLine();
        for (var e = 0; e < result.Labels.Count; e++)
        {
            text.Append(codes[e].PadRight(5)).Append(result.Labels[e].PadRight(width));
            foreach (var count in result.Confusion[e]) text.Append(count.ToString(c).PadLeft(6));
            text.AppendLine();
        }

        if (result.Misclassified.Count > 0)
        {
            text.AppendLine().AppendLine(c, $"misclassified ({result.Misclassified.Count}):");
            foreach (var m in result.Misclassified)
            {
                var said = m.LatestUserText.ReplaceLineEndings(" ");
                if (said.Length > 90) said = said[..90] + "…";
                text.AppendLine(c, $"  {m.Id}: expected {m.Expected}, got {m.Actual} ({m.Reason}{(m.Detail is null ? "" : "; " + m.Detail)})");
                text.AppendLine(c, $"      \"{said}\"");
            }
        }
        return text.ToString();
    }
}
