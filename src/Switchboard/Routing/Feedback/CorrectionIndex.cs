namespace Switchboard.Routing.Feedback;

/// <summary>
/// A policy's corrections as labelled examples: the same prompt goes where the team said, and so does a prompt whose
/// words are close to a corrected one (cosine over stemmed content words at or above <see cref="SimilarityThreshold"/>).
/// The latest correction of a prompt wins. Immutable; built per policy and store version.
/// </summary>
internal sealed class CorrectionIndex
{
    /// <summary>Cosine over stemmed content words for "close to a corrected prompt": the same request reworded or extended.</summary>
    public const double SimilarityThreshold = 0.55;

    /// <summary>Prompts with fewer content words say too little on their own ("and now the tests"): no corrections for them.</summary>
    private const int MinimumContentWords = 3;

    private readonly Dictionary<string, string> _exact = new(StringComparer.Ordinal);
    private readonly List<(Dictionary<string, float> Vector, float Norm, string Route)> _examples = [];

    public CorrectionIndex(IEnumerable<FeedbackRecord> records, RoutePolicy policy)
    {
        var key = PolicyKey.Of(policy);
        var latest = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (!PolicyKey.Applies(record, policy, key)) continue;
            var normalized = Normalize(record.Prompt!);
            if (normalized.Length == 0) continue;
            // The route as the policy spells it now ("other" stays "other").
            latest[normalized] = policy.Find(record.Route!)?.Name ?? PolicyKey.Other;
        }
        foreach (var (prompt, route) in latest)
        {
            _exact[prompt] = route;
            var vector = Vectorize(prompt, out var words);
            if (words >= MinimumContentWords) _examples.Add((vector, Norm(vector), route));
        }
    }

    public int Count => _exact.Count;


    /// <summary>The corrected route ("other" for none) for a prompt, with how it matched; false when no correction is close.</summary>
    public bool TryMatch(string prompt, out string route, out double similarity)
    {
        route = "";
        similarity = 0;
        if (_exact.Count == 0) return false;
        var normalized = Normalize(prompt);
        var vector = Vectorize(normalized, out var words);
        if (words < MinimumContentWords) return false;
        if (_exact.TryGetValue(normalized, out var exact)) { route = exact; similarity = 1; return true; }
        var norm = Norm(vector);
        foreach (var example in _examples)
        {
            var dot = 0f;
            foreach (var (term, weight) in vector)
                if (example.Vector.TryGetValue(term, out var other)) dot += weight * other;
            var cosine = norm == 0 || example.Norm == 0 ? 0 : dot / (norm * example.Norm);
            if (cosine >= SimilarityThreshold && cosine > similarity) { similarity = cosine; route = example.Route; }
        }
        return similarity > 0;
    }

    /// <summary>Lower case, letters and digits only, single spaces.</summary>
    internal static string Normalize(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c)) { if (space && builder.Length > 0) builder.Append(' '); builder.Append(char.ToLowerInvariant(c)); space = false; }
            else space = true;
        }
        return builder.ToString();
    }

    private static Dictionary<string, float> Vectorize(string normalized, out int contentWords)
    {
        var vector = new Dictionary<string, float>(StringComparer.Ordinal);
        contentWords = 0;
        Span<char> buffer = stackalloc char[64];
        foreach (var word in normalized.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (word.Length > buffer.Length || StopWords.Contains(word)) continue;
            word.AsSpan().CopyTo(buffer);
            var stem = new string(buffer[..PorterStemmer.Stem(buffer[..word.Length])]);
            vector[stem] = vector.GetValueOrDefault(stem) + 1;
            contentWords++;
        }
        return vector;
    }

    private static float Norm(Dictionary<string, float> vector)
    {
        var sum = 0f;
        foreach (var weight in vector.Values) sum += weight * weight;
        return MathF.Sqrt(sum);
    }

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "and", "or", "but", "to", "of", "in", "on", "for", "with", "at", "by", "from", "is", "are", "was",
        "were", "be", "it", "this", "that", "these", "those", "i", "me", "my", "we", "our", "you", "your", "can", "could",
        "would", "please", "do", "does", "how", "what", "is", "s", "t", "so", "some", "any", "just", "now", "again",
    };
}
