namespace Switchboard.Routing;

/// <summary>
/// Bounded typo tolerance for words the router does not know ("explian", "refacter", "documnetation"):
/// a symmetric-deletion index (one deleted letter on either side, never the first letter) over a known
/// vocabulary, built once. A lookup costs at most one dictionary probe per letter of the word, without
/// allocating; it answers only when every match points at the same normalised word.
/// </summary>
internal sealed class SpellingIndex
{
    /// <summary>Shorter words are too easy to confuse ("fix" / "mix"); they are never corrected.</summary>
    public const int MinLength = 5;
    private const int Ambiguous = -1;

    private readonly Dictionary<string, int> _keys;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly string[] _targets;
    private readonly string[] _surfaces;
    private readonly int[] _surfaceTargets;

    private SpellingIndex(Dictionary<string, int> keys, string[] targets, string[] surfaces, int[] surfaceTargets)
    {
        _keys = keys;
        _lookup = keys.GetAlternateLookup<ReadOnlySpan<char>>();
        _targets = targets;
        _surfaces = surfaces;
        _surfaceTargets = surfaceTargets;
    }

    public int Count => _keys.Count;

    /// <summary>
    /// Builds the index from surface words (any case) and their normalised forms; words shorter than
    /// <see cref="MinLength"/> or with anything but letters in them are left out.
    /// </summary>
    public static SpellingIndex Build(IEnumerable<(string Surface, string Normalized)> words)
    {
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        var targets = new List<string>();
        var targetIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var surfaces = new List<string>();
        var surfaceTargets = new List<int>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (surface, normalized) in words)
        {
            if (surface.Length < MinLength || surface.Length > ConceptLexicon.MaxWordLength || !IsLetters(surface)) continue;
            var word = surface.ToLowerInvariant();
            if (!seen.Add(word)) continue;
            if (!targetIds.TryGetValue(normalized, out var target)) targetIds.Add(normalized, target = targets.Count);
            if (target == targets.Count) targets.Add(normalized);
            var id = surfaces.Count;
            surfaces.Add(word);
            surfaceTargets.Add(target);
            AddKey(word, id);
            for (var i = 1; i < word.Length; i++) AddKey(string.Concat(word.AsSpan(0, i), word.AsSpan(i + 1)), id);
        }
        return new SpellingIndex(keys, [.. targets], [.. surfaces], [.. surfaceTargets]);

        void AddKey(string key, int id)
        {
            if (!keys.TryGetValue(key, out var existing)) keys.Add(key, id);
            else if (existing != Ambiguous && surfaceTargets[existing] != surfaceTargets[id]) keys[key] = Ambiguous;
        }
    }

    /// <summary>
    /// The normalised form of the one known word within one edit (insertion, deletion, substitution or
    /// adjacent transposition, first letter kept) of <paramref name="word"/>, or null.
    /// </summary>
    public string? Correct(ReadOnlySpan<char> word)
    {
        if (word.Length < MinLength || word.Length > ConceptLexicon.MaxWordLength) return null;
        Span<char> lower = stackalloc char[word.Length];
        for (var i = 0; i < word.Length; i++)
        {
            var c = word[i];
            if (!char.IsAsciiLetter(c)) return null;
            lower[i] = (char)(c | 0x20);
        }
        var found = -2;
        if (!Probe(lower, lower, ref found)) return null;
        Span<char> deleted = stackalloc char[word.Length - 1];
        for (var i = 1; i < lower.Length; i++)
        {
            lower[..i].CopyTo(deleted);
            lower[(i + 1)..].CopyTo(deleted[i..]);
            if (!Probe(deleted, lower, ref found)) return null;
        }
        return found >= 0 ? _targets[found] : null;
    }

    /// <summary>False when the key is ambiguous or contradicts an earlier match (then nothing is corrected).</summary>
    private bool Probe(ReadOnlySpan<char> key, ReadOnlySpan<char> word, ref int found)
    {
        if (!_lookup.TryGetValue(key, out var id)) return true;
        if (id == Ambiguous) return false;
        // Two deletions can meet from two edits apart ("paris" / "parse"): keep true one-edit matches only.
        if (!WithinOneEdit(word, _surfaces[id])) return true;
        var target = _surfaceTargets[id];
        if (found >= 0 && found != target) return false;
        found = target;
        return true;
    }

    /// <summary>Optimal-string-alignment distance ≤ 1: one insertion, deletion, substitution or adjacent swap.</summary>
    internal static bool WithinOneEdit(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (Math.Abs(a.Length - b.Length) > 1) return false;
        var prefix = 0;
        while (prefix < a.Length && prefix < b.Length && a[prefix] == b[prefix]) prefix++;
        if (prefix == a.Length && prefix == b.Length) return true;
        if (a.Length == b.Length)
        {
            if (a[(prefix + 1)..].SequenceEqual(b[(prefix + 1)..])) return true; // substitution
            return prefix + 1 < a.Length && a[prefix] == b[prefix + 1] && a[prefix + 1] == b[prefix]
                && a[(prefix + 2)..].SequenceEqual(b[(prefix + 2)..]); // adjacent swap
        }
        return a.Length > b.Length ? a[(prefix + 1)..].SequenceEqual(b[prefix..]) : a[prefix..].SequenceEqual(b[(prefix + 1)..]);
    }

    private static bool IsLetters(string word)
    {
        foreach (var c in word)
            if (!char.IsAsciiLetter(c)) return false;
        return true;
    }
}
