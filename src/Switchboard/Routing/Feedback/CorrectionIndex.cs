using System.Collections.Concurrent;
using Switchboard.Routing.Semantic;

namespace Switchboard.Routing.Feedback;

/// <summary>
/// A policy's corrections as labelled examples: the same prompt goes where the team said, and so does a prompt whose
/// words are close to a corrected one (cosine over stemmed content words at or above <see cref="SimilarityThreshold"/>).
/// The latest correction of a prompt wins. With a sentence encoder, corrections are also labelled examples in embedding
/// space: a request close in meaning to corrected ones (a k-nearest-neighbour vote among corrections at or above
/// <see cref="SemanticThreshold"/>) goes where they went, so a correction generalises to other wordings of the same need.
/// Immutable; built per policy, store version and encoder readiness.
/// </summary>
internal sealed class CorrectionIndex
{
    /// <summary>Cosine over stemmed content words for "close to a corrected prompt": the same request reworded or extended.</summary>
    public const double SimilarityThreshold = 0.55;

    /// <summary>Prompts with fewer content words say too little on their own ("and now the tests"): no corrections for them.</summary>
    private const int MinimumContentWords = 3;

    /// <summary>Cosine between embeddings for "means the same as a corrected request" (fitted on the tuning sets' streams).</summary>
    public const float SemanticThreshold = 0.65f;

    /// <summary>Neighbours that vote.</summary>
    private const int Neighbours = 3;

    private const int MaxMemoizedEmbeddings = 10_000;

    // Corrected prompts' embeddings, kept across index rebuilds: each new correction costs one encoding, once.
    private static readonly ConcurrentDictionary<string, float[]> Embeddings = new(StringComparer.Ordinal);

    private readonly Dictionary<string, string> _exact = new(StringComparer.Ordinal);
    private readonly List<(Dictionary<string, float> Vector, float Norm, string Route)> _examples = [];
    private readonly List<(float[] Embedding, string Route)> _semanticExamples = [];
    private readonly SentenceEncoderHost? _encoder;

    /// <summary>
    /// A corrected prompt's reading by the lexical stage generalises a correction when a new prompt is drawn to the same
    /// route by much the same features (cosine of contributions at or above this)…
    /// </summary>
    public const float ContributionThreshold = 0.6f;

    /// <summary>…and what that route does not explain about it is close to the corrected prompt's residue (cosine).</summary>
    public const float ResidueThreshold = 0.6f;

    /// <summary>…and the residue is as large a share of the new prompt's reading (at least this fraction of the corrected one's).</summary>
    public const float ShareRatio = 0.75f;

    /// <summary>A corrected prompt whose residue is below this is fully explained by its route: only a near-identical pull matches.</summary>
    private const float ResidueNeeded = 0.5f;
    private const float ExplainedContributionThreshold = 0.85f;

    /// <summary>Corrections from one route to another before they generalise by the router's reading.</summary>
    private const int ConventionCorrections = 2;

    private readonly List<(PromptSignature Signature, string Route)> _signatureExamples = [];
    private readonly Func<string, PromptSignature>? _signature;

    public CorrectionIndex(IEnumerable<FeedbackRecord> records, RoutePolicy policy, SentenceEncoderHost? encoder = null, Func<string, PromptSignature>? signature = null)
    {
        _encoder = encoder;
        _signature = signature;
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
        if (signature is not null)
        {
            var original = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var record in records)
                if (PolicyKey.Applies(record, policy, key) && Normalize(record.Prompt!) is { Length: > 0 } normalized) original.TryAdd(normalized, record.Prompt!);
            foreach (var (prompt, route) in latest)
            {
                if (Vectorize(prompt, out var words) is var _ && words < MinimumContentWords) continue;
                var read = signature(original[prompt]);
                // A correction the router now agrees with teaches nothing more.
                if ((read.Route < 0 ? PolicyKey.Other : policy.Routes[read.Route].Name) != route) _signatureExamples.Add((read, route));
            }
            // A convention is what a team said twice: a lone correction may fix one misreading, and stays with its own wording.
            var said = new Dictionary<(int, string), int>();
            foreach (var (read, route) in _signatureExamples) said[(read.Route, route)] = said.GetValueOrDefault((read.Route, route)) + 1;
            _signatureExamples.RemoveAll(e => said[(e.Signature.Route, e.Route)] < ConventionCorrections);
        }
        if (encoder is null) return;
        foreach (var record in records)
        {
            if (!PolicyKey.Applies(record, policy, key)) continue;
            var normalized = Normalize(record.Prompt!);
            if (!latest.TryGetValue(normalized, out var route)) continue;
            latest.Remove(normalized); // once per prompt, with its latest route
            if (!Embeddings.TryGetValue(record.Prompt!, out var embedding))
            {
                embedding = encoder.TryEncode(record.Prompt!);
                if (embedding is null) continue;
                if (Embeddings.Count < MaxMemoizedEmbeddings) Embeddings.TryAdd(record.Prompt!, embedding);
            }
            _semanticExamples.Add((embedding, route));
        }
        var examples = new List<(float[], int)>();
        foreach (var (embedding, route) in _semanticExamples)
            for (var r = 0; r < policy.Routes.Count; r++)
                if (policy.Routes[r].Name == route) examples.Add((embedding, r));
        RouteExamples = examples;
    }

    public int Count => _exact.Count;

    /// <summary>Corrections to a route (not "other") as (embedding, route index) examples for the semantic stage.</summary>
    public IReadOnlyList<(float[] Embedding, int Route)> RouteExamples { get; private set; } = [];


    /// <summary>The corrected route ("other" for none) for a prompt, with how it matched; false when no correction is close.</summary>
    public bool TryMatch(string prompt, out string route, out double similarity) => TryMatch(prompt, out route, out similarity, out _);

    /// <summary>As above, with how it matched: the same prompt, its words, its meaning (embeddings) or the router's reading of it.</summary>
    public bool TryMatch(string prompt, out string route, out double similarity, out CorrectionMatch how)
    {
        route = "";
        similarity = 0;
        how = CorrectionMatch.None;
        if (_exact.Count == 0) return false;
        var normalized = Normalize(prompt);
        var vector = Vectorize(normalized, out var words);
        if (words < MinimumContentWords) return false;
        if (_exact.TryGetValue(normalized, out var exact)) { route = exact; similarity = 1; how = CorrectionMatch.Same; return true; }
        if (_semanticExamples.Count > 0 && _encoder?.TryEncode(prompt) is { } query && TryVote(query, out route, out similarity))
        {
            how = CorrectionMatch.Meaning;
            return true;
        }
        var norm = Norm(vector);
        foreach (var example in _examples)
        {
            var dot = 0f;
            foreach (var (term, weight) in vector)
                if (example.Vector.TryGetValue(term, out var other)) dot += weight * other;
            var cosine = norm == 0 || example.Norm == 0 ? 0 : dot / (norm * example.Norm);
            if (cosine >= SimilarityThreshold && cosine > similarity) { similarity = cosine; route = example.Route; }
        }
        if (similarity > 0) { how = CorrectionMatch.Words; return true; }
        if (_signatureExamples.Count == 0 || _signature is null || !TryReading(_signature(prompt), out route, out similarity)) return false;
        how = CorrectionMatch.Reading;
        return true;
    }

    /// <summary>
    /// A correction read the router's way: a prompt the router sends to the same route as a corrected one, for the same
    /// reasons, and carrying the same thing that route does not explain ("add pytest cases for the login handler" after
    /// "write unit tests for the date parser" went to debugging) goes where the correction said.
    /// </summary>
    private bool TryReading(PromptSignature read, out string route, out double similarity)
    {
        route = "";
        similarity = 0;
        foreach (var (example, corrected) in _signatureExamples)
        {
            if (example.Route != read.Route) continue;
            var pull = read.ContributionSimilarity(example);
            float match;
            if (example.ResidueNorm < ResidueNeeded) match = pull >= ExplainedContributionThreshold ? pull : 0;
            else match = pull >= ContributionThreshold && read.ResidueShare >= ShareRatio * example.ResidueShare ? read.ResidueSimilarity(example) : 0;
            if (match >= ResidueThreshold && match > similarity) { similarity = match; route = corrected; }
        }
        return similarity > 0;
    }

    /// <summary>
    /// The k nearest corrections at or above the threshold vote, weighted by similarity; the winner needs more than half
    /// the weight (two neighbours that disagree cancel out and the router decides).
    /// </summary>
    private bool TryVote(float[] query, out string route, out double similarity)
    {
        route = "";
        similarity = 0;
        Span<float> top = stackalloc float[Neighbours];
        Span<int> which = stackalloc int[Neighbours];
        top.Fill(float.NegativeInfinity);
        which.Fill(-1);
        for (var e = 0; e < _semanticExamples.Count; e++)
        {
            var s = SentenceEncoderHost.Dot(_semanticExamples[e].Embedding, query);
            if (s < SemanticThreshold || s <= top[Neighbours - 1]) continue;
            var at = Neighbours - 1;
            while (at > 0 && top[at - 1] < s) { top[at] = top[at - 1]; which[at] = which[at - 1]; at--; }
            top[at] = s;
            which[at] = e;
        }
        if (which[0] < 0) return false;
        var total = 0f;
        for (var k = 0; k < Neighbours && which[k] >= 0; k++) total += top[k];
        for (var k = 0; k < Neighbours && which[k] >= 0; k++)
        {
            var candidate = _semanticExamples[which[k]].Route;
            var weight = 0f;
            for (var j = 0; j < Neighbours && which[j] >= 0; j++)
                if (_semanticExamples[which[j]].Route == candidate) weight += top[j];
            if (weight * 2 > total) { route = candidate; similarity = top[0]; return true; }
        }
        return false;
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

/// <summary>How a prompt matched a correction.</summary>
internal enum CorrectionMatch : byte { None, Same, Words, Meaning, Reading }
