using System.Globalization;

namespace Switchboard.Routing;

/// <summary>A concept a word or phrase points at, with how strongly.</summary>
internal readonly record struct ConceptWeight(int Concept, float Weight);

[Flags]
internal enum WordFlags : uint
{
    None = 0,
    Stopword = 1 << 0,
    Acknowledgement = 1 << 1,
    Negator = 1 << 2,
    StateNegator = 1 << 3,
    ActionVerb = 1 << 4,
    ClauseBreaker = 1 << 5,
    ObjectEnder = 1 << 6,
    LeadFiller = 1 << 7,
    FollowUp = 1 << 8,
    Demonstrative = 1 << 9,
    Gratitude = 1 << 10,
    LeadFrame = 1 << 11,
    Announcer = 1 << 12,
    Contrast = 1 << 13,
    YesNoOpener = 1 << 14,
    WhOpener = 1 << 15,
    ActivityNoun = 1 << 16,
}

/// <summary>
/// The compiled concept lexicon: normalised words → ids, flags and concepts; phrases of up to four words.
/// Built once per process from <see cref="ConceptLexicon.Definitions"/>; immutable and shared across threads.
/// </summary>
internal static partial class ConceptLexicon
{
    public const int MaxPhraseWords = 4;
    public const int MaxWordLength = 48;

    private const string ContinuationWordList = "and or also plus but then";

    private static readonly Lazy<Compiled> Shared = new(Compile);

    public static Compiled Instance => Shared.Value;

    internal sealed class Compiled
    {
        private readonly Dictionary<string, int> _words = null!;
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        public required Dictionary<string, int> Words
        {
            get => _words;
            init { _words = value; _lookup = value.GetAlternateLookup<ReadOnlySpan<char>>(); }
        }

        public required WordFlags[] Flags { get; init; }
        public required ConceptWeight[][] WordConcepts { get; init; }
        public required Dictionary<ulong, ConceptWeight[]> Phrases { get; init; }
        public required Dictionary<ulong, WordFlags> PhraseFlags { get; init; }
        public required string[] ConceptNames { get; init; }
        public required Kind[] ConceptKinds { get; init; }
        public required bool[] ConceptSoftware { get; init; }
        /// <summary>Concepts whose words have nothing in common beyond not being software (<see cref="Definition.Miscellany"/>).</summary>
        public required bool[] ConceptMiscellany { get; init; }
        /// <summary>The broader activity each concept is a kind of (<see cref="Definition.Within"/>), or -1.</summary>
        public required int[] ConceptWithin { get; init; }
        public required int DebugConcept { get; init; }
        /// <summary>A build, an install or a test run that fails ("won't compile", "the build is red"), apart from runtime bugs.</summary>
        public required int BuildFailureConcept { get; init; }
        public required int ExistingConcept { get; init; }
        public required int ArtifactConcept { get; init; }
        /// <summary>"the": a determiner, but not one that points at existing code.</summary>
        public required int TheWord { get; init; }
        public required int QuestionConcept { get; init; }
        public required int ChatConcept { get; init; }
        public required int ChoiceConcept { get; init; }
        public required int ExplainConcept { get; init; }
        public required int ReviewConcept { get; init; }
        public required int PerformanceConcept { get; init; }
        public required int DesignConcept { get; init; }
        public required int SystemsConcept { get; init; }
        public required int TechnologyConcept { get; init; }
        public required int OrWord { get; init; }
        /// <summary>"you": after the auxiliary it makes a question a polite request ("can you check …").</summary>
        public required int YouWord { get; init; }
        /// <summary>"it", "there": subjects a question about given code opens with ("will it leak?", "is there a race?").</summary>
        public required int ItWord { get; init; }
        public required int ThereWord { get; init; }
        /// <summary>"if": in a question, what follows is a hypothesis ("what happens if the gateway times out?").</summary>
        public required int IfWord { get; init; }
        /// <summary>"a" (and "an" is close enough to never start a request).</summary>
        public required int ArticleWord { get; init; }

        public int ConceptCount => ConceptNames.Length;

        /// <summary>Words that open a turn continuing the previous one ("and now the tests", "or the other file").</summary>
        public required HashSet<int> ContinuationWords { get; init; }

        /// <summary>Typo tolerance over every word the lexicon spells out.</summary>
        public required SpellingIndex Spelling { get; init; }

        /// <summary>Id of a normalised word, or -1. No allocation.</summary>
        public int Find(ReadOnlySpan<char> normalized) => _lookup.TryGetValue(normalized, out var id) ? id : -1;
    }

    /// <summary>Packs up to four word ids into a phrase key (ids + 1, 16 bits each).</summary>
    public static ulong PhraseKey(ReadOnlySpan<int> wordIds)
    {
        ulong key = 0;
        for (var i = 0; i < wordIds.Length; i++) key |= (ulong)(uint)(wordIds[i] + 1) << (16 * i);
        return key;
    }

    /// <summary>
    /// Lower-cases, drops apostrophes and stems one word into <paramref name="destination"/>; returns its
    /// length (0 when nothing is left). The same normalisation serves the lexicon, route descriptions and text.
    /// </summary>
    public static int Normalize(ReadOnlySpan<char> word, Span<char> destination)
    {
        var length = 0;
        foreach (var c in word)
        {
            if (c is '\'' or '\u2019') continue;
            if (length == destination.Length) return 0; // too long to be a word worth matching
            destination[length++] = c is >= 'A' and <= 'Z' ? (char)(c + 32) : char.ToLowerInvariant(c);
        }
        if (length == 0) return 0;
        // Language names spelt with symbols ('+' also joins lexicon phrases, so they get word spellings).
        if (length >= 2 && destination[length - 1] is '+' or '#')
        {
            var spelled = destination[..length] switch
            {
                "c++" => "cpp",
                "c#" => "csharp",
                "f#" => "fsharp",
                _ => null,
            };
            if (spelled is null || spelled.Length > destination.Length) return 0;
            spelled.AsSpan().CopyTo(destination);
            return spelled.Length;
        }
        // Technical nouns the stemmer would merge with an action ("generator" → "gener", like "generate";
        // "naming" → "name", like a pet's name): kept whole so they do not vote for that action.
        if (KeepWhole(destination[..length]) is { } whole) return whole;
        return PorterStemmer.Stem(destination[..length]);
    }

    private static int? KeepWhole(ReadOnlySpan<char> word) => word switch
    {
        "generator" or "generators" => "generator".Length,
        "naming" => word.Length,
        _ => null,
    };

    private static Compiled Compile()
    {
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        var flags = new List<WordFlags>();
        var wordConcepts = new List<List<ConceptWeight>?>();
        var phrases = new Dictionary<ulong, List<ConceptWeight>>();
        var phraseFlags = new Dictionary<ulong, WordFlags>();
        var surfaces = new List<(string, string)>();

        static int ConceptIndex(string[] names, string name)
        {
            var index = Array.IndexOf(names, name);
            return index >= 0 ? index : throw new InvalidOperationException($"lexicon concept '{name}' (a broader activity) is not defined");
        }

        int Intern(string word)
        {
            Span<char> buffer = stackalloc char[MaxWordLength];
            var length = Normalize(word, buffer);
            if (length == 0) throw new InvalidOperationException($"lexicon word '{word}' normalises to nothing");
            var key = new string(buffer[..length]);
            surfaces.Add((word, key));
            if (words.TryGetValue(key, out var id)) return id;
            id = words.Count;
            words.Add(key, id);
            flags.Add(WordFlags.None);
            wordConcepts.Add(null);
            return id;
        }

        ulong Key(string phrase)
        {
            var parts = phrase.Split('+');
            if (parts.Length > MaxPhraseWords) throw new InvalidOperationException($"phrase too long: {phrase}");
            Span<int> ids = stackalloc int[parts.Length];
            for (var i = 0; i < parts.Length; i++) ids[i] = Intern(parts[i]);
            return PhraseKey(ids);
        }

        void Mark(string list, WordFlags flag)
        {
            foreach (var entry in list.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                if (entry.Contains('+'))
                {
                    var key = Key(entry);
                    phraseFlags[key] = phraseFlags.GetValueOrDefault(key) | flag;
                }
                else
                {
                    var id = Intern(entry);
                    flags[id] |= flag;
                }
            }
        }

        var names = new string[Definitions.Length];
        var kinds = new Kind[Definitions.Length];
        var software = new bool[Definitions.Length];
        for (var concept = 0; concept < Definitions.Length; concept++)
        {
            var definition = Definitions[concept];
            names[concept] = definition.Name;
            kinds[concept] = definition.Kind;
            software[concept] = definition.Software;
            foreach (var entry in definition.Entries.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = entry.LastIndexOf('=');
                var text = equals > 0 ? entry[..equals] : entry;
                var weight = equals > 0 ? float.Parse(entry.AsSpan(equals + 1), CultureInfo.InvariantCulture) : 1f;
                if (text.Contains('+'))
                {
                    var key = Key(text);
                    if (!phrases.TryGetValue(key, out var list)) phrases[key] = list = [];
                    Upsert(list, concept, weight);
                }
                else
                {
                    var id = Intern(text);
                    Upsert(wordConcepts[id] ??= [], concept, weight);
                }
            }
        }

        Mark(Stopwords, WordFlags.Stopword);
        Mark(Acknowledgements, WordFlags.Acknowledgement);
        Mark(Negators, WordFlags.Negator);
        Mark(StateNegators, WordFlags.StateNegator);
        Mark(ActionVerbs, WordFlags.ActionVerb);
        Mark(ClauseBreakers, WordFlags.ClauseBreaker);
        Mark(ContrastWords, WordFlags.Contrast);
        Mark(ObjectEnders, WordFlags.ObjectEnder);
        Mark(LeadFillers, WordFlags.LeadFiller);
        Mark(FollowUpMarkers, WordFlags.FollowUp);
        Mark(Gratitude, WordFlags.Gratitude);
        Mark(LeadFrames, WordFlags.LeadFrame);
        Mark(RequestAnnouncers, WordFlags.Announcer);
        Mark(YesNoOpeners, WordFlags.YesNoOpener);
        Mark(WhOpeners, WordFlags.WhOpener);
        Mark(ActivityNouns, WordFlags.ActivityNoun);
        Mark("this these that those my our your his her their its the", WordFlags.Demonstrative);

        return new Compiled
        {
            Words = words,
            Flags = [.. flags],
            WordConcepts = [.. wordConcepts.Select(l => l?.ToArray() ?? [])],
            Phrases = phrases.ToDictionary(p => p.Key, p => p.Value.ToArray()),
            PhraseFlags = phraseFlags,
            ConceptNames = names,
            ConceptKinds = kinds,
            ConceptSoftware = software,
            ConceptMiscellany = [.. Definitions.Select(d => d.Miscellany)],
            ConceptWithin = [.. Definitions.Select(d => d.Within is null ? -1 : ConceptIndex(names, d.Within))],
            DebugConcept = Array.IndexOf(names, "debug"),
            BuildFailureConcept = Array.IndexOf(names, "buildfail"),
            ExistingConcept = Array.IndexOf(names, "existing"),
            ArtifactConcept = Array.IndexOf(names, "artifact"),
            TheWord = words["the"],
            QuestionConcept = Array.IndexOf(names, "question"),
            ChatConcept = Array.IndexOf(names, "chat"),
            ChoiceConcept = Array.IndexOf(names, "choice"),
            ExplainConcept = Array.IndexOf(names, "explain"),
            ReviewConcept = Array.IndexOf(names, "review"),
            PerformanceConcept = Array.IndexOf(names, "performance"),
            DesignConcept = Array.IndexOf(names, "design"),
            SystemsConcept = Array.IndexOf(names, "systems"),
            TechnologyConcept = Array.IndexOf(names, "technology"),
            OrWord = words["or"],
            YouWord = words["you"],
            ItWord = words["it"],
            ThereWord = words["there"],
            IfWord = words["if"],
            ArticleWord = words["a"],
            ContinuationWords = [.. ContinuationWordList.Split(' ').Where(words.ContainsKey).Select(w => words[w])],
            Spelling = SpellingIndex.Build(surfaces),
        };

        static void Upsert(List<ConceptWeight> list, int concept, float weight)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i].Concept != concept) continue;
                if (weight > list[i].Weight) list[i] = new ConceptWeight(concept, weight);
                return;
            }
            list.Add(new ConceptWeight(concept, weight));
        }
    }
}
