namespace Switchboard.Config;

/// <summary>The known key a misspelt one most likely meant ("acess_key" → "access_key"), for config warnings.</summary>
internal static class KeySpelling
{
    /// <summary>The closest of <paramref name="known"/> within a small edit distance, or null when none is close or two tie.</summary>
    public static string? Likely(string key, IEnumerable<string> known)
    {
        var allowed = key.Length <= 4 ? 1 : 2;
        string? best = null;
        var bestDistance = int.MaxValue;
        var tied = false;
        foreach (var candidate in known)
        {
            var distance = Distance(key.ToLowerInvariant(), candidate);
            if (distance > allowed || distance > bestDistance) continue;
            tied = distance == bestDistance;
            if (distance < bestDistance) (best, bestDistance) = (candidate, distance);
        }
        return tied ? null : best;
    }

    /// <summary>Edits (insert, delete, substitute, swap two neighbours) from <paramref name="a"/> to <paramref name="b"/>.</summary>
    internal static int Distance(string a, string b)
    {
        // Optimal string alignment over three rows: keys are short, so this is cheap and allocation is negligible.
        var previous2 = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    current[j] = Math.Min(current[j], previous2[j - 2] + 1);
            }
            (previous2, previous, current) = (previous, current, previous2);
        }
        return previous[b.Length];
    }
}
