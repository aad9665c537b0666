namespace Switchboard.Routing.Feedback;

/// <summary>
/// A policy's corrections as labelled examples: the same prompt goes where the team said, and so does a prompt whose
/// words are close to a corrected one (cosine over stemmed content words at or above <see cref="SimilarityThreshold"/>).
/// The latest correction of a prompt wins. Immutable; built per policy and store version.
/// </summary>
internal sealed class CorrectionIndex
{
    /// <summary>Cosine over stemmed content words for "close to a corrected prompt" (paraphrases, not topics).</summary>
    public const double SimilarityThreshold = 0.7;

    /// <summary>Prompts with fewer content words say too little on their own ("and now the tests"): no corrections for them.</summary>
    private const int MinimumContentWords = 3;

    private readonly Dictionary<string, string> _exact = new(StringComparer.Ordinal);
    private readonly List<(Dictionary<string, float> Vector, float Norm, string Route)> _examples = [];

    public CorrectionIndex(IEnumerable<FeedbackRecord> records, RoutePolicy policy)
    {
        var key = PolicyKey.Of(policy);
        var latest = new Dictionary<string, string>(StringComparer.Ordinal);
        var raw = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (!PolicyKey.Applies(record, policy, key)) continue;
            var normalized = Normalize(record.Prompt!);
            if (normalized.Length == 0) continue;
            // The route as the policy spells it now ("other" stays "other").
            latest[normalized] = policy.Find(record.Route!)?.Name ?? PolicyKey.Other;
            raw[normalized] = record.Prompt!;
        }
        var examples = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (prompt, route) in latest)
            if (route != PolicyKey.Other) (examples.TryGetValue(route, out var list) ? list : examples[route] = []).Add(TopicWords(raw[prompt]));
        Augmented = examples.Count == 0 ? policy : new RoutePolicy(policy.Routes
            .Select(r => examples.TryGetValue(r.Name, out var list) ? r with { Description = r.Description + "; " + string.Join("; ", list) } : r).ToList());
        foreach (var (prompt, route) in latest)
        {
            _exact[prompt] = route;
            var vector = Vectorize(prompt, out var words);
            if (words >= MinimumContentWords) _examples.Add((vector, Norm(vector), route));
        }
    }

    public int Count => _exact.Count;

    /// <summary>
    /// The policy with each route's corrected prompts added to its description, so their words count for the route in
    /// new prompts too (the embedded router reads descriptions as word lists); the policy itself when there are none.
    /// </summary>
    public RoutePolicy Augmented { get; }

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

    /// <summary>
    /// The words of a corrected prompt that say what kind of request it is: names (a capitalised word inside a
    /// sentence: "Lisbon", "Ryanair") and numbers say which instance, and would pull unrelated requests about them.
    /// </summary>
    internal static string TopicWords(string prompt)
    {
        var kept = new List<string>();
        var sentenceStart = true;
        foreach (var piece in prompt.Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
        {
            var word = piece.Trim('"', '\'', '(', ')', ',', ';', ':', '.', '!', '?');
            var isName = !sentenceStart && word.Length > 0 && char.IsUpper(word[0]);
            if (word.Length > 0 && !isName && !word.Any(char.IsDigit)) kept.Add(word);
            sentenceStart = piece.EndsWith('.') || piece.EndsWith('?') || piece.EndsWith('!');
        }
        return string.Join(' ', kept);
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
