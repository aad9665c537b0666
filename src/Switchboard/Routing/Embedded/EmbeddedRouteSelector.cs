using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using Switchboard.Config;
using Switchboard.Routing.Semantic;

namespace Switchboard.Routing;

/// <summary>
/// The "embedded" router: in-process, offline, deterministic, no model download. It reads the conversation
/// the way a person skimming it would: the latest user request first, the verb it opens with ("write",
/// "explain", "fix", "design", "document"), what the request is about, symptoms such as stack traces and
/// "it hangs", negations ("no need to rewrite it"), and earlier turns when the latest one is a short follow-up.
/// Words map to routes through the route's own words and through generic software-engineering concepts
/// (<see cref="ConceptLexicon"/>), so it works for routes it has never seen. Below a confidence threshold
/// the answer is "other".
/// </summary>
internal sealed class EmbeddedRouteSelector : IRouteSelector
{
    /// <summary>Default minimum confidence (score / (score + 1)) for picking a route rather than "other".</summary>
    public const double DefaultThreshold = 0.30;

    private const int MaxCachedPolicies = 64;
    private const int MaxContextTurns = 3;

    // Where a word sits changes what it says.
    private const float LeadVerbBoost = 1.6f;       // "Write …", "Explain …": the request's own verb
    private const float LaterLeadVerbBoost = 1.3f;  // "… . Fix it."
    private const float ObjectHeadBoost = 1.3f;     // "write a troubleshooting [guide] for …"
    private const float TopicTailFactor = 0.4f;    // "write a guide [for common installation errors]"

    // How much earlier turns count.
    private const float UninformativeThreshold = 0.8f;
    private const float ContextWhenUninformative = 0.85f;
    private const float ContextWhenFollowUp = 0.5f;
    private const float ContextWhenInformative = 0.2f;
    // Latest intent wins: a full request of its own ("what is the capital of France?" after a coding turn) borrows
    // almost nothing from earlier turns, and their software words do not make it a software request.
    private const float ContextWhenOwnIntent = 0.08f;
    private const int OwnIntentMinimumTokens = 6;
    private const int OwnQuestionMinimumTokens = 4;   // a question without software words or code: "why do cats knead blankets?"
    private const float AssistantShare = 0.15f;
    private const float SymptomReportMinimum = 0.5f;
    private const float ContextWhenSymptom = 0.2f;
    private const float ConstructChoiceMinimum = 0.4f;
    private const float ConstructChoiceShift = 0.7f;
    private const float TechnologyChoiceWeight = 1.2f;
    private const float BackgroundFactor = 0.2f;    // what a turn said before "My ask:" / "The question:"
    // A statement beside the turn's request ("Tests are green and the PR is up. Write the PR description.") sets the scene;
    // a symptom stated there still counts in full unless the sentence reports work done ("We fixed the login bug.").
    private const float StatementFactor = 0.5f;
    private const int MaxSentences = 32;
    // Latest intent wins: when the latest request opens with its own verb ("rewrite it in python", "put a comment above
    // it"), earlier turns say what "it" is, not what to do with it.
    private const float EarlierActionFactor = 0.3f;
    private const int AnnouncerReach = 5;            // words before the colon in which the announcing noun may stand
    // A question about given code ("is this thread safe?", "will it leak if …?", "why does this work?") asks to assess or
    // explain it: the failure words in it are what might happen, not what did, unless the turn states a failure elsewhere.
    private const float HypotheticalSymptomFactor = 0.15f;
    private const float PropertyQuestionWeight = 0.6f;
    private const float StatedFailureMinimum = 0.5f;  // failure words in the turn's statements that make it a report
    private const float ReasonSymptomMaximum = 0.55f; // failure words beyond its frame a why/how question may hold
    private const int DefiniteReach = 2;              // "the memory leak": words a determiner makes definite
    private const int DiagnosisReach = 4;             // "is that [a real problem]": the words naming what it might be

    // A request with no software words at all fits software routes less ("tell me a joke").
    private const float SoftwareEvidenceNeeded = 0.5f;
    private const float NonSoftwarePenalty = 0.12f;
    private const float OffTopicPenalty = 0.35f;
    private const float CoveredSubjectMinimum = 0.3f;
    // Mass of topics named (not the "everyday" miscellany: "outside", "kids") that makes a request clearly about one.
    private const float NamedTopicMinimum = 1.5f;
    private const float QuestionWeight = 0.5f;
    // Words beyond thanks and filler that make a thank-you on an everyday policy a request too (IsAcknowledgement).
    private const int ThankedRequestWords = 3;

    // The request's own verb names the job: routes that never mention that kind of job fit less.
    private const float LeadConceptMinimum = 0.7f;
    private const float LeadMismatchPenalty = 0.75f;
    private const float SecondActionMinimum = 0.6f;
    private const float SecondSubjectMinimum = 0.85f;

    // Activity coverage: a request whose activity no route is for ("fix this crash" on a policy with no debugging route)
    // fits every route far less, unless what it is about matches a route this strongly (route words and subjects).
    private const float ActivityWordMinimum = 0.5f;      // a leading word's reading that counts as its activity
    private const float StatedActivityMinimum = 0.6f;    // with no leading verb, the clearest action the turn states
    private const float ObjectMatchMinimum = 1f;
    private const float UncoveredActivityFactor = 0.15f;

    // Identifiers ("NewClient", `os.ReadFile`) name things; they do not ask for anything.
    private const float CodeShapedFactor = 0.3f;
    // Bullet-list lines are material (notes, commit subjects, requirements), not the request itself.
    private const float ListedFactor = 0.35f;

    private readonly ConceptLexicon.Compiled _lexicon = ConceptLexicon.Instance;
    private readonly int _didWord = ConceptLexicon.Instance.Words.GetValueOrDefault("did", -1);
    private readonly int _youWord = ConceptLexicon.Instance.Words.GetValueOrDefault("you", -1);
    // The assistant and the code at hand as a question's subject (AsksAboutEarlierWork); "my …" may be anything.
    private readonly HashSet<int> _pointerWords = [.. new[] { "you", "this", "that", "these", "those" }.Select(w => ConceptLexicon.Instance.Words.GetValueOrDefault(w, -1))];
    private readonly ConcurrentDictionary<string, CompiledRoutePolicy> _policies = new(StringComparer.Ordinal);
    private readonly double _threshold;
    private readonly SemanticMode _semanticMode;
    private readonly SemanticStage? _semantic;

    /// <summary>The lexical stage alone (deterministic, microseconds): unit tests and the lexical benchmarks.</summary>
    public EmbeddedRouteSelector(double? threshold = null)
    {
        _threshold = threshold is > 0 and < 1 ? threshold.Value : DefaultThreshold;
        _semanticMode = SemanticMode.Off;
    }

    /// <summary>With a semantic second stage for the policies that want it (<see cref="SemanticStage.Wants"/>).</summary>
    public EmbeddedRouteSelector(double? threshold, SemanticMode semantic, SemanticStage? stage = null) : this(threshold)
    {
        _semanticMode = semantic;
        _semantic = semantic == SemanticMode.Off ? null : stage ?? SemanticStage.Shared;
    }

    public EmbeddedRouteSelector(RoutingConfig config) : this(config?.Threshold, config?.Semantic ?? SemanticMode.Auto)
    {
    }

    /// <summary>The semantic stage when this policy uses it (else null); starts preparing it in the background.</summary>
    public SemanticStage? SemanticFor(RoutePolicy policy)
    {
        if (_semantic is null || !SemanticStage.Wants(_semanticMode, GetCompiled(policy).SoftwareRoutes)) return null;
        _semantic.Prepare(policy);
        return _semantic;
    }

    public string Name => "embedded";

    public double Threshold => _threshold;

    public ValueTask<RouteSelection> SelectAsync(RouterInput input, RoutePolicy policy, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return ValueTask.FromResult(Select(input, policy));
        }
        catch (Exception ex)
        {
            return ValueTask.FromResult(new RouteSelection(null, RouteReason.Error, $"{ex.GetType().Name}: {ex.Message}"));
        }
    }

    /// <summary>The decision, synchronously (it never waits on anything).</summary>
    public RouteSelection Select(RouterInput input, RoutePolicy policy) => Select(input, policy, null);

    /// <summary>
    /// As above, with a team's corrections as labelled examples in embedding space: an unsure decision leans toward the
    /// routes of corrected requests close in meaning (<see cref="SemanticStage.Decide"/>).
    /// </summary>
    public RouteSelection Select(RouterInput input, RoutePolicy policy, IReadOnlyList<(float[] Embedding, int Route)>? examples)
    {
        var scores = Score(input, policy, out var outcome, out var wordsSuffice, out var namesOtherTopic);
        if (scores is null) return new RouteSelection(null, RouteReason.Other, outcome);

        int best = -1, second = -1;
        for (var r = 0; r < scores.Length; r++)
        {
            if (best < 0 || scores[r] > scores[best]) { second = best; best = r; }
            else if (second < 0 || scores[r] > scores[second]) second = r;
        }
        var confidence = Confidence(scores[best]);
        // Unsure: a weak best route or a close runner-up. The semantic stage, when this policy uses it and it is loaded,
        // decides from the lexical scores and the embedding similarities together.
        var provisional = false;
        if (_semantic is not null && (confidence < SemanticStage.ConfidentScore || second >= 0 && confidence - Confidence(scores[second]) < SemanticStage.ConfidentMargin)
            && SemanticFor(policy) is { } stage)
        {
            // A confident best route with a close runner-up is ambiguous between routes, not off-topic: its words count in
            // full against "other" (merge review of the router8 round).
            var wordsCount = wordsSuffice || confidence >= SemanticStage.ConfidentScore;
            if (stage.TryGetIndex(policy) is { } index && stage.Decide(policy, index, LatestUserText(input)!, scores, wordsCount, examples, namesOtherTopic) is { } semantic) return semantic;
            // Still loading: the lexical answer serves this request, but is not cached. A failed load is final.
            provisional = stage.Encoder.Failure is null;
        }
        var detail = second < 0
            ? string.Create(CultureInfo.InvariantCulture, $"confidence {confidence:F2}")
            : string.Create(CultureInfo.InvariantCulture, $"confidence {confidence:F2}, runner-up {policy.Routes[second].Name} {Confidence(scores[second]):F2}");
        return confidence >= _threshold
            ? new RouteSelection(policy.Routes[best].Name, RouteReason.Matched, detail) { Provisional = provisional }
            : new RouteSelection(null, RouteReason.Other, string.Create(CultureInfo.InvariantCulture, $"best {policy.Routes[best].Name} below threshold {_threshold:F2}: {detail}")) { Provisional = provisional };
    }

    private static string? LatestUserText(RouterInput input)
    {
        for (var i = input.Turns.Count - 1; i >= 0; i--)
            if (input.Turns[i].Role == TurnRole.User) return input.Turns[i].Text;
        return null;
    }

    /// <summary>The features and per-route contributions behind a decision (diagnostics; allocates freely).</summary>
    public IReadOnlyList<string> Explain(RouterInput input, RoutePolicy policy)
    {
        var trace = new List<string>();
        var scores = Score(input, policy, out var outcome, out _, out var namesOtherTopic, trace);
        if (scores is null) trace.Add("other: " + outcome);
        else for (var r = 0; r < scores.Length; r++) trace.Add(string.Create(CultureInfo.InvariantCulture, $"score {policy.Routes[r].Name} {scores[r]:F3}"));
        if (namesOtherTopic) trace.Add("names a topic no route covers");
        return trace;
    }

    /// <summary>Maps a raw score onto (0, 1).</summary>
    public static double Confidence(float score) => score <= 0 ? 0 : score / (score + 1.0);

    /// <summary>
    /// One score per route (config order), or null with the reason when the answer is plainly "other"
    /// (no routes, no user text, an acknowledgement such as "ok thanks"). <paramref name="wordsSuffice"/>: the lexical match
    /// alone may keep a route from "other" in the semantic stage, because the encoder misreads this request: a software
    /// request on a policy with software routes (embeddings are weak on them), or a follow-up that takes its meaning from earlier turns ("and do they roll
    /// over?"), which the encoder does not see. <paramref name="namesOtherTopic"/>: the request is clearly about an everyday
    /// topic of the lexicon (a poem, the weather, football) that no route covers, and not about software.
    /// </summary>
    internal float[]? Score(RouterInput input, RoutePolicy policy, out string? outcome, out bool wordsSuffice, out bool namesOtherTopic,
        List<string>? trace = null, float[]? featuresOut = null)
    {
        outcome = null;
        wordsSuffice = false;
        namesOtherTopic = false;
        if (policy.Routes.Count == 0) { outcome = "no routes"; return null; }

        var latest = -1;
        for (var i = input.Turns.Count - 1; i >= 0; i--)
            if (input.Turns[i].Role == TurnRole.User) { latest = i; break; }
        if (latest < 0) { outcome = "no user text"; return null; }

        var compiled = GetCompiled(policy);
        var features = ArrayPool<float>.Shared.Rent(compiled.FeatureCount);
        var tokens = ArrayPool<Token>.Shared.Rent(128);
        try
        {
            var q = features.AsSpan(0, compiled.FeatureCount);
            q.Clear();
            var state = new Accumulation(q, compiled.TermCount, _lexicon);

            var signals = default(TurnSignals);
            var count = TextTokenizer.Tokenize(input.Turns[latest].Text, _lexicon, compiled, ref tokens, ref signals);
            var followUp = Accumulate(tokens.AsSpan(0, count), signals, 1f, isLatest: true, ref state);
            if (IsAcknowledgement(tokens.AsSpan(0, count), signals, state.LatestHasLead, everyday: !OnlySoftwareRoutes(compiled))) { outcome = "acknowledgement"; return null; }
            // Read now: the token buffer is reused for earlier turns.
            var leadCovered = state.LeadConcept < 0 || ActivityCovered(compiled, tokens.AsSpan(0, count), state.LeadAt);
            if (signals.Questions > 0) state.AddConcept(_lexicon.QuestionConcept, QuestionWeight);
            // "kafka or rabbitmq for webhooks?": a question naming technologies side by side, with no verb of its own,
            // asks which to choose.
            if (signals.Questions > 0 && state.LeadConcept < 0 && NamesTechnologyChoice(tokens.AsSpan(0, count)))
                state.AddConcept(_lexicon.ChoiceConcept, TechnologyChoiceWeight);
            // "a list or a tuple here, which should I use?": a choice between pieces of code, with nothing
            // about systems in it, asks how those pieces differ, not how to design a system.
            var choice = q[compiled.TermCount + _lexicon.ChoiceConcept];
            if (choice > 0 && q[compiled.TermCount + _lexicon.ArtifactConcept] >= ConstructChoiceMinimum
                && state.SystemsEvidence <= 0 && q[compiled.TermCount + _lexicon.DesignConcept] < ConstructChoiceMinimum)
            {
                q[compiled.TermCount + _lexicon.ChoiceConcept] = choice * (1f - ConstructChoiceShift);
                state.AddConcept(_lexicon.ExplainConcept, choice * ConstructChoiceShift);
            }
            var nonSoftwareSubjects = state.NonSoftwareSubjects;

            // Earlier turns: a little when the latest request speaks for itself, a lot when it leans on them.
            // A follow-up that asks for nothing and reports a symptom ("it never waits between retries",
            // "it returns 413 for big files") is about that work being broken, not about how it was asked for.
            var reportsSymptom = !state.LatestHasLead && q[compiled.TermCount + _lexicon.DebugConcept] >= SymptomReportMinimum;
            var context = reportsSymptom ? ContextWhenSymptom
                : state.Information < UninformativeThreshold ? ContextWhenUninformative
                : followUp ? ContextWhenFollowUp
                : ContextWhenInformative;
            // A question put as one ("can my landlord raise the rent twice in one year?", "why do cats knead blankets?") with
            // no software words or code of its own asks something of its own unless it points back: its failure-like words
            // ("raise") are not a report about the earlier work, and a short one says all it asks. A statement with no
            // software words ("entries never expire though, why?", "now users see other users' names") still reports on it.
            var latestSoftwareEvidence = state.SoftwareEvidence;
            var questionApart = latestSoftwareEvidence < SoftwareEvidenceNeeded && signals.Questions > 0 && signals.CodeBlocks == 0
                && signals.CodeShapedTokens == 0 && signals.TraceEvidence <= 0f && OpensQuestion(tokens.AsSpan(0, count));
            // "why did you use a Decimal?", "what does this do?": a question about the assistant's work or the code at hand is
            // about the earlier turns, however few software words it has of its own.
            var aboutEarlierWork = latest > 0 && signals.Questions > 0 && AsksAboutEarlierWork(tokens.AsSpan(0, count));
            var ownIntent = !aboutEarlierWork && !followUp && (!reportsSymptom || questionApart)
                && HasOwnIntent(tokens.AsSpan(0, count), questionApart ? OwnQuestionMinimumTokens : OwnIntentMinimumTokens);
            if (ownIntent) context = Math.Min(context, ContextWhenOwnIntent);
            wordsSuffice = latest > 0 && context >= ContextWhenFollowUp;
            var userTurnsSeen = 0;
            var assistantSeen = false;
            for (var i = latest - 1; i >= 0 && userTurnsSeen < MaxContextTurns; i--)
            {
                var turn = input.Turns[i];
                float weight;
                if (turn.Role == TurnRole.User) weight = context / (1 << userTurnsSeen++);
                else if (!assistantSeen) { weight = context * AssistantShare; assistantSeen = true; }
                else continue;
                signals = default;
                count = TextTokenizer.Tokenize(turn.Text, _lexicon, compiled, ref tokens, ref signals);
                state.Information = 0;
                Accumulate(tokens.AsSpan(0, count), signals, weight, isLatest: false, ref state);
            }

            if (ownIntent) state.SoftwareEvidence = latestSoftwareEvidence;
            if (latestSoftwareEvidence >= SoftwareEvidenceNeeded)
            {
                state.AddConcept(_lexicon.ReviewConcept, state.AssessingQuestion);
                state.AddConcept(_lexicon.ExplainConcept, state.ExplainingQuestion);
            }

            // Saturate: the fifth debugging word adds less than the first.
            for (var f = 0; f < q.Length; f++) q[f] = q[f] <= 0 ? 0 : 1f - MathF.Exp(-q[f]);
            if (featuresOut is not null) q.CopyTo(featuresOut);

            if (trace is not null) Trace(trace, compiled, q, state.LeadConcept, state.SoftwareEvidence);
            var lead = state.LeadConcept;
            var leadKnown = false;
            for (var r = 0; r < policy.Routes.Count && lead >= 0; r++)
                leadKnown |= compiled.ConceptWeights[r * compiled.ConceptCount + lead] >= LeadConceptMinimum;
            // Clearly about something else (a poem, a recipe) and not about software: software routes fit even less.
            var offTopic = state.SoftwareEvidence < SoftwareEvidenceNeeded && nonSoftwareSubjects >= 1f;
            // A topic of its own that no route speaks of ("write a poem", "the weather for the picnic"): the semantic stage
            // holds the request to a higher fit before it gets a route (SemanticStage.ElsewherePenalty).
            namesOtherTopic = offTopic && state.NamedTopics >= NamedTopicMinimum;

            // Without software words, software routes fit in proportion to what little evidence there is;
            // a request pointing back at earlier work ("fix the other one too") is taken as about that work.
            var pointsBack = followUp && state.LatestHasLead && nonSoftwareSubjects <= 0f;
            var softwareFactor = state.SoftwareEvidence >= SoftwareEvidenceNeeded || pointsBack ? 1f
                : NonSoftwarePenalty + (1f - NonSoftwarePenalty) * state.SoftwareEvidence / SoftwareEvidenceNeeded;
            var conceptBase = compiled.TermCount;
            // Activity coverage: a software request whose leading activity (fixing, writing new code, choosing a design,
            // explaining) no route's description speaks of asks for something this policy leaves to the default model,
            // unless what it is about is plainly one route's business ("write a SQL query for …" beside a database route).
            var activity = lead >= 0 && _lexicon.ConceptKinds[lead] == ConceptLexicon.Kind.Action ? lead : StatedActivity(q[conceptBase..]);
            var uncovered = activity >= 0 && state.SoftwareEvidence >= SoftwareEvidenceNeeded && HasSoftwareRoute(compiled)
                && (activity == lead ? !leadCovered : !Covers(compiled, activity)) && !CoversOtherActivity(compiled, q[conceptBase..], activity);
            if (trace is not null && activity >= 0)
                trace.Add($"activity {_lexicon.ConceptNames[activity]}: {(uncovered ? "no route is for it" : "covered (or not software)")}");
            wordsSuffice |= state.SoftwareEvidence >= SoftwareEvidenceNeeded && HasSoftwareRoute(compiled);
            var scores = new float[policy.Routes.Count];
            for (var r = 0; r < scores.Length; r++)
            {
                var row = compiled.Weights.AsSpan(r * compiled.FeatureCount, compiled.FeatureCount);
                var routeConcepts = compiled.ConceptWeights.AsSpan(r * compiled.ConceptCount, compiled.ConceptCount);
                var score = 0f;
                for (var f = 0; f < row.Length; f++) score += row[f] * q[f];
                if (compiled.SoftwareRoutes[r]) score *= softwareFactor;
                // A request about an everyday subject (a poem, a recipe) the route never mentions: another topic.
                if (offTopic && !CoversSubject(routeConcepts, q[conceptBase..]) && !NamesListedEverydayWord(compiled.EverydayTerms[r], q)) score *= OffTopicPenalty;
                else namesOtherTopic = false;
                if (leadKnown && routeConcepts[lead] < LeadConceptMinimum && !CoversAction(routeConcepts, q[conceptBase..])) score *= LeadMismatchPenalty;
                if (uncovered && ObjectMatch(compiled, row, q) < ObjectMatchMinimum) score *= UncoveredActivityFactor;
                scores[r] = score;
            }
            return scores;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(features);
            ArrayPool<Token>.Shared.Return(tokens);
        }
    }

    /// <summary>
    /// How the lexical stage reads one prompt, for corrections to generalise through (<see cref="Feedback.CorrectionIndex"/>):
    /// the route it picks (-1 for none), what drew the prompt there (each feature's contribution to that route's score),
    /// and what that route's description does not explain: the prompt's concepts the route has no share in, and its words
    /// that are neither the route's nor mapped to concepts the route covers ("write unit tests for the parser", sent to code
    /// generation, leaves the test concept and the words "unit", "test"). Allocates; used only when a policy has corrections.
    /// </summary>
    internal PromptSignature Signature(string prompt, RoutePolicy policy)
    {
        var compiled = GetCompiled(policy);
        var q = new float[compiled.FeatureCount];
        var scores = Score(new RouterInput([new RouterTurn(TurnRole.User, prompt)]), policy, out _, out _, out _, null, q);
        var route = -1;
        if (scores is not null)
        {
            for (var r = 0; r < scores.Length; r++)
                if (route < 0 || scores[r] > scores[route]) route = r;
            if (Confidence(scores[route]) < _threshold) route = -1;
        }
        var contributions = new float[compiled.FeatureCount];
        if (route >= 0)
            for (var f = 0; f < q.Length; f++) contributions[f] = compiled.Weights[route * compiled.FeatureCount + f] * q[f];

        var residue = new Dictionary<string, float>(StringComparer.Ordinal);
        float Explained(int concept) => route < 0 ? 0 : Math.Min(1f, compiled.ConceptWeights[route * compiled.ConceptCount + concept] / ExplainedConceptWeight);
        for (var c = 0; c < compiled.ConceptCount; c++)
        {
            // A question mark says how something is asked, not what about; and everyday subjects no route of this policy
            // mentions ("show" → entertainment in a coding request) are noise here.
            if (c == _lexicon.QuestionConcept || !_lexicon.ConceptSoftware[c] && !AnyRouteCovers(compiled, c)) continue;
            var rest = q[compiled.TermCount + c] * (1f - Explained(c));
            if (rest >= ResidueMinimum) residue[_lexicon.ConceptNames[c]] = ResidueConceptWeight * rest;
        }
        var tokens = ArrayPool<Token>.Shared.Rent(128);
        try
        {
            var words = new List<string>();
            var signals = default(TurnSignals);
            var count = TextTokenizer.Tokenize(prompt, _lexicon, compiled, ref tokens, ref signals, words);
            for (var k = 0; k < count; k++)
            {
                var token = tokens[k];
                if (words[k].Length < 2 || char.IsAsciiDigit(words[k][0])) continue;
                if (token.Word >= 0 && (_lexicon.Flags[token.Word] & WordFlags.Stopword) != 0) continue;
                if (token.Term >= 0 && route >= 0 && compiled.Weights[route * compiled.FeatureCount + token.Term] > 0) continue;
                // A word standing for concepts the route covers ("write" for code generation) is explained by it.
                var scored = false;
                var explained = true;
                if (token.Word >= 0)
                    foreach (var cw in _lexicon.WordConcepts[token.Word])
                    {
                        if (_lexicon.ConceptKinds[cw.Concept] == ConceptLexicon.Kind.Evidence) continue;
                        scored = true;
                        explained &= Explained(cw.Concept) >= 0.5f;
                    }
                if (scored && explained) continue;
                residue["'" + words[k]] = ResidueWordWeight;
            }
        }
        finally
        {
            ArrayPool<Token>.Shared.Return(tokens);
        }
        return new PromptSignature(route, contributions, residue);
    }

    private static bool AnyRouteCovers(CompiledRoutePolicy compiled, int concept)
    {
        for (var r = 0; r < compiled.Policy.Routes.Count; r++)
            if (compiled.ConceptWeights[r * compiled.ConceptCount + concept] > 0) return true;
        return false;
    }

    // A concept a route's description carries at this weight or more explains a prompt's share of it fully.
    private const float ExplainedConceptWeight = 0.7f;
    private const float ResidueMinimum = 0.05f;
    // Concepts generalise across wordings; bare words ("date", "login") mostly name the thing at hand.
    private const float ResidueConceptWeight = 2f;
    private const float ResidueWordWeight = 0.3f;

    /// <summary>
    /// Whether a question's subject, right after its opener, is the assistant or the code at hand: "why did you use a Decimal
    /// and not a float?", "what does this do?", "what's that for?", "did you keep the old flag?". Not "it" ("is it better to
    /// stretch before running?"), not a polite request ("can you recommend …") and not a generic "you" ("how do you …").
    /// </summary>
    private bool AsksAboutEarlierWork(ReadOnlySpan<Token> tokens)
    {
        if (tokens.Length < 3 || tokens[0].Word < 0) return false;
        var subject = 1;
        if ((_lexicon.Flags[tokens[0].Word] & WordFlags.WhOpener) != 0)
        {
            if (tokens[1].Word >= 0 && (_lexicon.Flags[tokens[1].Word] & WordFlags.YesNoOpener) != 0) subject = 2;
        }
        else if (tokens[0].Word != _didWord) return false;
        var word = tokens[subject].Word;
        if (word < 0 || (tokens[subject].Flags & (TokenFlags.SentenceStart | TokenFlags.ClauseStart)) != 0) return false;
        // "you" after "did" is the assistant's work ("why did you use …", "did you keep …"); after "do" or "would" it is
        // anyone ("how do you get red wine out of a carpet?", "what would you pack for Lisbon?"): a question of its own.
        if (word == _youWord) return tokens[subject - 1].Word == _didWord;
        return _pointerWords.Contains(word);
    }

    /// <summary>Whether the turn opens as a question: a yes/no auxiliary or a wh-word first ("can my …", "why do …").</summary>
    private bool OpensQuestion(ReadOnlySpan<Token> tokens) =>
        tokens.Length > 0 && tokens[0].Word >= 0 && (_lexicon.Flags[tokens[0].Word] & (WordFlags.YesNoOpener | WordFlags.WhOpener)) != 0;

    /// <summary>
    /// Whether the latest turn is a request of its own rather than an elliptical follow-up: long enough to say what it
    /// wants, and not opening with a conjunction that continues the previous turn ("and now the tests", "or the other one").
    /// Follow-up markers ("same for", "it", "too") are checked by the caller.
    /// </summary>

    private bool HasOwnIntent(ReadOnlySpan<Token> tokens, int minimumTokens)
    {
        if (tokens.Length < minimumTokens) return false;
        var first = tokens[0].Word;
        return first < 0 || !_lexicon.ContinuationWords.Contains(first);
    }

    /// <summary>
    /// Whether some route's description speaks of the activity the leading verb at <paramref name="leadAt"/> names, in any
    /// of its readings ("refactor" is refactoring and writing code; a route about either covers it).
    /// </summary>
    private bool ActivityCovered(CompiledRoutePolicy compiled, ReadOnlySpan<Token> tokens, int leadAt)
    {
        if (leadAt < 0 || leadAt >= tokens.Length || tokens[leadAt].Word < 0) return true;
        foreach (var cw in _lexicon.WordConcepts[tokens[leadAt].Word])
            if (IsActivity(cw) && Covers(compiled, cw.Concept)) return true;
        Span<int> ids = stackalloc int[ConceptLexicon.MaxPhraseWords];
        for (var n = 2; n <= ConceptLexicon.MaxPhraseWords && leadAt + n <= tokens.Length; n++)
        {
            if (tokens[leadAt + n - 1].Word < 0) break;
            for (var p = 0; p < n; p++) ids[p] = tokens[leadAt + p].Word;
            if (!_lexicon.Phrases.TryGetValue(ConceptLexicon.PhraseKey(ids[..n]), out var concepts)) continue;
            foreach (var cw in concepts)
                if (IsActivity(cw) && Covers(compiled, cw.Concept)) return true;
        }
        return false;
    }

    private static bool HasSoftwareRoute(CompiledRoutePolicy compiled) => Array.IndexOf(compiled.SoftwareRoutes, true) >= 0;

    private bool IsActivity(ConceptWeight cw) => _lexicon.ConceptKinds[cw.Concept] == ConceptLexicon.Kind.Action && cw.Weight >= ActivityWordMinimum;

    /// <summary>Whether a route's description speaks of this activity or of the broader one it is a kind of.</summary>
    private bool Covers(CompiledRoutePolicy compiled, int activity) =>
        AnyRouteIsFor(compiled, activity) || _lexicon.ConceptWithin[activity] is >= 0 and var broader && AnyRouteIsFor(compiled, broader);

    private static bool AnyRouteIsFor(CompiledRoutePolicy compiled, int activity)
    {
        for (var r = 0; r < compiled.Policy.Routes.Count; r++)
            if (compiled.ActivityWeights[r * compiled.ConceptCount + activity] >= LeadConceptMinimum) return true;
        return false;
    }

    /// <summary>
    /// With no leading verb ("what is the difference between …", "… help me track it down"): the action the turn states
    /// most clearly, or -1.
    /// </summary>
    private int StatedActivity(ReadOnlySpan<float> query)
    {
        var best = -1;
        for (var c = 0; c < query.Length; c++)
            if (_lexicon.ConceptKinds[c] == ConceptLexicon.Kind.Action && query[c] >= StatedActivityMinimum && (best < 0 || query[c] > query[best])) best = c;
        return best;
    }

    /// <summary>
    /// Whether the request also clearly asks for an activity some route is for ("why does this fail with KeyError?" opens
    /// like an explanation and reports a failure).
    /// </summary>
    private bool CoversOtherActivity(CompiledRoutePolicy compiled, ReadOnlySpan<float> query, int activity)
    {
        for (var c = 0; c < query.Length; c++)
            if (c != activity && _lexicon.ConceptKinds[c] == ConceptLexicon.Kind.Action && query[c] >= SecondActionMinimum && Covers(compiled, c)) return true;
        return false;
    }

    /// <summary>
    /// How strongly a route matches what the request is about, its activity aside: the route's own words (verbs excepted) and
    /// its subjects, but not the subjects every coding route shares (code, the code at hand, a question).
    /// </summary>
    private float ObjectMatch(CompiledRoutePolicy compiled, ReadOnlySpan<float> row, ReadOnlySpan<float> q)
    {
        var match = 0f;
        for (var f = 0; f < compiled.TermCount; f++)
            if (!compiled.ActionTerms[f]) match += row[f] * q[f];
        for (var c = 0; c < compiled.ConceptCount; c++)
        {
            if (_lexicon.ConceptKinds[c] != ConceptLexicon.Kind.Subject || c == _lexicon.ArtifactConcept || c == _lexicon.ExistingConcept || c == _lexicon.QuestionConcept) continue;
            var f = compiled.TermCount + c;
            match += row[f] * q[f];
        }
        return match;
    }

    /// <summary>
    /// Whether the route is about one of the non-software subjects the request is about, or takes questions
    /// and chat in general ("general knowledge questions").
    /// </summary>
    private bool CoversSubject(ReadOnlySpan<float> routeConcepts, ReadOnlySpan<float> query)
    {
        if (routeConcepts[_lexicon.QuestionConcept] > 0 || routeConcepts[_lexicon.ChatConcept] > 0) return true;
        for (var c = 0; c < routeConcepts.Length; c++)
            if (routeConcepts[c] > 0 && query[c] >= CoveredSubjectMinimum && _lexicon.ConceptKinds[c] == ConceptLexicon.Kind.Subject
                && !_lexicon.ConceptSoftware[c] && c != _lexicon.QuestionConcept) return true;
        return false;
    }

    /// <summary>
    /// Whether the request names an everyday word the route itself lists ("my cat" beside a route for feeding a cat): the
    /// miscellany is no subject a route covers as a whole, but its very word is.
    /// </summary>
    private static bool NamesListedEverydayWord(int[] routeEverydayTerms, ReadOnlySpan<float> query)
    {
        foreach (var term in routeEverydayTerms)
            if (query[term] >= CoveredSubjectMinimum) return true;
        return false;
    }

    /// <summary>
    /// Whether the request also clearly asks for an action the route is about, besides its leading verb:
    /// "tell me why this returns None" opens like an explanation but reports a bug.
    /// </summary>
    private bool CoversAction(ReadOnlySpan<float> routeConcepts, ReadOnlySpan<float> query)
    {
        for (var c = 0; c < routeConcepts.Length; c++)
        {
            var kind = _lexicon.ConceptKinds[c];
            if (kind == ConceptLexicon.Kind.Action ? routeConcepts[c] >= LeadConceptMinimum && query[c] >= SecondActionMinimum
                : kind == ConceptLexicon.Kind.Subject && routeConcepts[c] >= 1f && query[c] >= SecondSubjectMinimum) return true;
        }
        return false;
    }

    /// <summary>Per-route feature contributions, for diagnosing a decision (tests and the evaluator CLI).</summary>
    private void Trace(List<string> trace, CompiledRoutePolicy compiled, ReadOnlySpan<float> query, int leadConcept, float evidence)
    {
        var q = query.ToArray();
        var termNames = new string[compiled.TermCount];
        foreach (var (name, id) in compiled.Terms) termNames[id] = name;
        string FeatureName(int f) => f < compiled.TermCount ? "'" + termNames[f] + "'" : _lexicon.ConceptNames[f - compiled.TermCount];
        var features = string.Join(" ", Enumerable.Range(0, q.Length).Where(f => q[f] > 0)
            .Select(f => string.Create(CultureInfo.InvariantCulture, $"{FeatureName(f)}={q[f]:F2}")));
        var lead = leadConcept < 0 ? "-" : _lexicon.ConceptNames[leadConcept];
        trace.Add(string.Create(CultureInfo.InvariantCulture, $"lead={lead} software={evidence:F2} query: {features}"));
        for (var r = 0; r < compiled.Policy.Routes.Count; r++)
        {
            var parts = new List<string>();
            for (var f = 0; f < compiled.FeatureCount; f++)
            {
                var w = compiled.Weights[r * compiled.FeatureCount + f];
                if (w > 0 && q[f] > 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{FeatureName(f)}:{w * q[f]:F2}"));
            }
            trace.Add($"  {compiled.Policy.Routes[r].Name}: {string.Join(" ", parts)}");
        }
    }

    /// <summary>The query's feature vector being filled, with what has been learnt along the way.</summary>
    private ref struct Accumulation(Span<float> q, int conceptBase, ConceptLexicon.Compiled lexicon)
    {
        public readonly Span<float> Q = q;
        /// <summary>Concept and route-word mass found in the turn being read (how much it says on its own).</summary>
        public float Information;
        /// <summary>How clearly the conversation is about software at all.</summary>
        public float SoftwareEvidence;
        /// <summary>The action concept of the latest request's leading verb ("write" → generate), or -1.</summary>
        public int LeadConcept = -1;
        /// <summary>Where the latest request's leading verb stands (its token), or -1.</summary>
        public int LeadAt = -1;
        /// <summary>Whether the latest turn asks for something with a leading verb at all.</summary>
        public bool LatestHasLead;
        /// <summary>Mass of subjects that are not software (poems, recipes, translations) in the latest turn.</summary>
        public float NonSoftwareSubjects;
        /// <summary>Mass of system-design nouns (services, databases, queues) in the latest turn.</summary>
        public float SystemsEvidence;
        /// <summary>Mass of everyday topics in the latest turn (a poem, the weather, football), miscellany left out.</summary>
        public float NamedTopics;
        /// <summary>What the latest turn's questions about given code add to review and to explain (<see cref="ReadQuestions"/>).</summary>
        public float AssessingQuestion;
        public float ExplainingQuestion;

        public void AddTerm(int term, float amount)
        {
            Q[term] += amount;
            Information += 0.5f * amount;
        }

        public void Add(ConceptWeight cw, float amount, float turnWeight)
        {
            // Only what a request is about shows it is about software: "fix" or "design" alone does not
            // ("fix a leaky faucet", "design a meal plan"); symptoms like "traceback" are their own evidence.
            if (lexicon.ConceptSoftware[cw.Concept] && lexicon.ConceptKinds[cw.Concept] != ConceptLexicon.Kind.Action) SoftwareEvidence += cw.Weight * turnWeight;
            else if (turnWeight >= 1f && lexicon.ConceptKinds[cw.Concept] == ConceptLexicon.Kind.Subject)
            {
                NonSoftwareSubjects += cw.Weight;
                if (!lexicon.ConceptMiscellany[cw.Concept]) NamedTopics += cw.Weight;
            }
            if (turnWeight >= 1f && cw.Concept == lexicon.SystemsConcept) SystemsEvidence += cw.Weight;
            if (lexicon.ConceptKinds[cw.Concept] == ConceptLexicon.Kind.Evidence || amount <= 0) return;
            Q[conceptBase + cw.Concept] += cw.Weight * amount;
            Information += cw.Weight * amount;
        }

        public void AddConcept(int concept, float amount)
        {
            if (concept < 0 || amount <= 0) return;
            Q[conceptBase + concept] += amount;
            Information += amount;
        }
    }

    private CompiledRoutePolicy GetCompiled(RoutePolicy policy)
    {
        if (_policies.TryGetValue(policy.Fingerprint, out var compiled)) return compiled;
        if (_policies.Count >= MaxCachedPolicies) _policies.Clear(); // config reloads are rare; stay bounded
        return _policies.GetOrAdd(policy.Fingerprint, static (_, state) => CompiledRoutePolicy.Compile(state.policy, state.lexicon), (policy, lexicon: _lexicon));
    }

    /// <summary>
    /// "ok thanks", "perfect!", or a short thank-you with no request and no question in it
    /// ("great, that fixed it. thank you so much!"): the task is done, nothing to route. On a policy with routes outside
    /// software, a thank-you that goes on to say <see cref="ThankedRequestWords"/> things more is a request as well
    /// ("thanks. also the timer on the oven doesn't beep anymore", "great, play some summer music", "a thank-you email
    /// for the interview"): the lexicon knows software verbs, not "play" or "find", so no lead verb shows it there.
    /// </summary>
    private bool IsAcknowledgement(ReadOnlySpan<Token> tokens, TurnSignals signals, bool hasLead, bool everyday)
    {
        if (tokens.IsEmpty || signals.CodeBlocks > 0 || tokens.Length > 14) return false;
        var onlyAcknowledgement = true;
        var gratitude = false;
        var said = 0;
        foreach (var token in tokens)
        {
            var flags = token.Word < 0 ? WordFlags.None : _lexicon.Flags[token.Word];
            if ((flags & WordFlags.Acknowledgement) == 0) onlyAcknowledgement = false;
            if ((flags & WordFlags.Gratitude) != 0) gratitude = true;
            if ((flags & (WordFlags.Acknowledgement | WordFlags.Stopword)) == 0) said++;
        }
        return onlyAcknowledgement || (gratitude && !hasLead && signals.Questions == 0 && !(everyday && said >= ThankedRequestWords));
    }

    private static bool OnlySoftwareRoutes(CompiledRoutePolicy compiled) => Array.IndexOf(compiled.SoftwareRoutes, false) < 0;

    /// <summary>
    /// Adds one turn's features into <paramref name="q"/>, weighting words by position (leading verb, object,
    /// topic), cancelling negated actions, and collecting symptom and software evidence. Returns whether the
    /// turn reads like a follow-up ("now do the same for X").
    /// </summary>
    private bool Accumulate(ReadOnlySpan<Token> tokens, TurnSignals signals, float weight, bool isLatest, ref Accumulation state)
    {
        var lexicon = _lexicon;
        var followUp = false;

        var factorBuffer = ArrayPool<float>.Shared.Rent(Math.Max(2 * tokens.Length, 1));
        try
        {
            var factors = factorBuffer.AsSpan(0, tokens.Length);
            // Per token, what undoes a statement's damping for symptom words (1 where nothing was damped).
            var symptomFactors = factorBuffer.AsSpan(tokens.Length, tokens.Length);
            // Only a latest turn with a question mark and no trace can hold a question about given code (most turns skip the pass).
            var readQuestions = isLatest && signals.Questions > 0 && signals.TraceEvidence <= 0;
            ComputeFactors(tokens, isLatest, readQuestions, factors, symptomFactors, weight, ref state);
            // Earlier turns lend a latest request with its own action their subject, not their action.
            var earlierActions = !isLatest && state.LatestHasLead ? EarlierActionFactor : 1f;

            Span<int> ids = stackalloc int[ConceptLexicon.MaxPhraseWords];
            var codeShapedCount = 0;
            for (var k = 0; k < tokens.Length; k++)
            {
                var token = tokens[k];
                var flags = token.Word >= 0 ? lexicon.Flags[token.Word] : WordFlags.None;
                if ((flags & WordFlags.FollowUp) != 0) followUp = true;
                if ((token.Flags & TokenFlags.CodeShaped) != 0) codeShapedCount++;
                if ((token.Flags & TokenFlags.HttpError) != 0)
                {
                    state.AddConcept(lexicon.DebugConcept, 0.8f * weight);
                    state.SoftwareEvidence += 0.5f * weight;
                }

                var w = weight * factors[k];
                if ((token.Flags & TokenFlags.Listed) != 0) w *= ListedFactor;
                var codeShaped = (token.Flags & TokenFlags.CodeShaped) != 0;
                if (codeShaped) w *= CodeShapedFactor;
                if (token.Term >= 0 && (flags & WordFlags.Stopword) == 0 && w > 0)
                    state.AddTerm(token.Term, symptomFactors[k] < 1f && IsSymptomWord(token.Word) ? w * symptomFactors[k] : w);
                if (token.Word >= 0)
                {
                    var artifact = false;
                    foreach (var cw in lexicon.WordConcepts[token.Word])
                    {
                        // Only an identifier's verbs are damped ("NewClient"); its nouns still say what it is about.
                        var amount = codeShaped && lexicon.ConceptKinds[cw.Concept] != ConceptLexicon.Kind.Action ? w / CodeShapedFactor : w;
                        state.Add(cw, Adjusted(cw.Concept, amount, symptomFactors[k], earlierActions), weight);
                        if (cw.Concept == lexicon.ArtifactConcept) artifact = true;
                    }
                    // "this Rust code", "my function": the request is about code that already exists.
                    if (artifact && (HasDemonstrativeBefore(tokens, k, 1) || HasDemonstrativeBefore(tokens, k, 2)))
                        state.AddConcept(lexicon.ExistingConcept, 0.8f * w);
                }

                // Phrases starting here, up to four words, within one clause.
                if (token.Word < 0) continue;
                for (var n = 2; n <= ConceptLexicon.MaxPhraseWords && k + n <= tokens.Length; n++)
                {
                    var last = tokens[k + n - 1];
                    if (last.Word < 0 || (last.Flags & (TokenFlags.SentenceStart | TokenFlags.ClauseStart)) != 0) break;
                    for (var p = 0; p < n; p++) ids[p] = tokens[k + p].Word;
                    var key = ConceptLexicon.PhraseKey(ids[..n]);
                    if (lexicon.Phrases.TryGetValue(key, out var concepts))
                        foreach (var cw in concepts) state.Add(cw, Adjusted(cw.Concept, w, symptomFactors[k], earlierActions), weight);
                    if (lexicon.PhraseFlags.TryGetValue(key, out var phraseFlags) && (phraseFlags & WordFlags.FollowUp) != 0) followUp = true;
                }
            }

            state.SoftwareEvidence += weight * (Math.Min(codeShapedCount, 4) * 0.5f + (signals.CodeBlocks > 0 ? 1f : 0f));
            if (signals.CodeBlocks > 0) state.AddConcept(lexicon.ExistingConcept, 0.8f * weight);
            if (signals.TraceEvidence > 0)
            {
                state.AddConcept(lexicon.DebugConcept, signals.TraceEvidence * weight);
                state.SoftwareEvidence += signals.TraceEvidence * weight;
            }
            return followUp && tokens.Length <= 16;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(factorBuffer);
        }
    }

    /// <summary>
    /// A concept's amount after a statement's symptom words are restored, a question's hypothetical ones damped (slowness
    /// included: "will it get slow as the table grows?") and earlier turns' actions damped.
    /// </summary>
    private float Adjusted(int concept, float amount, float symptomFactor, float earlierActions)
    {
        if (concept == _lexicon.DebugConcept || symptomFactor < 1f && concept == _lexicon.PerformanceConcept) amount *= symptomFactor;
        return _lexicon.ConceptKinds[concept] == ConceptLexicon.Kind.Action ? amount * earlierActions : amount;
    }

    /// <summary>Whether a word names a failure or slowness ("errors", "slow"): a route's own such word is damped with the concept.</summary>
    private bool IsSymptomWord(int word)
    {
        if (word < 0) return false;
        foreach (var cw in _lexicon.WordConcepts[word])
            if (IsSymptomConcept(cw.Concept)) return true;
        return false;
    }

    /// <summary>Failure or slowness: the concepts a question's hypothetical words and a report's stated ones carry.</summary>
    private bool IsSymptomConcept(int concept) => concept == _lexicon.DebugConcept || concept == _lexicon.PerformanceConcept;

    private bool HasDemonstrativeBefore(ReadOnlySpan<Token> tokens, int k, int distance)
    {
        var i = k - distance;
        if (i < 0) return false;
        for (var j = i + 1; j <= k; j++)
            if ((tokens[j].Flags & (TokenFlags.SentenceStart | TokenFlags.ClauseStart)) != 0) return false;
        var word = tokens[i].Word;
        return word >= 0 && word != _lexicon.TheWord && (_lexicon.Flags[word] & WordFlags.Demonstrative) != 0;
    }

    /// <summary>
    /// Per-token multipliers: the leading verb of each sentence of a request is boosted, the head of its
    /// object too, the topic after a preposition damped; requested actions under a negation are cancelled,
    /// and a negated state ("it doesn't respond") is a symptom.
    /// </summary>
    private void ComputeFactors(ReadOnlySpan<Token> tokens, bool isLatest, bool readQuestions, Span<float> factors, Span<float> symptomFactors, float weight, ref Accumulation state)
    {
        var lexicon = _lexicon;
        factors.Fill(1f);
        symptomFactors.Fill(1f);
        if (readQuestions) ReadQuestions(tokens, symptomFactors, weight, ref state);
        // Each sentence's first token and what it does: asks (a leading verb or a question mark) or reports work done.
        Span<int> sentenceStarts = stackalloc int[MaxSentences];
        var currentSentenceStart = 0; // also past MaxSentences, where sentenceStarts stops recording
        Span<SentenceRole> sentenceRoles = stackalloc SentenceRole[MaxSentences];
        var sentences = 0;
        var contrastAt = -1;
        var sentence = -1;
        var searchingLead = false;
        var leadInSentence = false;
        var negatedInSentence = false;
        var phase = 0; // 0: no lead verb, 1: in the object, 2: in the topic tail
        var head = -1;
        var negationUntil = -1;
        Span<int> ids = stackalloc int[ConceptLexicon.MaxPhraseWords];
        var announced = isLatest ? AnnouncedRequestStart(tokens) : -1;

        for (var k = 0; k < tokens.Length; k++)
        {
            var token = tokens[k];
            var flags = token.Word >= 0 ? lexicon.Flags[token.Word] : WordFlags.None;

            if (k == announced)
            {
                // The announced request reads as the turn's first sentence; its verb, not the background's, leads.
                sentence = -1;
                state.LeadConcept = -1;
                state.LeadAt = -1;
            }
            if ((token.Flags & TokenFlags.SentenceStart) != 0 || k == 0 || k == announced)
            {
                CloseObject(factors, phase, ref head);
                if (sentences < MaxSentences) { sentenceStarts[sentences] = k; sentenceRoles[sentences] = SentenceRole.States; }
                currentSentenceStart = k;
                contrastAt = -1;
                sentences++;
                sentence++;
                searchingLead = true;
                leadInSentence = false;
                negatedInSentence = false;
                phase = 0;
                negationUntil = -1;
            }
            else if ((token.Flags & TokenFlags.ClauseStart) != 0)
            {
                negationUntil = -1;
                if (phase == 1) { CloseObject(factors, phase, ref head); phase = 2; }
            }
            if ((flags & WordFlags.ClauseBreaker) != 0)
            {
                // "Don't rewrite it, just explain": after a negation the real request follows; after "but" a new one may.
                if (negatedInSentence || !leadInSentence || (flags & WordFlags.Contrast) != 0) searchingLead = true;
                if ((flags & WordFlags.Contrast) != 0 && leadInSentence) contrastAt = k;
                negationUntil = -1;
            }

            // "how do I [fix] …", "what's the right way to [design] …": a question frame hands the lead to the verb after it.
            if (isLatest && !searchingLead && state.LeadConcept < 0 && FrameEndsBefore(tokens, k, ids)) searchingLead = true;

            if (searchingLead)
            {
                // "my go build says…", "the fix broke…": after a determiner a verb-looking word is a noun.
                var afterDeterminer = k > 0 && (tokens[k].Flags & (TokenFlags.SentenceStart | TokenFlags.ClauseStart)) == 0
                    && tokens[k - 1].Word >= 0 && ((lexicon.Flags[tokens[k - 1].Word] & WordFlags.Demonstrative) != 0 || tokens[k - 1].Word == lexicon.ArticleWord);
                if ((token.Flags & TokenFlags.PastTense) == 0 && !afterDeterminer && StartsAction(tokens, k, ids))
                {
                    searchingLead = false;
                    leadInSentence = true;
                    if (sentences <= MaxSentences) sentenceRoles[sentences - 1] |= SentenceRole.Asks;
                    if (isLatest)
                    {
                        state.LatestHasLead = true;
                        if (state.LeadConcept < 0) { state.LeadConcept = StrongestAction(tokens, k, ids); state.LeadAt = k; }
                        else if (contrastAt >= 0)
                        {
                            // "I want to understand it eventually, but right now just add a flag": the request is the
                            // second one; what it is set against reads like a statement.
                            state.LeadConcept = StrongestAction(tokens, k, ids);
                            state.LeadAt = k;
                            for (var j = currentSentenceStart; j < contrastAt; j++)
                            {
                                factors[j] *= StatementFactor;
                                symptomFactors[j] = 1f / StatementFactor;
                            }
                            contrastAt = -1;
                        }
                    }
                    factors[k] *= !isLatest ? 1.2f : sentence == 0 ? LeadVerbBoost : LaterLeadVerbBoost;
                    phase = 1;
                    head = -1;
                    continue;
                }
                // A determiner opens a noun phrase ("my go build says…"): the sentence states, it does not ask.
                if ((flags & (WordFlags.LeadFiller | WordFlags.Stopword)) == 0
                    || (token.Word >= 0 && ((flags & WordFlags.Demonstrative) != 0 || token.Word == lexicon.ArticleWord))) searchingLead = false;
            }

            if (phase == 1)
            {
                if ((flags & WordFlags.ObjectEnder) != 0) { CloseObject(factors, phase, ref head); phase = 2; }
                else if ((flags & WordFlags.Stopword) == 0) head = k;
            }
            if (phase == 2) factors[k] *= TopicTailFactor;

            if (sentences <= MaxSentences)
            {
                if ((token.Flags & TokenFlags.QuestionEnd) != 0) sentenceRoles[sentences - 1] |= SentenceRole.Asks;
                if ((token.Flags & TokenFlags.PastTense) != 0 && (flags & WordFlags.ActionVerb) != 0) sentenceRoles[sentences - 1] |= SentenceRole.ReportsWork;
            }

            // Negation: "don't change it", "no need to rewrite", "it doesn't respond".
            if (k <= negationUntil && (flags & WordFlags.ActionVerb) != 0) factors[k] = 0;
            if ((flags & (WordFlags.Negator | WordFlags.StateNegator)) != 0 || StartsNegatorPhrase(tokens, k, ids))
            {
                negationUntil = k + 4;
                negatedInSentence = true;
                // "reject anything that isn't a PNG" after a leading verb describes what to build, not a symptom.
                if ((flags & WordFlags.StateNegator) != 0 && !leadInSentence && k + 1 < tokens.Length
                    && (tokens[k + 1].Flags & (TokenFlags.SentenceStart | TokenFlags.ClauseStart)) == 0)
                {
                    state.AddConcept(lexicon.DebugConcept, 0.6f * weight * symptomFactors[k]);
                }
            }
        }
        CloseObject(factors, phase, ref head);
        for (var k = 0; k < announced; k++) factors[k] *= BackgroundFactor;
        if (isLatest && announced < 0 && sentences is > 1 and <= MaxSentences) DampStatements(sentenceStarts[..sentences], sentenceRoles[..sentences], factors, symptomFactors);

        static void CloseObject(Span<float> factors, int phase, ref int head)
        {
            if (phase == 1 && head >= 0) factors[head] *= ObjectHeadBoost;
            head = -1;
        }
    }

    /// <summary>
    /// Questions about given code: a yes/no question whose subject is the code at hand ("is this thread safe?", "will it
    /// leak if the caller never reads?", "does this handle the empty case?") asks to assess it, and a why/how question with
    /// no failure in it beyond its frame ("why does this work?", "how does it know when to stop?") asks to explain it. The
    /// failure words in such a question are hypothetical (damped through <paramref name="symptomFactors"/>), unless one
    /// follows a definite determiner ("does this explain the leak we see?") or the turn states a failure outside its
    /// questions ("is this a race? sometimes the count is lower"), which makes the turn a report.
    /// </summary>
    private void ReadQuestions(ReadOnlySpan<Token> tokens, Span<float> symptomFactors, float weight, ref Accumulation state)
    {
        var lexicon = _lexicon;
        Span<int> ids = stackalloc int[ConceptLexicon.MaxPhraseWords];
        // First pass: failure words stated outside questions (a report), and whether any question qualifies at all.
        var stated = 0f;
        var anyQuestion = false;
        for (var start = 0; start < tokens.Length;)
        {
            var end = UnitEnd(tokens, start);
            if ((tokens[end - 1].Flags & TokenFlags.QuestionEnd) != 0) anyQuestion = true;
            else stated += SymptomMass(tokens, start, end, ids);
            for (var k = start; k < end; k++)
                if ((tokens[k].Flags & TokenFlags.HttpError) != 0) stated += StatedFailureMinimum;
            start = end;
        }
        if (!anyQuestion || stated >= StatedFailureMinimum) return;

        var assessed = false;
        var explained = false;
        for (var start = 0; start < tokens.Length;)
        {
            var end = UnitEnd(tokens, start);
            var unit = start;
            start = end;
            if ((tokens[end - 1].Flags & TokenFlags.QuestionEnd) == 0) continue;
            // "so is this …", "ok but why does …": fillers before the question word; "`refunds.py` what happens if …": the code
            // the question is about, named first (as Copilot's #file: and Cursor's @file put it).
            var opener = unit;
            var namedFirst = false;
            while (opener < end && (tokens[opener].Flags & TokenFlags.CodeShaped) != 0) { opener++; namedFirst = true; }
            while (opener < end && tokens[opener].Word >= 0 && (lexicon.Flags[tokens[opener].Word] & (WordFlags.YesNoOpener | WordFlags.WhOpener)) == 0
                   && (lexicon.Flags[tokens[opener].Word] & WordFlags.LeadFiller) != 0) opener++;
            if (opener >= end || tokens[opener].Word < 0) continue;
            var openerFlags = lexicon.Flags[tokens[opener].Word];
            if ((openerFlags & WordFlags.YesNoOpener) != 0)
            {
                // "can you turn this into …" is a polite request, its verb decides; "is Postgres enough for …" is not about
                // given code: the subject right after the auxiliary says which.
                if (opener + 1 >= end || !NamesGivenCode(tokens, opener + 1, opener + 2)) continue;
                // "is that a real problem?", "is this a race condition?": asking whether something is a failure diagnoses it.
                if (opener + 2 < end && tokens[opener + 2].Word == lexicon.ArticleWord
                    && SymptomMass(tokens, opener + 2, Math.Min(end, opener + 2 + DiagnosisReach), ids) > 0) continue;
                // "will this leak": the determiner after the auxiliary is the subject's, not the failure's.
                Hypothetical(tokens, opener, opener + 2, end, symptomFactors);
                assessed = true;
            }
            else if ((openerFlags & WordFlags.WhOpener) != 0)
            {
                // "how do I fix …", "how should we split …" ask for work to be done: the verb after the frame decides.
                if (FrameAt(tokens, opener, end, ids) || !namedFirst && !NamesGivenCode(tokens, opener + 1, end)) continue;
                var frame = opener + LongestPhrase(tokens, opener, end, ids);
                // "what happens if the upstream times out?": a failure after "if" is supposed, not seen.
                var supposed = frame;
                while (supposed < end && tokens[supposed].Word != lexicon.IfWord) supposed++;
                if (SymptomMass(tokens, frame, supposed, ids) > ReasonSymptomMaximum) continue;
                Hypothetical(tokens, opener, opener, end, symptomFactors);
                explained = true;
            }
        }
        // Added once the turn is known to be about software ("why is the sky blue?" asks nothing about code).
        if (assessed) state.AssessingQuestion = PropertyQuestionWeight * weight;
        if (explained) state.ExplainingQuestion = PropertyQuestionWeight * weight;

        void Hypothetical(ReadOnlySpan<Token> tokens, int from, int subjectEnd, int end, Span<float> symptomFactors)
        {
            for (var k = from; k < end; k++)
                if (!Definite(tokens, k, subjectEnd)) symptomFactors[k] *= HypotheticalSymptomFactor;
        }

        bool Definite(ReadOnlySpan<Token> tokens, int k, int subjectEnd)
        {
            for (var j = k - 1; j >= subjectEnd && j >= k - DefiniteReach; j--)
            {
                var word = tokens[j].Word;
                // "its" normalises to "it", a subject ("will it get slow?"), not a determiner.
                if (word >= 0 && word != lexicon.ArticleWord && word != lexicon.ItWord && (lexicon.Flags[word] & WordFlags.Demonstrative) != 0) return true;
                if ((tokens[j].Flags & (TokenFlags.SentenceStart | TokenFlags.ClauseStart)) != 0) break;
            }
            return false;
        }
    }

    /// <summary>The end (exclusive) of the sentence or colon-introduced clause starting at <paramref name="start"/>.</summary>
    private static int UnitEnd(ReadOnlySpan<Token> tokens, int start)
    {
        var end = start + 1;
        while (end < tokens.Length && (tokens[end].Flags & (TokenFlags.SentenceStart | TokenFlags.AfterColon)) == 0) end++;
        return end;
    }

    /// <summary>Whether a question's subject is the code at hand: "this", "the order", "it", "there", an identifier.</summary>
    private bool NamesGivenCode(ReadOnlySpan<Token> tokens, int from, int end)
    {
        for (var k = from; k < end; k++)
        {
            var word = tokens[k].Word;
            if ((tokens[k].Flags & TokenFlags.CodeShaped) != 0) return true;
            if (word < 0) continue;
            if (word == _lexicon.ItWord || word == _lexicon.ThereWord || word != _lexicon.ArticleWord && (_lexicon.Flags[word] & WordFlags.Demonstrative) != 0) return true;
        }
        return false;
    }

    /// <summary>How much the words in [start, end) say something failed or is slow: their weight as symptoms, phrases included.</summary>
    private float SymptomMass(ReadOnlySpan<Token> tokens, int start, int end, Span<int> ids)
    {
        var lexicon = _lexicon;
        var mass = 0f;
        for (var k = start; k < end; k++)
        {
            var word = tokens[k].Word;
            if (word < 0 || (tokens[k].Flags & TokenFlags.CodeShaped) != 0) continue;
            foreach (var cw in lexicon.WordConcepts[word])
                if (IsSymptomConcept(cw.Concept)) mass += cw.Weight;
            for (var n = 2; n <= ConceptLexicon.MaxPhraseWords && k + n <= end; n++)
            {
                if (tokens[k + n - 1].Word < 0 || (tokens[k + n - 1].Flags & TokenFlags.ClauseStart) != 0) break;
                for (var p = 0; p < n; p++) ids[p] = tokens[k + p].Word;
                if (!lexicon.Phrases.TryGetValue(ConceptLexicon.PhraseKey(ids[..n]), out var concepts)) continue;
                foreach (var cw in concepts)
                    if (IsSymptomConcept(cw.Concept)) mass += cw.Weight;
            }
        }
        return mass;
    }

    /// <summary>Words in the longest lexicon phrase starting at k ("what's wrong", "why does my"): a question's frame.</summary>
    private int LongestPhrase(ReadOnlySpan<Token> tokens, int k, int end, Span<int> ids)
    {
        var longest = 1;
        for (var n = 2; n <= ConceptLexicon.MaxPhraseWords && k + n <= end; n++)
        {
            if (tokens[k + n - 1].Word < 0) break;
            for (var p = 0; p < n; p++) ids[p] = tokens[k + p].Word;
            if (_lexicon.Phrases.ContainsKey(ConceptLexicon.PhraseKey(ids[..n]))) longest = n;
        }
        return longest;
    }

    /// <summary>Whether a question frame that hands the lead to a verb ("how do I", "how should we") starts at k.</summary>
    private bool FrameAt(ReadOnlySpan<Token> tokens, int k, int end, Span<int> ids)
    {
        for (var n = 2; n <= ConceptLexicon.MaxPhraseWords && k + n <= end; n++)
        {
            if (tokens[k + n - 1].Word < 0) break;
            for (var p = 0; p < n; p++) ids[p] = tokens[k + p].Word;
            if (_lexicon.PhraseFlags.TryGetValue(ConceptLexicon.PhraseKey(ids[..n]), out var flags) && (flags & WordFlags.LeadFrame) != 0) return true;
        }
        return false;
    }

    /// <summary>
    /// In a turn that asks for something in one sentence, the sentences that only state things are the scene, not the
    /// request ("The docs are fine, I updated them. What I still don't get is why …"): their words count less.
    /// </summary>
    private static void DampStatements(ReadOnlySpan<int> starts, ReadOnlySpan<SentenceRole> roles, Span<float> factors, Span<float> symptomFactors)
    {
        var asks = false;
        foreach (var role in roles) asks |= (role & SentenceRole.Asks) != 0;
        if (!asks) return;
        for (var n = 0; n < starts.Length; n++)
        {
            if ((roles[n] & SentenceRole.Asks) != 0) continue;
            var end = n + 1 < starts.Length ? starts[n + 1] : factors.Length;
            var keepSymptoms = (roles[n] & SentenceRole.ReportsWork) == 0;
            for (var k = starts[n]; k < end; k++)
            {
                factors[k] *= StatementFactor;
                if (keepSymptoms) symptomFactors[k] = 1f / StatementFactor;
            }
        }
    }

    [Flags]
    private enum SentenceRole : byte { States = 0, Asks = 1, ReportsWork = 2 }

    /// <summary>
    /// Where the request starts when a noun announces it before a colon ("I read the middleware and the tests. My ask:
    /// write …", "Done so far: … Remaining task: document …"): the first word after the last such colon, or -1.
    /// </summary>
    private int AnnouncedRequestStart(ReadOnlySpan<Token> tokens)
    {
        var start = -1;
        for (var k = 1; k < tokens.Length; k++)
        {
            if ((tokens[k].Flags & TokenFlags.AfterColon) == 0) continue;
            for (var j = k - 1; j >= 0 && j >= k - AnnouncerReach; j--)
            {
                if (tokens[j].Word >= 0 && (_lexicon.Flags[tokens[j].Word] & WordFlags.Announcer) != 0) { start = k; break; }
                if ((tokens[j].Flags & TokenFlags.SentenceStart) != 0) break;
            }
        }
        return start;
    }

    /// <summary>
    /// "sqlite or postgres for …?", "gRPC or plain HTTP?": "or" between two words that ask for nothing themselves, at least
    /// one of them a technology's name (an article after "or" skipped).
    /// </summary>
    private bool NamesTechnologyChoice(ReadOnlySpan<Token> tokens)
    {
        var lexicon = _lexicon;
        for (var k = 1; k + 1 < tokens.Length; k++)
        {
            if (tokens[k].Word != lexicon.OrWord || (tokens[k].Flags & (TokenFlags.SentenceStart | TokenFlags.ClauseStart)) != 0) continue;
            var after = k + 1;
            if (tokens[after].Word == lexicon.ArticleWord && after + 1 < tokens.Length) after++;
            if ((tokens[after].Flags & (TokenFlags.SentenceStart | TokenFlags.ClauseStart)) != 0) continue;
            bool before = Technology(tokens[k - 1].Word, out var beforeAsks), next = Technology(tokens[after].Word, out var nextAsks);
            if ((before || next) && !beforeAsks && !nextAsks) return true;
        }
        return false;

        bool Technology(int word, out bool asks)
        {
            asks = false;
            if (word < 0) return false;
            if ((lexicon.Flags[word] & WordFlags.Stopword) != 0) { asks = true; return false; }
            var technology = false;
            foreach (var cw in lexicon.WordConcepts[word])
            {
                if (lexicon.ConceptKinds[cw.Concept] == ConceptLexicon.Kind.Action && cw.Weight >= 0.5f) asks = true;
                if (cw.Concept == lexicon.TechnologyConcept) technology = true;
            }
            return technology;
        }
    }

    /// <summary>Whether an action concept (explain, write, fix, design…) starts at token k, alone or as a phrase.</summary>
    private bool StartsAction(ReadOnlySpan<Token> tokens, int k, Span<int> ids)
    {
        var lexicon = _lexicon;
        var word = tokens[k].Word;
        if (word < 0) return false;
        foreach (var cw in lexicon.WordConcepts[word])
            if (lexicon.ConceptKinds[cw.Concept] == ConceptLexicon.Kind.Action && cw.Weight >= 0.5f) return true;
        if ((lexicon.Flags[word] & WordFlags.ActionVerb) != 0) return true;
        for (var n = 2; n <= ConceptLexicon.MaxPhraseWords && k + n <= tokens.Length; n++)
        {
            if (tokens[k + n - 1].Word < 0) break;
            for (var p = 0; p < n; p++) ids[p] = tokens[k + p].Word;
            if (!lexicon.Phrases.TryGetValue(ConceptLexicon.PhraseKey(ids[..n]), out var concepts)) continue;
            foreach (var cw in concepts)
                if (lexicon.ConceptKinds[cw.Concept] == ConceptLexicon.Kind.Action && cw.Weight >= 0.5f) return true;
        }
        return false;
    }

    /// <summary>The clearly-stated action at token k (weight ≥ 0.7), or -1: "write" → generate, "make" → none.</summary>
    private int StrongestAction(ReadOnlySpan<Token> tokens, int k, Span<int> ids)
    {
        var lexicon = _lexicon;
        var best = -1;
        var bestWeight = LeadConceptMinimum;
        foreach (var cw in lexicon.WordConcepts[tokens[k].Word])
            Consider(cw);
        for (var n = 2; n <= ConceptLexicon.MaxPhraseWords && k + n <= tokens.Length; n++)
        {
            if (tokens[k + n - 1].Word < 0) break;
            for (var p = 0; p < n; p++) ids[p] = tokens[k + p].Word;
            if (!lexicon.Phrases.TryGetValue(ConceptLexicon.PhraseKey(ids[..n]), out var concepts)) continue;
            foreach (var cw in concepts) Consider(cw);
        }
        return best;

        void Consider(ConceptWeight cw)
        {
            if (lexicon.ConceptKinds[cw.Concept] == ConceptLexicon.Kind.Evidence || cw.Weight < bestWeight) return;
            best = cw.Concept;
            bestWeight = cw.Weight;
        }
    }

    /// <summary>Whether a question frame ("how do I", "way to") ends just before token k, within its clause.</summary>
    private bool FrameEndsBefore(ReadOnlySpan<Token> tokens, int k, Span<int> ids)
    {
        if ((tokens[k].Flags & (TokenFlags.SentenceStart | TokenFlags.ClauseStart)) != 0) return false;
        for (var n = 2; n <= ConceptLexicon.MaxPhraseWords && k - n >= 0; n++)
        {
            var first = k - n;
            if (tokens[first].Word < 0) return false;
            for (var p = 0; p < n; p++) ids[p] = tokens[first + p].Word;
            if (_lexicon.PhraseFlags.TryGetValue(ConceptLexicon.PhraseKey(ids[..n]), out var flags) && (flags & WordFlags.LeadFrame) != 0) return true;
            if ((tokens[first].Flags & (TokenFlags.SentenceStart | TokenFlags.ClauseStart)) != 0) return false;
        }
        return false;
    }

    private bool StartsNegatorPhrase(ReadOnlySpan<Token> tokens, int k, Span<int> ids)
    {
        if (k + 1 >= tokens.Length || tokens[k].Word < 0 || tokens[k + 1].Word < 0) return false;
        ids[0] = tokens[k].Word;
        ids[1] = tokens[k + 1].Word;
        return _lexicon.PhraseFlags.TryGetValue(ConceptLexicon.PhraseKey(ids[..2]), out var flags) && (flags & WordFlags.Negator) != 0;
    }
}

/// <summary>
/// How the lexical stage reads a prompt (<see cref="EmbeddedRouteSelector.Signature"/>): its route (-1: none), each feature's
/// contribution to that route's score, and the residue (concepts and words) that route does not explain.
/// </summary>
internal sealed class PromptSignature(int route, float[] contributions, Dictionary<string, float> residue)
{
    public int Route { get; } = route;
    public float[] Contributions { get; } = contributions;
    public Dictionary<string, float> Residue { get; } = residue;
    public float ContributionNorm { get; } = Norm(contributions);
    public float ResidueNorm { get; } = Norm(residue.Values);

    /// <summary>Cosine of what drew the two prompts to their (same) route; 1 when neither was drawn to any.</summary>
    public float ContributionSimilarity(PromptSignature other)
    {
        if (ContributionNorm == 0 && other.ContributionNorm == 0) return 1;
        if (ContributionNorm == 0 || other.ContributionNorm == 0) return 0;
        var dot = 0f;
        for (var f = 0; f < Contributions.Length && f < other.Contributions.Length; f++) dot += Contributions[f] * other.Contributions[f];
        return dot / (ContributionNorm * other.ContributionNorm);
    }

    /// <summary>Cosine of the two residues (0 when either is empty).</summary>
    public float ResidueSimilarity(PromptSignature other)
    {
        if (ResidueNorm == 0 || other.ResidueNorm == 0) return 0;
        return ResidueDot(other) / (ResidueNorm * other.ResidueNorm);
    }

    /// <summary>
    /// How much of the reading the route leaves unexplained (0: all pull, 1: all residue). A prompt the router sent to a route
    /// on a weak pull ("a query listing products never ordered", debugging for "never") teaches about its residue; a prompt
    /// drawn there strongly ("the totals don't match the database") is mostly that route's own business.
    /// </summary>
    public float ResidueShare => ContributionNorm + ResidueNorm == 0 ? 0 : ResidueNorm / (ContributionNorm + ResidueNorm);

    private float ResidueDot(PromptSignature other)
    {
        var dot = 0f;
        foreach (var (key, weight) in Residue)
            if (other.Residue.TryGetValue(key, out var theirs)) dot += weight * theirs;
        return dot;
    }

    private static float Norm(IEnumerable<float> values)
    {
        var sum = 0f;
        foreach (var v in values) sum += v * v;
        return MathF.Sqrt(sum);
    }
}
