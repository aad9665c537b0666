using Switchboard.Routing;
using Xunit.Abstractions;

namespace Switchboard.Tests.Unit.Routing;

[Trait("Kind", "Unit")]
public sealed class EmbeddedRouteSelectorTests(ITestOutputHelper output)
{
    /// <summary>The project's own coding policy: every test here runs on the repository's files alone.</summary>
    private static RoutePolicy CodingPolicy => RoutingDataLoader.LoadPolicyYaml(RoutingTestPaths.CodingPolicy);

    private async Task<EvaluationResult> Evaluate(RoutePolicy policy, string dataPath)
    {
        var rows = RoutingDataLoader.LoadJsonl(dataPath);
        var result = await RouterEvaluator.EvaluateAsync(policy, new EmbeddedRouteSelector(), rows);
        output.WriteLine(RouterEvaluator.RenderReport(result));
        return result;
    }

    /// <summary>The design brief's dev set, when ../shared is beside the repository (CI); skipped in a bare clone.</summary>
    [SharedDevSetFact]
    public async Task Shared_dev_set_accuracy_is_at_least_95_percent()
    {
        var result = await Evaluate(
            RoutingDataLoader.LoadPolicyYaml(Path.Combine(RoutingTestPaths.SharedRoutingDev, "policy.yaml")),
            Path.Combine(RoutingTestPaths.SharedRoutingDev, "dev.jsonl"));

        Assert.Equal(60, result.Total);
        Assert.True(result.Accuracy >= 0.95, $"accuracy {result.Accuracy:P1}");
    }

    [Theory]
    [InlineData("coding-policy.yaml", "coding-extra.jsonl", 0.95)]
    [InlineData("coding-policy.yaml", "coding-holdout.jsonl", 0.93)]
    [InlineData("assistant-policy.yaml", "assistant.jsonl", 0.95)]
    [InlineData("coding-policy.yaml", "tuning-coding.jsonl", 0.90)]
    [InlineData("tuning-ops-policy.yaml", "tuning-ops.jsonl", 0.88)]
    [InlineData("coding-policy.yaml", "tuning2-coding.jsonl", 0.88)]
    // Blind sets: written before the router was tuned and never tuned on; floors about 3 points below
    // what the router reaches, so a regression shows.
    [InlineData("coding-policy.yaml", "blind-coding.jsonl", 0.90)]
    [InlineData("data-policy.yaml", "blind-data.jsonl", 0.72)]
    [InlineData("devops-policy.yaml", "blind-devops.jsonl", 0.81)]
    // Written (typos, pasted traces, system-reminder noise, follow-ups) and measured before the round that
    // added typo tolerance; never tuned on. Baseline 89.4 %, 96.5 % after that round, 98.2 % after the tuning4 round.
    [InlineData("coding-policy.yaml", "blind2-coding.jsonl", 0.95)]
    // Claude Code phrasing (reminders, pasted errors, follow-ups), written and measured before the round that
    // added complexity, style and stale-data words; never tuned on. Baseline 91.9 %, 93.0 % after that round.
    [InlineData("coding-policy.yaml", "blind3-coding.jsonl", 0.90)]
    // Terse Claude Code prompts, pasted errors, non-native English, follow-ups and topic changes, written before the round
    // that tuned on tuning4-coding.jsonl (issue #17) and never looked at since. Baseline 94.2 %, 95.7 % after that round.
    [InlineData("coding-policy.yaml", "blind4-coding.jsonl", 0.92)]
    [InlineData("coding-policy.yaml", "tuning4-coding.jsonl", 0.96)]
    // Long Claude Code prompts, several activities with one request, refactor/review/docs boundaries, tests and CI
    // wording (issue #17, second round). Baseline 77.9 %.
    [InlineData("coding-policy.yaml", "tuning5-coding.jsonl", 0.80)]
    // Claude Code system reminders, pasted Go/Rust/TS errors, the request after a colon, "X or Y for Z?", docs vs
    // understanding, refactor vs new code, terse follow-ups, non-native English (issue #17, router3 round). Baseline
    // 75.8 % (69/91), 89.0 % (81/91) after that round, 94.5 % (86/91) after the router4 round.
    [InlineData("coding-policy.yaml", "tuning6-coding.jsonl", 0.91)]
    // Reviews without the word "review", terse follow-ups after a long assistant turn, docs requests vs explanations, pasted
    // logs and diffs with a one-line request, imperfect English, mixed intents where the last sentence decides, slash
    // commands, tests vs debugging, refactor vs optimisation (issue #17, router4 round). Baseline 80.4 % (86/107), 98.1 %
    // (105/107) after that round.
    [InlineData("coding-policy.yaml", "tuning7-coding.jsonl", 0.95)]
    // What coding clients send around the request: Claude Code reminders, IDE and slash-command tags; Codex CLI's AGENTS.md
    // and environment turns; Cursor's user_query, attached files and linter errors; Copilot's #file, @workspace and slash
    // commands; es/de/pt/fr prompts (issue #17, router5 round). Baseline 80.0 % (64/80), 93.8 % (75/80) after that round.
    [InlineData("coding-policy.yaml", "tuning8-coding.jsonl", 0.90)]
    // Questions about existing code's properties and correctness, reviews phrased every way, why/how questions about code that
    // works vs code that is broken, and their neighbours in the other routes (issue #17, router6 round). Baseline 75.0 %
    // (78/104), 83.7 % (87/104) after that round.
    [InlineData("coding-policy.yaml", "tuning9-coding.jsonl", 0.80)]
    // The same kinds of rows against another team's six coding routes, worded differently from coding-policy.yaml (router6
    // round), to keep the readings general. Baseline 85.7 % (42/49), 85.7 % after that round (2 fixed, 2 lost).
    [InlineData("tuning9b-policy.yaml", "tuning9b.jsonl", 0.82)]
    // Policies that leave activities out (issue #17, router7 round: activity coverage): r7-gaps-policy.yaml (ours, no
    // debugging, new-code, design or explaining route) baseline 62.5 % (20/32), 81.3 % (26/32) after that round;
    // team3-policy.yaml (a data helper's, five platform routes) baseline 51.1 % (46/90), 70.0 % (63/90) after it; plain
    // requests on coding-policy.yaml (tuning-coding10.jsonl) 95.0 % (76/80) before and after.
    // 87.5 % (28/32) after router13 (a build-failure concept; "after the last deploy" as a regression).
    [InlineData("r7-gaps-policy.yaml", "tuning-r7-gaps.jsonl", 0.84)]
    [InlineData("team3-policy.yaml", "tuning-team3.jsonl", 0.67)]
    [InlineData("coding-policy.yaml", "tuning-coding10.jsonl", 0.92)]
    // A data helper's (data7) coding-client sessions on coding-policy.yaml (Claude Code, Cursor, Codex, Copilot envelopes, pasted
    // traces, long sessions, terse follow-ups, topic changes) and a fifth team's area routes that leave activities out
    // (team5-policy.yaml), router9 round. Baselines 90.0 % (81/90) and 56.2 % (45/80); 65.0 % on team5 once a negated verb in a
    // route ("code that does not build") reads as the failure it names;
    // 91.1 % (82/90) on client-coding after that round's question readings.
    [InlineData("coding-policy.yaml", "tuning-client-coding.jsonl", 0.88)]
    [InlineData("team5-policy.yaml", "tuning-team5.jsonl", 0.65)]
    // Router13 round: data8's coding-client sessions (tuning-client-coding2.jsonl, 100 rows) and a seventh team's routes named
    // after outcomes and roles ("green build", "faster pages", "onboarding buddy"; team7-policy.yaml, 80 rows), written before
    // the round; baselines 88.0 % and 56.2 %, 89.0 % and 67.5 % after it (a build-failure concept, 'the build' as a noun,
    // items put as questions, questions about the assistant's work). own-team6-coding.jsonl: 26 rows of ours on team6's
    // policy, written for the check that it stays lexical (92.3 %; main 84.6 % with the MiniLM stage).
    [InlineData("coding-policy.yaml", "tuning-client-coding2.jsonl", 0.86)]
    [InlineData("team7-policy.yaml", "tuning-team7.jsonl", 0.64)]
    [InlineData("team6-coding-policy.yaml", "own-team6-coding.jsonl", 0.88)]
    public async Task Own_labelled_data_accuracy(string policyFile, string dataFile, double floor)
    {
        var result = await Evaluate(RoutingDataLoader.LoadPolicyYaml(RoutingTestPaths.Data(policyFile)), RoutingTestPaths.Data(dataFile));

        Assert.True(result.Total >= 25, $"only {result.Total} rows");
        Assert.True(result.Accuracy >= floor, $"accuracy {result.Accuracy:P1}");
    }

    // Everyday policies (issue #17): tuning sets, and blind sets written before the round that added everyday concepts
    // and never tuned on. Measured at that round: blind support 70.7 %, travel 92.7 %, finance 70.7 %, home 90.0 %,
    // writing 87.8 %, mixed (routes across domains plus coding) 69.4 %; floors about 3 points below, so a regression shows.
    [Theory]
    [InlineData("support-policy.yaml", "tuning-support.jsonl", 0.69)]
    [InlineData("travel-policy.yaml", "tuning-travel.jsonl", 0.85)]
    [InlineData("finance-policy.yaml", "tuning-finance.jsonl", 0.80)]
    [InlineData("home-policy.yaml", "tuning-home.jsonl", 0.90)]
    [InlineData("writing-policy.yaml", "tuning-writing.jsonl", 0.83)]
    [InlineData("support-policy.yaml", "blind-support.jsonl", 0.68)]
    [InlineData("travel-policy.yaml", "blind-travel.jsonl", 0.90)]
    [InlineData("finance-policy.yaml", "blind-finance.jsonl", 0.68)]
    [InlineData("home-policy.yaml", "blind-home.jsonl", 0.87)]
    [InlineData("writing-policy.yaml", "blind-writing.jsonl", 0.85)]
    [InlineData("mixed-policy.yaml", "blind-mixed.jsonl", 0.66)]
    [InlineData("coding-policy.yaml", "topic-change-coding.jsonl", 0.95)]
    // Topic changes with no marker (coding → everyday), everyday → coding, coding → another activity, and elliptical follow-ups
    // that inherit (router11 round, written before its change). Baseline 86.2 % (25/29), 93.1 % (27/29) after that round.
    [InlineData("coding-policy.yaml", "topic-change2-coding.jsonl", 0.89)]
    // An HR assistant (a data helper's set, router7 round): lexical stage 65.0 % (39/60), unchanged by that round.
    [InlineData("hr-policy.yaml", "tuning-hr.jsonl", 0.62)]
    public async Task Everyday_policies_and_topic_changes_accuracy(string policyFile, string dataFile, double floor)
    {
        var result = await Evaluate(RoutingDataLoader.LoadPolicyYaml(RoutingTestPaths.Data(policyFile)), RoutingTestPaths.Data(dataFile));

        Assert.True(result.Total >= (dataFile.StartsWith("topic", StringComparison.Ordinal) ? 12 : 40), $"only {result.Total} rows");
        Assert.True(result.Accuracy >= floor, $"accuracy {result.Accuracy:P1}");
    }

    [Theory]
    [InlineData("explian", "explain")]
    [InlineData("documnetation", "documentation")]
    [InlineData("debuging", "debugging")]
    [InlineData("refacter", "refactor")]
    [InlineData("architecure", "architecture")]
    public void Typos_of_known_words_are_corrected(string typo, string word)
    {
        var lexicon = ConceptLexicon.Instance;
        Span<char> buffer = stackalloc char[ConceptLexicon.MaxWordLength];
        var expected = new string(buffer[..ConceptLexicon.Normalize(word, buffer)]);

        Assert.Equal(expected, lexicon.Spelling.Correct(typo));
    }

    [Theory]
    [InlineData("paris")]   // two edits from "parse": deletions meeting from both sides are not enough
    [InlineData("xplain")]  // the first letter is never corrected
    [InlineData("fixs")]    // too short to correct safely
    [InlineData("banana")]
    public void Unknown_words_far_from_known_ones_are_left_alone(string word) =>
        Assert.Null(ConceptLexicon.Instance.Spelling.Correct(word));

    [Theory]
    [InlineData("pls wirte a go func to chunk a slice into batches", "code generation")]
    [InlineData("can you explian what this closure captures?", "code understanding")]
    [InlineData("improve the documnetation of the config module", "documentation")]
    [InlineData("convert this C# class into TypeScript", "code generation")]
    [InlineData("how should I structure my thesis introduction?", null)]
    // Activity words in Spanish, German and French (ForeignCues); a question outside software stays other.
    [InlineData("escribe un script que borre los archivos temporales de más de 7 días", "code generation")]
    [InlineData("erkläre mir bitte, was diese Klasse macht", "code understanding")]
    [InlineData("écris la documentation de ce module", "documentation")]
    [InlineData("wie sollten wir die Datenbank für mehrere Mandanten aufbauen?", "architecture")]
    [InlineData("¿cuál es la capital de Francia?", null)]
    public void General_phrasings_route_sensibly(string text, string? expected)
    {
        var selection = new EmbeddedRouteSelector().Select(RouterInputBuilder.FromTurns([new RouterTurn(TurnRole.User, text)]), CodingPolicy);

        Assert.Equal(expected, selection.Route);
    }

    // A question about given code asks to assess or explain it; its failure words are what might happen (router6 round).
    // Each of the first five went to debugging before that round.
    [Theory]
    [InlineData("Does this regex accept leading zeros?\n```\n^(25[0-5]|2[0-4]\\d|1?\\d?\\d)$\n```", "code understanding")]
    [InlineData("why is `self` not needed here?\n```python\nclass Point:\n    @staticmethod\n    def origin():\n        return Point(0, 0)\n```", "code understanding")]
    [InlineData("Is this a reasonable way to do pagination, or will it get slow as the table grows?\n```sql\nSELECT * FROM events ORDER BY created_at LIMIT 50 OFFSET 100000;\n```", "code understanding")]
    [InlineData("Be critical: is this error handling good enough for production?\n```go\nresp, _ := http.Get(url)\n```", "code understanding")]
    [InlineData("is the ordering guaranteed here or am I getting lucky?\n```kotlin\nval m = hashMapOf(\"a\" to 1)\n```", "code understanding")]
    // A failure after "if" is supposed; a question may name its code first (Copilot's #file:) or ask where (router9 round:
    // both went elsewhere before).
    [InlineData("`app/services/refunds.py` what happens if the gateway times out twice in a row?", "code understanding")]
    [InlineData("where is the retry count set in this client?", "code understanding")]
    [InlineData("what happens if the payment fails? we saw 3 crashes today", "debugging")]
    // The turn states a failure beside its question, names the failure as something seen, or asks whether it is a failure.
    [InlineData("is this a race condition? sometimes the counter ends up lower than the number of requests we sent.\n```go\nfunc (s *Srv) Hit() { s.count++ }\n```", "debugging")]
    [InlineData("does this explain the memory leak we're seeing? heap grows ~200MB an hour\n```js\nemitter.on('data', d => cache.push(d));\n```", "debugging")]
    [InlineData("why is this query so slow? it takes 40 seconds on 2M rows", "debugging")]
    [InlineData("go vet says `loop variable i captured by func literal` in handlers.go. is that a real problem or noise?", "debugging")]
    [InlineData("can you turn this jQuery code into plain React?", "code generation")]
    [InlineData("why is the sky blue?", null)]
    public void Questions_about_given_code_read_as_assessing_or_explaining_it(string text, string? expected)
    {
        var selection = new EmbeddedRouteSelector().Select(RouterInputBuilder.FromTurns([new RouterTurn(TurnRole.User, text)]), CodingPolicy);

        Assert.Equal(expected, selection.Route);
    }

    [Fact]
    public void A_follow_up_question_about_the_code_just_written_asks_about_it_not_for_a_fix()
    {
        var input = RouterInputBuilder.FromTurns(
        [
            new RouterTurn(TurnRole.User, "write a function that flattens nested lists in python"),
            new RouterTurn(TurnRole.Assistant, "```python\ndef flatten(x):\n    for i in x:\n        if isinstance(i, list): yield from flatten(i)\n        else: yield i\n```"),
            new RouterTurn(TurnRole.User, "does it handle strings inside the list correctly or will it recurse forever on them?"),
        ]);
        var broken = RouterInputBuilder.FromTurns([.. input.Turns.Take(2), new RouterTurn(TurnRole.User, "it recurses forever when I pass it a string")]);
        var selector = new EmbeddedRouteSelector();

        Assert.Equal("code understanding", selector.Select(input, CodingPolicy).Route);
        Assert.Equal("debugging", selector.Select(broken, CodingPolicy).Route);
    }

    [Fact]
    public void A_question_about_given_code_reads_through_another_teams_route_wording()
    {
        var policy = RoutingDataLoader.LoadPolicyYaml(RoutingTestPaths.Data("tuning9b-policy.yaml"));
        var selector = new EmbeddedRouteSelector();
        string? Route(string text) => selector.Select(RouterInputBuilder.FromTurns([new RouterTurn(TurnRole.User, text)]), policy).Route;

        Assert.Equal("pr feedback", Route("does this handle a zero-length slice?\n```go\nfunc last(xs []int) int { return xs[len(xs)-1] }\n```"));
        Assert.Equal("defect triage", Route("why does this fail with `KeyError: 'id'`?\n```python\nuser_id = payload['id']\n```"));
    }

    [Fact]
    public void Long_conversation_with_code_and_a_traceback_reads_as_debugging()
    {
        var code = string.Join("\n", Enumerable.Range(0, 200).Select(i => $"    result_{i} = compute_value(items[{i}]) # step {i}"));
        var input = RouterInputBuilder.FromTurns(
        [
            new RouterTurn(TurnRole.User, "write a data loader for the items table"),
            new RouterTurn(TurnRole.Assistant, "```python\n" + code + "\n```"),
            new RouterTurn(TurnRole.User, "running it gives:\nTraceback (most recent call last):\n  File \"loader.py\", line 12, in <module>\nKeyError: 'id'"),
        ]);
        var selector = new EmbeddedRouteSelector();
        var selection = selector.Select(input, CodingPolicy);

        // Its decision time is measured by bench/ (RouterBenchmarks), not asserted here.
        Assert.Equal("debugging", selection.Route);
    }

    [Theory]
    [InlineData("Don't rewrite it, just explain what the regex in this function matches.", "code understanding")]
    [InlineData("No need to explain anything, just fix the crash in the login handler.", "debugging")]
    [InlineData("thanks, and fix the other one too", "debugging")]
    [InlineData("ok thanks", null)]
    [InlineData("perfect, that fixed it. thank you!", null)]
    [InlineData("Tell me a joke about penguins.", null)]
    [InlineData("what's a good name for a cat?", null)]
    [InlineData("how do I fix a flat bike tyre?", null)]
    [InlineData("Review this diff for style. Don't rewrite it, just comment.", "code understanding")]
    [InlineData("my go build says 'undefined: NewClient' but the function is right there", "debugging")]
    [InlineData("What is this generator doing?", "code understanding")]
    [InlineData("I added the index but the query still does a full table scan, EXPLAIN shows Seq Scan", "debugging")]
    [InlineData("kubectl get pods shows CrashLoopBackOff for the api deployment", "debugging")]
    [InlineData("what is the right way to design API versioning for a public API that many customers use?", "architecture")]
    [InlineData("Is there anything wrong with this approach of storing the token in localStorage? just want an opinion on the code", "code understanding")]
    // A request to restructure code asks for code; "migration" as a noun does not.
    [InlineData("refactor the InvoiceService class: split the long handle() into smaller private methods and keep behaviour identical", "code generation")]
    [InlineData("rename the utils package to helpers everywhere and update all the imports", "code generation")]
    [InlineData("summarize what the migration scripts in db/ do", "code understanding")]
    // What a turn did before "The ask:" is background (without the announcer, this one reads as debugging).
    [InlineData("We fixed the flaky test and cleaned up the logging yesterday. The ask: add a --verbose flag to the import command", "code generation")]
    [InlineData("I profiled it and rewrote the hot loop last week. What I need now: docstrings for the public functions in metrics.py", "documentation")]
    // Technologies side by side in a question ask which to choose; "a bug or expected behaviour" still reports a symptom.
    [InlineData("postgres or mongodb for storing audit events?", "architecture")]
    [InlineData("is it a bug or expected behaviour that the cache returns stale data?", "debugging")]
    [InlineData("a list or a tuple here, which should I use?", "code understanding")]
    [InlineData("`psql: command not found` when the deploy script runs on the new runner", "debugging")]
    [InlineData("the dashboard p99 jumped to 2s after the release", "debugging")]
    public void Intent_cues(string latest, string? expected)
    {
        var input = new RouterInput([new RouterTurn(TurnRole.User, latest)]);

        Assert.Equal(expected, new EmbeddedRouteSelector().Select(input, CodingPolicy).Route);
    }

    // A thank-you closes the task unless it goes on to ask for something (router10 round). Everyday requests open with
    // verbs the lexicon does not read as a request ("play", "find"), so there the words said beside the thanks decide;
    // on a coding-only policy a thank-you with no software verb stays an acknowledgement, as before.
    [Theory]
    [InlineData("home-policy.yaml", "great, play some summer music", false)]
    [InlineData("writing-policy.yaml", "I need a thank-you email to send after a job interview", false)]
    [InlineData("support-policy.yaml", "thanks. also the timer function on the oven doesn't beep anymore", false)]
    [InlineData("home-policy.yaml", "thanks, that's all for today", true)]
    [InlineData("writing-policy.yaml", "thank you so much, this helped a ton", true)]
    [InlineData("support-policy.yaml", "great, that fixed it. thank you so much!", true)]
    [InlineData("coding-policy.yaml", "thanks! totally unrelated: recommend a sci-fi book for a long flight", true)]
    public void A_thank_you_that_goes_on_to_ask_is_a_request(string policyFile, string latest, bool acknowledgement)
    {
        var policy = RoutingDataLoader.LoadPolicyYaml(RoutingTestPaths.Data(policyFile));
        var trace = new EmbeddedRouteSelector().Explain(new RouterInput([new RouterTurn(TurnRole.User, latest)]), policy);

        output.WriteLine(string.Join("\n", trace));
        Assert.Equal(acknowledgement, trace.Contains("other: acknowledgement"));
    }

    // "everyday" gathers words that share nothing but not being software (birthdays, kids, diets): a route that lists one
    // of them is not a match for the others (router10 round).
    [Theory]
    [InlineData("what should I get my sister for her birthday", null)]
    [InlineData("fun things to do with the kids this weekend", null)]
    [InlineData("cheap dinner recipes for a vegan diet", "meal ideas")]
    public void A_route_that_lists_one_everyday_subject_is_not_a_match_for_the_others(string latest, string? expected)
    {
        var policy = new RoutePolicy(
        [
            new RouteDefinition("meal ideas", "recipes, meal plans and shopping lists for a diet, a budget or feeding a family", "m1"),
            new RouteDefinition("deliveries", "booking, changing or cancelling a delivery slot and delivery charges", "m2"),
        ]);

        var selection = new EmbeddedRouteSelector().Select(new RouterInput([new RouterTurn(TurnRole.User, latest)]), policy);

        output.WriteLine($"{selection.Route ?? "other"} ({selection.Detail})");
        Assert.Equal(expected, selection.Route);
    }

    // A route whose business IS an everyday subject (pets, homework, a garden) covers a request naming the very word it
    // lists, so the off-topic penalty does not fall on it; the words it does not list still do not reach it (above).
    [Theory]
    [InlineData("how do I get my kids to do their homework after school", "homework help")]
    [InlineData("my daughter has an exam tomorrow, help her revise", "homework help")]
    [InlineData("what should I feed my cat", "pet care")]
    [InlineData("what should I get my sister for her birthday", null)]
    public void A_route_that_lists_an_everyday_word_covers_a_request_naming_it(string latest, string? expected)
    {
        var policy = new RoutePolicy(
        [
            new RouteDefinition("pet care", "feeding, grooming and health of a pet cat or dog", "m1"),
            new RouteDefinition("homework help", "explaining school homework and exam revision", "m2"),
            new RouteDefinition("deliveries", "booking, changing or cancelling a delivery slot and delivery charges", "m3"),
        ]);

        var selection = new EmbeddedRouteSelector().Select(new RouterInput([new RouterTurn(TurnRole.User, latest)]), policy);

        output.WriteLine($"{selection.Route ?? "other"} ({selection.Detail})");
        Assert.Equal(expected, selection.Route);
    }

    [Fact]
    public void A_short_follow_up_leans_on_the_previous_request()
    {
        var input = new RouterInput(
        [
            new RouterTurn(TurnRole.User, "Write a Go function that reverses a slice of ints."),
            new RouterTurn(TurnRole.Assistant, "func Reverse(s []int) { ... }"),
            new RouterTurn(TurnRole.User, "now do the same for strings"),
        ]);

        Assert.Equal("code generation", new EmbeddedRouteSelector().Select(input, CodingPolicy).Route);
    }

    [Fact]
    public void Routes_it_has_never_seen_work_from_their_descriptions()
    {
        var policy = new RoutePolicy(
        [
            new RouteDefinition("legal", "reviewing contracts, clauses, NDAs and other legal agreements", "m1"),
            new RouteDefinition("cooking", "recipes, ingredients, meal planning and cooking techniques", "m2"),
            new RouteDefinition("kubernetes help", "deploying and troubleshooting workloads on Kubernetes clusters with kubectl and Helm", "m3"),
        ]);
        var selector = new EmbeddedRouteSelector();

        RouteSelection Ask(string text) => selector.Select(new RouterInput([new RouterTurn(TurnRole.User, text)]), policy);

        Assert.Equal("legal", Ask("Can you check this NDA clause about termination for risks?").Route);
        Assert.Equal("cooking", Ask("What ingredients do I need for a simple risotto recipe?").Route);
        Assert.Equal("kubernetes help", Ask("My pods are stuck in CrashLoopBackOff after the helm upgrade").Route);
        Assert.Null(Ask("Who won the world cup in 2010?").Route);
    }

    /// <summary>
    /// A route for a failing state ("Won't Build: code that does not build or install") is for diagnosing that failure, not
    /// for building (router9 round): before, every "write …" request leaned to it and its own build errors went to other.
    /// </summary>
    [Fact]
    public void A_negated_verb_in_a_route_names_a_failure_not_an_activity()
    {
        var policy = new RoutePolicy(
        [
            new RouteDefinition("scripting", "bash scripts, cron entries and command-line one-liners", "m1"),
            new RouteDefinition("Won't Build", "code that does not build or install - compiler errors, linker errors and dependency conflicts", "m2"),
            new RouteDefinition("dataframes", "cleaning and joining tabular data with pandas or SQL, and charts from it", "m3"),
        ]);
        var selector = new EmbeddedRouteSelector();
        string? Route(string text) => selector.Select(new RouterInput([new RouterTurn(TurnRole.User, text)]), policy).Route;

        Assert.Equal("scripting", Route("write a bash script that deletes log files older than a week"));
        Assert.Null(Route("write a function that merges two sorted lists"));
        Assert.Equal("Won't Build", Route("cargo build fails: error[E0432]: unresolved import `serde_json`"));
        Assert.Equal("Won't Build", Route("the linker says undefined reference to `curl_easy_init`"));
    }

    /// <summary>
    /// A build that fails is not every bug (router13): a route for "code that does not build or install" or for a red build is
    /// about build failures, so a runtime bug on a policy with no debugging route goes to other, and a route named "green
    /// build" is no route for building new code. An item put as a question ("what a module does, where something lives")
    /// makes a software route one for explaining.
    /// </summary>
    [Fact]
    public void Build_failures_are_a_subject_apart_from_runtime_bugs_and_question_items_are_for_explaining()
    {
        var policy = new RoutePolicy(
        [
            new RouteDefinition("Won't Compile", "code that does not build or install - compiler errors, linker errors and dependency conflicts", "m1"),
            new RouteDefinition("green build", "the build or the test suite is red - failing unit tests, flaky tests, broken CI jobs", "m2"),
            new RouteDefinition("login", "sign-in, OAuth, JWTs, sessions and permissions", "m3"),
            new RouteDefinition("newcomer guide", "help a newcomer find their way around our codebase - what a module does, where something lives, how the services talk to each other", "m4"),
        ]);
        var lexicon = ConceptLexicon.Instance;
        var compiled = CompiledRoutePolicy.Compile(policy, lexicon);
        float Activity(int route, int concept) => compiled.ActivityWeights[route * compiled.ConceptCount + concept];
        var generate = Array.IndexOf(lexicon.ConceptNames, "generate");
        var selector = new EmbeddedRouteSelector();
        string? Route(string text) => selector.Select(new RouterInput([new RouterTurn(TurnRole.User, text)]), policy).Route;

        Assert.Equal(0f, Activity(0, lexicon.DebugConcept));
        Assert.True(compiled.ConceptWeights[lexicon.BuildFailureConcept] > 0f);
        Assert.True(Activity(1, generate) < 0.7f);
        Assert.True(Activity(3, lexicon.ExplainConcept) >= 0.7f);
        Assert.Null(Route("the export endpoint returns NaN for rows with emoji in the name, find and fix it"));
        Assert.Null(Route("write a function that parses ISO week numbers"));
        Assert.Equal("Won't Compile", Route("npm ERR! ERESOLVE unable to resolve dependency tree: peer react@17 from react-table@7.8.0"));
        Assert.Equal("newcomer guide", Route("how does the billing service get its invoices, is it polling or does something push them?"));
    }

    /// <summary>
    /// A question whose subject is the assistant or the code at hand ("why did you use a Decimal and not a float?") asks about
    /// the earlier work, however few software words it has (router13: it went to other); a question put to "you" as a polite
    /// request, about something else, is still a request of its own.
    /// </summary>
    [Fact]
    public void A_question_about_the_assistants_work_is_about_the_earlier_turns()
    {
        RouterInput After(string latest) => RouterInputBuilder.FromTurns(
        [
            new RouterTurn(TurnRole.User, "write a python function that totals the line items of an invoice"),
            new RouterTurn(TurnRole.Assistant, "```python\nfrom decimal import Decimal\ndef total(items):\n    return sum(Decimal(i.price) * i.qty for i in items)\n```"),
            new RouterTurn(TurnRole.User, latest),
        ]);
        var selector = new EmbeddedRouteSelector();

        Assert.Equal("code understanding", selector.Select(After("why did you use a Decimal and not a float?"), CodingPolicy).Route);
        Assert.Null(selector.Select(After("can you recommend a good sci-fi novel for a long flight?"), CodingPolicy).Route);
        // A generic "you" (merge review): a question of its own, not one about the assistant's work.
        Assert.Null(selector.Select(After("how do you get red wine out of a carpet?"), CodingPolicy).Route);
        Assert.Null(selector.Select(After("what would you pack for a rainy weekend in Lisbon?"), CodingPolicy).Route);
    }

    /// <summary>
    /// Latest intent wins (router11): a question put as one, with no software words or code of its own, decides alone after a
    /// coding turn, even when a word of it looks like a failure ("raise") or it is short; a statement reporting on the earlier
    /// work ("entries never expire though, why?") still inherits it.
    /// </summary>
    [Fact]
    public void A_question_of_its_own_after_a_coding_turn_decides_alone_and_a_report_on_the_work_inherits()
    {
        var selector = new EmbeddedRouteSelector();
        string? After(string earlier, string reply, string latest) => selector.Select(new RouterInput(
        [
            new RouterTurn(TurnRole.User, earlier),
            new RouterTurn(TurnRole.Assistant, reply),
            new RouterTurn(TurnRole.User, latest),
        ]), CodingPolicy).Route;

        Assert.Null(After("Why does this loop never terminate? `while i < n: total += i`", "You never increment i.",
            "can my landlord raise the rent twice in one year?"));
        Assert.Null(After("Add JSDoc comments to this module", "Here's the module with JSDoc on every export.", "why do cats knead blankets?"));
        Assert.Equal("debugging", After("Add a cache in front of the price lookup", "Here's an LRU cache with a TTL...",
            "entries never expire though, why?"));
        Assert.Equal("code generation", After("Write a Python function that slugifies titles", "def slugify(title): ...", "now the tests"));
    }

    /// <summary>
    /// Only a negated state names a failure ("does not build", "can't install"); an exclusion ("without changing it", "not for
    /// writing code") takes the action out of the route and leaves it no business with debugging (merge review of router9).
    /// </summary>
    [Fact]
    public void An_excluded_action_in_a_route_is_dropped_and_only_a_negated_state_names_a_failure()
    {
        var lexicon = ConceptLexicon.Instance;
        var compiled = CompiledRoutePolicy.Compile(new RoutePolicy(
        [
            new RouteDefinition("code explanation", "explaining what code does, without changing it", "m1"),
            new RouteDefinition("general", "everyday questions, not for writing code", "m2"),
            new RouteDefinition("no rewrites", "answers with no refactoring of the code", "m3"),
            new RouteDefinition("broken build", "code that does not build", "m4"),
            new RouteDefinition("broken installs", "packages that can't install or won't compile", "m5"),
        ]), lexicon);
        float Debugging(int route) => compiled.ConceptWeights[route * compiled.ConceptCount + lexicon.DebugConcept];

        Assert.Equal(0f, Debugging(0));
        Assert.Equal(0f, Debugging(1));
        Assert.Equal(0f, Debugging(2));
        Assert.True(Debugging(3) > 0f);
        Assert.True(Debugging(4) > 0f);

        var selector = new EmbeddedRouteSelector();
        var policy = new RoutePolicy(
        [
            new RouteDefinition("code explanation", "explaining what code does, without changing it", "m1"),
            new RouteDefinition("debugging", "finding and fixing bugs, crashes and failing tests", "m2"),
        ]);
        Assert.Equal("debugging", selector.Select(new RouterInput([new RouterTurn(TurnRole.User, "my app crashes when I click save, fix it")]), policy).Route);
    }

    [Fact]
    public void A_request_whose_activity_no_route_is_for_is_other_unless_its_object_is_a_routes_business()
    {
        RouteDefinition[] gaps =
        [
            new("test authoring", "adding or extending unit and integration tests, test fixtures, mocks and coverage", "m1"),
            new("docs", "READMEs, API documentation, docstrings, changelogs and release notes", "m2"),
            new("data layer", "SQL queries, database schemas, ORM models, migrations and indexes", "m3"),
            // "error formats" names a thing the route designs, not the activity of fixing errors.
            new("api design", "designing HTTP APIs - endpoints, status codes, pagination and error formats", "m4"),
        ];
        var selector = new EmbeddedRouteSelector();
        string? Ask(RoutePolicy policy, string text) => selector.Select(new RouterInput([new RouterTurn(TurnRole.User, text)]), policy).Route;
        var withoutFixing = new RoutePolicy(gaps);

        Assert.Null(Ask(withoutFixing, "the app crashes with a NullPointerException when I open the settings screen, can you fix it?"));
        Assert.Null(Ask(withoutFixing, "write a python function that merges two sorted lists into one"));
        // What it is about is plainly one route's business: the route still answers.
        Assert.Equal("data layer", Ask(withoutFixing, "write a SQL query that returns the top 10 customers by revenue last month"));
        Assert.Equal("test authoring", Ask(withoutFixing, "write unit tests for the parse_date function, including leap years"));

        // The same request once a route is for fixing things.
        var withFixing = new RoutePolicy([.. gaps, new("defects", "finding and fixing bugs, crashes and exceptions", "m5")]);
        Assert.Equal("defects", Ask(withFixing, "the app crashes with a NullPointerException when I open the settings screen, can you fix it?"));

        // Descriptions written in the third person ("Fixes …", "Writes …") say their activity with their first word.
        var thirdPerson = new RoutePolicy([.. gaps, new("defects", "Fixes bugs, crashes and exceptions", "m5"), new("builder", "Writes new functions, classes and scripts", "m6")]);
        Assert.Equal("defects", Ask(thirdPerson, "the app crashes with a NullPointerException when I open the settings screen, can you fix it?"));
        Assert.Equal("builder", Ask(thirdPerson, "write a python function that merges two sorted lists into one"));
    }

    [Fact]
    public void Decisions_are_deterministic_and_ties_follow_config_order()
    {
        var policy = new RoutePolicy([new RouteDefinition("first", "same words here", "a"), new RouteDefinition("second", "same words here", "b")]);
        var input = new RouterInput([new RouterTurn(TurnRole.User, "same words here please")]);
        var selector = new EmbeddedRouteSelector();

        var answers = Enumerable.Range(0, 5).Select(_ => selector.Select(input, policy).Route).Distinct().ToList();

        Assert.Equal(["first"], answers);
    }

    [Fact]
    public async Task Empty_inputs_and_policies_are_other_and_never_throw()
    {
        var selector = new EmbeddedRouteSelector();

        Assert.Equal(RouteReason.Other, (await selector.SelectAsync(new RouterInput([]), CodingPolicy, default)).Reason);
        Assert.Equal(RouteReason.Other, (await selector.SelectAsync(new RouterInput([new RouterTurn(TurnRole.User, "fix it")]), new RoutePolicy([]), default)).Reason);
        Assert.Equal(RouteReason.Other, (await selector.SelectAsync(new RouterInput([new RouterTurn(TurnRole.User, "!!! ??? ...")]), CodingPolicy, default)).Reason);
    }

    [Fact]
    public void Threshold_from_config_is_honoured()
    {
        var input = new RouterInput([new RouterTurn(TurnRole.User, "Implement quicksort in C++ using iterators.")]);

        Assert.Equal("code generation", new EmbeddedRouteSelector(0.3).Select(input, CodingPolicy).Route);
        Assert.Null(new EmbeddedRouteSelector(0.99).Select(input, CodingPolicy).Route);
    }
}
