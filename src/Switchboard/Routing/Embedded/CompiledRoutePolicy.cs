using System.Buffers;

namespace Switchboard.Routing;

/// <summary>
/// A policy prepared for the embedded router, once per policy fingerprint: every route as a weighted
/// feature vector over the policy's own words (stemmed, from names and descriptions) and the lexicon's
/// concepts those words point at, each feature scaled by how few routes share it (an IDF over routes).
/// </summary>
internal sealed class CompiledRoutePolicy : ITermLookup
{
    /// <summary>Route names say the intent most tersely: their words weigh more than description words.</summary>
    private const float NameBoost = 1.3f;
    private const float MaxFeatureWeight = 1.5f;
    /// <summary>Exact word matches count a little less than concept matches, which carry the generalisation.</summary>
    private const float LiteralWeight = 0.8f;
    /// <summary>Software words a route needs before a request without any software words is held against it.</summary>
    private const float SoftwareRouteEvidence = 2f;
    /// <summary>How strongly an item put as a question about the code ("what a module does", "where something lives") makes a route for explaining.</summary>
    private const float QuestionItemExplain = 1f;
    /// <summary>Literal weight of a route word the lexicon already maps to concepts.</summary>
    private const float KnownWordLiteralFactor = 0.35f;
    /// <summary>Weight of a subject that is the object of an action in the same aspect ("failing [tests]").</summary>
    private const float ActionObjectFactor = 0.6f;
    /// <summary>Words after a negator whose actions it cancels ("does not build or install").</summary>
    private const int NegationScope = 3;
    /// <summary>How strongly a negated action ("does not build") makes a route about failures.</summary>
    private const float NegatedActionFailure = 1f;

    private readonly Dictionary<string, int> _terms;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _termLookup;

    private CompiledRoutePolicy(RoutePolicy policy, Dictionary<string, int> terms, int conceptCount, float[] weights, float[] conceptWeights, float[] activityWeights, bool[] softwareRoutes, bool[] actionTerms, int[][] everydayTerms)
    {
        EverydayTerms = everydayTerms;
        ActivityWeights = activityWeights;
        ActionTerms = actionTerms;
        ConceptWeights = conceptWeights;
        Policy = policy;
        _terms = terms;
        _termLookup = terms.GetAlternateLookup<ReadOnlySpan<char>>();
        TermCount = terms.Count;
        ConceptCount = conceptCount;
        Weights = weights;
        SoftwareRoutes = softwareRoutes;
    }

    public RoutePolicy Policy { get; }

    public int TermCount { get; }

    public int ConceptCount { get; }

    /// <summary>Features: route terms first, then lexicon concepts (offset <see cref="TermCount"/>).</summary>
    public int FeatureCount => TermCount + ConceptCount;

    /// <summary>Route-major weights: <c>Weights[route * FeatureCount + feature]</c>, IDF applied.</summary>
    public float[] Weights { get; }

    /// <summary>How strongly each route is about each concept, before IDF: <c>[route * ConceptCount + concept]</c>.</summary>
    public float[] ConceptWeights { get; }

    /// <summary>
    /// The activities each route is for, <c>[route * ConceptCount + concept]</c>: action concepts named by its name or by the
    /// verb opening an item of its description ("designing HTTP APIs", "reviewing a pull request"), not by the nouns of an
    /// item ("error formats", "slow builds").
    /// </summary>
    public float[] ActivityWeights { get; }

    /// <summary>Routes whose descriptions are about software (a request with no software words fits them less).</summary>
    public bool[] SoftwareRoutes { get; }

    /// <summary>Per route term: whether its word names an action ("write", "fix"), so it says what to do rather than what about.</summary>
    public bool[] ActionTerms { get; }

    /// <summary>
    /// Per route, the terms of the words it lists from a miscellany ("cat", "homework", "garden" of "everyday"): the
    /// miscellany concept does not make the route about the others, but a request naming that same word is its business.
    /// </summary>
    public int[][] EverydayTerms { get; }

    /// <summary>The policy's words (normalised) and their feature ids.</summary>
    public IReadOnlyDictionary<string, int> Terms => _terms;

    public int FindTerm(ReadOnlySpan<char> normalized) => _termLookup.TryGetValue(normalized, out var id) ? id : -1;

    public SpellingIndex? Spelling { get; private init; }

    public static CompiledRoutePolicy Compile(RoutePolicy policy, ConceptLexicon.Compiled lexicon)
    {
        var routeCount = policy.Routes.Count;
        var terms = new Dictionary<string, int>(StringComparer.Ordinal);
        var actionTerms = new List<bool>();
        var termWeights = new List<Dictionary<int, float>>(routeCount);
        var conceptWeights = new float[routeCount, lexicon.ConceptCount];
        var software = new bool[routeCount];
        var evidences = new float[routeCount];
        var explainsByQuestions = new bool[routeCount];
        var activityWeights = new float[routeCount * lexicon.ConceptCount];
        var everydayTerms = new int[routeCount][];
        var tokens = ArrayPool<Token>.Shared.Rent(64);
        var words = new List<string>();
        var ids = new int[ConceptLexicon.MaxPhraseWords];
        try
        {
            for (var r = 0; r < routeCount; r++)
            {
                var routeTerms = new Dictionary<int, float>();
                termWeights.Add(routeTerms);
                var routeEveryday = new HashSet<int>();
                var evidence = 0f;
                foreach (var (text, boost) in new[] { (policy.Routes[r].Name, NameBoost), (policy.Routes[r].Description, 1f) })
                {
                    words.Clear();
                    var signals = default(TurnSignals);
                    var count = TextTokenizer.Tokenize(text ?? "", lexicon, terms: null, ref tokens, ref signals, words);
                    // Aspects: the comma/and/or-separated items of a description. In an aspect that names an
                    // action ("failing tests", "improving documentation") its subjects are that action's
                    // objects, so they count less than subjects standing alone ("README files").
                    // Only subjects after the action are its objects: "performance problems" stays about performance.
                    var afterAction = new bool[count];
                    // A verb under a negation is not the route's activity. A negated state describes a failure: "code that
                    // does not build or install", "Won't Compile" are about build failures, not about building code. An
                    // exclusion ("without changing it", "not for writing code") only takes the action away.
                    var negated = new Negation[count];
                    // A phrase the lexicon weighs against a concept ("the build", "green build" against writing code) takes
                    // that concept from its words: in a route as in a request, "the build is red" asks for no new code.
                    var cancelled = new List<(int Token, int Concept)>();
                    var actionSeen = false;
                    var negatedUntil = -1;
                    var negation = Negation.None;
                    for (var k = 0; k < count; k++)
                    {
                        var separator = words[k] is "and" or "or";
                        var clauseStart = (tokens[k].Flags & (TokenFlags.ClauseStart | TokenFlags.SentenceStart)) != 0;
                        if (separator || clauseStart) actionSeen = false;
                        if (clauseStart) negatedUntil = -1;
                        afterAction[k] = actionSeen;
                        negated[k] = k <= negatedUntil ? negation : Negation.None;
                        if (!separator && HasAction(tokens, k, count)) actionSeen = true;
                        CancelledBy(tokens, k, count, cancelled);
                        // "what a module does, where something lives, how the parts talk": an item put as a question (not "how to …")
                        // names what the route answers about the code, so it is for explaining (kept only for a software route).
                        if ((clauseStart || k == 0) && tokens[k].Word >= 0 && (lexicon.Flags[tokens[k].Word] & WordFlags.WhOpener) != 0
                            && k + 1 < count && words[k + 1] != "to") explainsByQuestions[r] = true;
                        if (tokens[k].Word >= 0 && (lexicon.Flags[tokens[k].Word] & (WordFlags.Negator | WordFlags.StateNegator)) != 0)
                        {
                            negatedUntil = k + NegationScope;
                            negation = NegatesState(lexicon.Flags[tokens[k].Word], words, k) ? Negation.Failure : Negation.Excluded;
                        }
                    }

                    for (var k = 0; k < count; k++)
                    {
                        // "questions about invoices": the framing of a description, not what the route is about.
                        if (IsFraming(words, k, count)) continue;
                        var word = tokens[k].Word;
                        var flags = word >= 0 ? lexicon.Flags[word] : WordFlags.None;
                        var objectFactor = afterAction[k] ? ActionObjectFactor : 1f;
                        if ((flags & WordFlags.Stopword) == 0 && words[k].Length > 1 && !IsNumber(words[k]))
                        {
                            // A word the lexicon already maps to concepts matches through them; its literal
                            // form only breaks ties (else "writing" would pull every "write" request).
                            var literal = boost * (word >= 0 && HasScoredConcept(word) ? KnownWordLiteralFactor : 1f);
                            if (!terms.TryGetValue(words[k], out var term))
                            {
                                terms.Add(words[k], term = terms.Count);
                                actionTerms.Add(word >= 0 && NamesAction(word));
                            }
                            routeTerms[term] = Math.Max(routeTerms.GetValueOrDefault(term), literal);
                            if (word >= 0 && InMiscellany(word)) routeEveryday.Add(term);
                        }
                        // A route is for the activity its name says, or the verb opening an item of its description
                        // ("designing HTTP APIs"); "slow code, queries, builds or pages" lists things, "builds" among them,
                        // but a sentence's first word is its verb even in the third person ("Fixes bugs and crashes").
                        var listedNoun = (tokens[k].Flags & TokenFlags.EndsInS) != 0 && k > 0 && (tokens[k].Flags & TokenFlags.SentenceStart) == 0;
                        var activity = word >= 0 && (boost > 1f || !afterAction[k] && !listedNoun
                            && (flags & (WordFlags.ActionVerb | WordFlags.ActivityNoun)) != 0);
                        if (word >= 0)
                            foreach (var cw in lexicon.WordConcepts[word])
                            {
                                if (cancelled.Contains((k, cw.Concept))) continue;
                                if (negated[k] != Negation.None && lexicon.ConceptKinds[cw.Concept] == ConceptLexicon.Kind.Action)
                                {
                                    // What fails to happen is the route's business: "does not work" is for debugging it. A build that
                                    // fails ("does not build or install") is a build failure: what the route is about, not debugging
                                    // in general, so runtime bugs are not thereby its business.
                                    if (negated[k] == Negation.Excluded || (flags & WordFlags.ActionVerb) == 0 && !IsBuildVerb(words[k])) continue;
                                    var failure = new ConceptWeight(lexicon.DebugConcept, NegatedActionFailure);
                                    Add(r, failure, boost, 1f, ref evidence);
                                    if (IsBuildVerb(words[k])) Add(r, new ConceptWeight(lexicon.BuildFailureConcept, NegatedActionFailure), boost, 1f, ref evidence);
                                    else AddActivity(r, failure);
                                    continue;
                                }
                                Add(r, cw, boost, objectFactor, ref evidence);
                                if (activity) AddActivity(r, cw);
                            }
                        // Phrases starting here ("data flow", "release notes", "walk through").
                        for (var n = 2; n <= ConceptLexicon.MaxPhraseWords && k + n <= count; n++)
                        {
                            if (tokens[k + n - 1].Word < 0 || word < 0) break;
                            for (var p = 0; p < n; p++) ids[p] = tokens[k + p].Word;
                            if (lexicon.Phrases.TryGetValue(ConceptLexicon.PhraseKey(ids.AsSpan(0, n)), out var concepts))
                            {
                                // "Won't Compile", "broken builds": a build failure named is the route's subject; the debugging it
                                // also reads as is not an activity the route is for.
                                var buildFailure = Array.Exists(concepts, cw => cw.Concept == lexicon.BuildFailureConcept);
                                foreach (var cw in concepts)
                                {
                                    if (cw.Weight <= 0 || negated[k] != Negation.None && lexicon.ConceptKinds[cw.Concept] == ConceptLexicon.Kind.Action) continue;
                                    Add(r, cw, boost, objectFactor, ref evidence);
                                    if (activity && !(buildFailure && cw.Concept == lexicon.DebugConcept)) AddActivity(r, cw);
                                }
                            }
                        }
                    }
                }
                evidences[r] = evidence;
                everydayTerms[r] = [.. routeEveryday];
            }
        }
        finally
        {
            ArrayPool<Token>.Shared.Return(tokens);
        }

        for (var r = 0; r < routeCount; r++)
        {
            software[r] = evidences[r] >= SoftwareRouteEvidence;
            if (!software[r] || !explainsByQuestions[r]) continue;
            conceptWeights[r, lexicon.ExplainConcept] = Math.Max(conceptWeights[r, lexicon.ExplainConcept], QuestionItemExplain);
            ref var explains = ref activityWeights[r * lexicon.ConceptCount + lexicon.ExplainConcept];
            explains = Math.Max(explains, QuestionItemExplain);
        }

        // IDF over routes: a feature every route has does not help choose between them.
        var featureCount = terms.Count + lexicon.ConceptCount;
        var weights = new float[routeCount * featureCount];
        // Soft document frequency: a route that mentions a feature in passing counts as a fraction of one
        // that is about it, so "code" (central to one route, incidental to others) still discriminates.
        var strongest = new float[featureCount];
        var raw = new float[routeCount, featureCount];
        for (var r = 0; r < routeCount; r++)
        {
            foreach (var (term, weight) in termWeights[r]) raw[r, term] = weight;
            for (var c = 0; c < lexicon.ConceptCount; c++) raw[r, terms.Count + c] = conceptWeights[r, c];
            for (var f = 0; f < featureCount; f++) strongest[f] = Math.Max(strongest[f], raw[r, f]);
        }
        var documentFrequency = new float[featureCount];
        for (var r = 0; r < routeCount; r++)
            for (var f = 0; f < featureCount; f++)
                if (raw[r, f] > 0) documentFrequency[f] += raw[r, f] / strongest[f];
        for (var r = 0; r < routeCount; r++)
        {
            var row = weights.AsSpan(r * featureCount, featureCount);
            foreach (var (term, weight) in termWeights[r])
                row[term] = LiteralWeight * Math.Min(weight, MaxFeatureWeight) * Idf(routeCount, documentFrequency[term]);
            for (var c = 0; c < lexicon.ConceptCount; c++)
            {
                var weight = conceptWeights[r, c];
                if (weight > 0) row[terms.Count + c] = Math.Min(weight, MaxFeatureWeight) * Idf(routeCount, documentFrequency[terms.Count + c]);
            }
        }
        var rawConcepts = new float[routeCount * lexicon.ConceptCount];
        for (var r = 0; r < routeCount; r++)
            for (var c = 0; c < lexicon.ConceptCount; c++) rawConcepts[r * lexicon.ConceptCount + c] = conceptWeights[r, c];
        return new CompiledRoutePolicy(policy, terms, lexicon.ConceptCount, weights, rawConcepts, activityWeights, software, [.. actionTerms], everydayTerms)
        {
            Spelling = SpellingIndex.Build(SurfaceWords(policy)),
        };

        void Add(int route, ConceptWeight cw, float boost, float objectFactor, ref float evidence)
        {
            var kind = lexicon.ConceptKinds[cw.Concept];
            // As for requests: what a route is about shows it is about software, not its verbs.
            if (lexicon.ConceptSoftware[cw.Concept] && kind != ConceptLexicon.Kind.Action) evidence += cw.Weight;
            if (kind == ConceptLexicon.Kind.Evidence) return;
            // A miscellany ("everyday": birthdays, kids, diets, the weather) groups words that share nothing but not being
            // about software: a route that lists "a diet" or "feeding a family" is not thereby about birthdays or pets.
            if (lexicon.ConceptMiscellany[cw.Concept]) return;
            var weight = cw.Weight * boost * (kind == ConceptLexicon.Kind.Subject ? objectFactor : 1f);
            conceptWeights[route, cw.Concept] = Math.Max(conceptWeights[route, cw.Concept], weight);
        }

        void AddActivity(int route, ConceptWeight cw)
        {
            if (lexicon.ConceptKinds[cw.Concept] != ConceptLexicon.Kind.Action) return;
            ref var weight = ref activityWeights[route * lexicon.ConceptCount + cw.Concept];
            weight = Math.Max(weight, cw.Weight);
        }

        // The phrases starting at k that the lexicon weighs against a concept ("the build", "green build"), as (token, concept) for
        // each word after the first: a determiner or an adjective before a verb-like word makes it a noun, while "build jobs"
        // may still be an item's verb.
        void CancelledBy(Token[] tokens, int k, int count, List<(int, int)> cancelled)
        {
            if (tokens[k].Word < 0) return;
            for (var n = 2; n <= ConceptLexicon.MaxPhraseWords && k + n <= count; n++)
            {
                if (tokens[k + n - 1].Word < 0) break;
                for (var p = 0; p < n; p++) ids[p] = tokens[k + p].Word;
                if (!lexicon.Phrases.TryGetValue(ConceptLexicon.PhraseKey(ids.AsSpan(0, n)), out var concepts)) continue;
                foreach (var cw in concepts)
                    if (cw.Weight < 0)
                        for (var p = 1; p < n; p++) cancelled.Add((k + p, cw.Concept));
            }
        }

        bool NamesAction(int word)
        {
            foreach (var cw in lexicon.WordConcepts[word])
                if (lexicon.ConceptKinds[cw.Concept] == ConceptLexicon.Kind.Action && cw.Weight >= 0.5f) return true;
            return false;
        }

        bool InMiscellany(int word)
        {
            foreach (var cw in lexicon.WordConcepts[word])
                if (lexicon.ConceptMiscellany[cw.Concept]) return true;
            return false;
        }

        bool HasScoredConcept(int word)
        {
            foreach (var cw in lexicon.WordConcepts[word])
                if (lexicon.ConceptKinds[cw.Concept] != ConceptLexicon.Kind.Evidence) return true;
            return false;
        }

        bool HasAction(Token[] tokens, int k, int count)
        {
            if (tokens[k].Word < 0) return false;
            foreach (var cw in lexicon.WordConcepts[tokens[k].Word])
                if (lexicon.ConceptKinds[cw.Concept] == ConceptLexicon.Kind.Action && cw.Weight >= 0.7f) return true;
            for (var n = 2; n <= ConceptLexicon.MaxPhraseWords && k + n <= count; n++)
            {
                if (tokens[k + n - 1].Word < 0) break;
                for (var p = 0; p < n; p++) ids[p] = tokens[k + p].Word;
                if (!lexicon.Phrases.TryGetValue(ConceptLexicon.PhraseKey(ids.AsSpan(0, n)), out var concepts)) continue;
                foreach (var cw in concepts)
                    if (lexicon.ConceptKinds[cw.Concept] == ConceptLexicon.Kind.Action && cw.Weight >= 0.7f) return true;
            }
            return false;
        }
    }

    private enum Negation : byte
    {
        None,
        /// <summary>"without changing it", "not for writing code": the action is left out.</summary>
        Excluded,
        /// <summary>"does not build", "won't compile", "can't install": the action fails, which is what the route is for.</summary>
        Failure,
    }

    /// <summary>
    /// A negated state: a contracted auxiliary ("doesnt", "wont", "cant") or "not"/"never" right after an auxiliary ("does not
    /// build", "will never compile"). "no", "without", "dont" and a bare "not" exclude an action instead.
    /// </summary>
    private static bool NegatesState(WordFlags flags, List<string> words, int k) =>
        (flags & WordFlags.StateNegator) != 0 && (flags & WordFlags.Negator) == 0
        || words[k] is "not" or "never" && k > 0 && IsAuxiliary(words[k - 1]);

    /// <summary>Verbs whose failure is a build failure ("does not build", "won't install"), as stemmed.</summary>
    private static bool IsBuildVerb(string word) => word is "build" or "compil" or "compile" or "instal" or "install" or "link";

    /// <summary>Auxiliaries as written and as stemmed ("does" → "doe", "was" → "wa", "has" → "ha").</summary>
    private static bool IsAuxiliary(string word) => word is "do" or "doe" or "does" or "did" or "is" or "are" or "wa" or "was"
        or "were" or "will" or "can" or "could" or "would" or "should" or "ha" or "has" or "have" or "had" or "may" or "might" or "must";

    /// <summary>"questions about …", "queries regarding …", "help with …": a description's framing words.</summary>
    private static bool IsFraming(List<string> words, int k, int count) =>
        k + 1 < count && words[k] is "question" or "questions" or "queri" or "query" or "queries" or "inquiri" or "help" or "request" or "requests"
        && words[k + 1] is "about" or "on" or "regard" or "regarding" or "concern" or "concerning" or "with" or "relat" or "related";

    /// <summary>The routes' words as written, with their normalised forms (for typo tolerance).</summary>
    private static IEnumerable<(string, string)> SurfaceWords(RoutePolicy policy)
    {
        Span<char> buffer = stackalloc char[ConceptLexicon.MaxWordLength];
        var words = new List<(string, string)>();
        foreach (var route in policy.Routes)
            foreach (var text in new[] { route.Name, route.Description })
                foreach (var word in (text ?? "").Split(WordSeparators, StringSplitOptions.RemoveEmptyEntries))
                {
                    var length = ConceptLexicon.Normalize(word, buffer);
                    if (length > 0) words.Add((word, new string(buffer[..length])));
                }
        return words;
    }

    private static readonly char[] WordSeparators = [' ', '\t', '\n', '\r', ',', '.', ';', ':', '(', ')', '/', '"', '\'', '-', '!', '?'];

    private static float Idf(int routes, float documentFrequency) =>
        documentFrequency <= 0 ? 0 : MathF.Log(1f + routes / documentFrequency);

    private static bool IsNumber(string word)
    {
        foreach (var c in word)
            if (!char.IsAsciiDigit(c)) return false;
        return true;
    }
}
