using Switchboard.Config;
using Switchboard.Routing;
using Switchboard.Routing.Feedback;
using Switchboard.Routing.Semantic;
using Xunit.Abstractions;

namespace Switchboard.Tests.Unit.Routing;

/// <summary>
/// The embedded router with its semantic second stage (all-MiniLM-L6-v2, issue #17). The encoder is the process's shared
/// one (<see cref="SentenceEncoderHost.Shared"/>): it loads once (~10 s) for every test here. Embeddings are deterministic,
/// so the floors are fixed numbers.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class SemanticRouterTests(ITestOutputHelper output)
{
    private static readonly EmbeddedRouteSelector Router = new(null, SemanticMode.Auto);

    private static RoutePolicy Policy(string file) => RoutingDataLoader.LoadPolicyYaml(RoutingTestPaths.Data(file));

    private static void WaitForSemantic(RoutePolicy policy)
    {
        var stage = Router.SemanticFor(policy);
        Assert.NotNull(stage);
        Assert.True(stage.WaitUntilReady(policy, TimeSpan.FromMinutes(3)), "the semantic stage did not load: " + stage.Encoder.Failure);
    }

    // Measured when the stage was added (weights fitted on the tuning sets only). Blind sets: blind-* were written in an
    // earlier round (lexical alone: support 70.7, finance 70.7, mixed 69.4 %), blind2-* and the health policy were written
    // before this stage existed; none was tuned on. Floors about 3 points below what the router reaches.
    [Theory]
    [InlineData("support-policy.yaml", "blind-support.jsonl", 0.80)]   // 82.9 %
    [InlineData("support-policy.yaml", "blind2-support.jsonl", 0.84)]  // 87.8 %
    [InlineData("finance-policy.yaml", "blind-finance.jsonl", 0.87)]   // 90.2 %
    [InlineData("finance-policy.yaml", "blind2-finance.jsonl", 0.82)]  // 85.4 %
    [InlineData("mixed-policy.yaml", "blind-mixed.jsonl", 0.90)]       // 93.9 % (91.8 before router8)
    [InlineData("mixed-policy.yaml", "blind2-mixed.jsonl", 0.79)]      // 81.8 %
    [InlineData("health-policy.yaml", "blind2-health.jsonl", 0.80)]    // 83.3 %
    [InlineData("travel-policy.yaml", "blind-travel.jsonl", 0.90)]     // 92.7 %
    [InlineData("home-policy.yaml", "blind-home.jsonl", 0.87)]         // 90.0 %
    [InlineData("writing-policy.yaml", "blind-writing.jsonl", 0.87)]   // 90.2 %
    [InlineData("data-policy.yaml", "blind-data.jsonl", 0.80)]         // 82.5 %
    [InlineData("support-policy.yaml", "tuning2-support.jsonl", 0.83)] // 86.7 %
    [InlineData("finance-policy.yaml", "tuning2-finance.jsonl", 0.86)] // 90.0 %
    [InlineData("mixed-policy.yaml", "tuning-mixed.jsonl", 0.82)]      // 85.3 %
    [InlineData("health-policy.yaml", "tuning-health.jsonl", 0.82)]    // 85.7 %
    // A domain written for the sem6 round before its experiments, and held out of that round's weight fit.
    [InlineData("cooking-policy.yaml", "tuning-cooking.jsonl", 0.79)]  // 82.8 % (79.7 before router14, 78.1 before router10, 76.6 before router8; lexical alone 50.0 %)
    // Domains written for the router8 round before its change (baseline before it: insurance 60.7, pets 73.6, helpdesk
    // 80.4 %; HR 85.0 %).
    [InlineData("insurance-policy.yaml", "tuning-insurance.jsonl", 0.73)] // 76.8 % (66.1 before router14, 64.3 before router10)
    [InlineData("pets-policy.yaml", "tuning-pets.jsonl", 0.78)]           // 81.1 % (79.2 before router14, 77.4 before router10)
    [InlineData("helpdesk-policy.yaml", "tuning-helpdesk.jsonl", 0.79)]   // 82.4 %
    [InlineData("hr-policy.yaml", "tuning-hr.jsonl", 0.85)]               // 88.3 % (85.0 before router10)
    // Two fresh everyday domains from a data helper (data7, router10 round: an online grocery's assistant and a tenants'
    // advice charity), kept as the round's check that a change generalizes: nothing was fitted on them.
    [InlineData("grocery-policy.yaml", "tuning-grocery.jsonl", 0.73)]     // 76.7 %
    [InlineData("tenant-policy.yaml", "tuning-tenant.jsonl", 0.70)]       // 73.3 %
    // Two action-heavy domains from a data helper (data8, router14 round: an airline's and a telecom operator's assistants,
    // routes that share bookings, plans and phones and differ by what the user wants done). Baselines 61.7 and 68.3 %.
    [InlineData("airline-policy.yaml", "tuning-airline.jsonl", 0.63)]     // 66.7 %
    [InlineData("telecom-policy.yaml", "tuning-telecom.jsonl", 0.67)]     // 70.0 %
    public async Task Everyday_policies_with_the_semantic_stage(string policyFile, string dataFile, double floor)
    {
        var policy = Policy(policyFile);
        WaitForSemantic(policy);
        var result = await RouterEvaluator.EvaluateAsync(policy, Router, RoutingDataLoader.LoadJsonl(RoutingTestPaths.Data(dataFile)));
        output.WriteLine(RouterEvaluator.RenderReport(result));

        Assert.True(result.Total >= 30, $"only {result.Total} rows");
        Assert.True(result.Accuracy >= floor, $"accuracy {result.Accuracy:P1}");
    }

    [Fact]
    public async Task Coding_policies_are_answered_by_the_lexical_stage_and_never_load_the_encoder()
    {
        var host = new SentenceEncoderHost(() => throw new InvalidOperationException("a coding policy must not load the encoder"));
        var router = new EmbeddedRouteSelector(null, SemanticMode.Auto, new SemanticStage(host));
        var coding = Policy("coding-policy.yaml");

        var result = await RouterEvaluator.EvaluateAsync(coding, router, RoutingDataLoader.LoadJsonl(RoutingTestPaths.Data("blind-coding.jsonl")));
        var lexical = await RouterEvaluator.EvaluateAsync(coding, new EmbeddedRouteSelector(), RoutingDataLoader.LoadJsonl(RoutingTestPaths.Data("blind-coding.jsonl")));

        Assert.Null(router.SemanticFor(coding));
        Assert.False(host.LoadStarted);
        Assert.Equal(lexical.Accuracy, result.Accuracy);
    }

    /// <summary>
    /// Coding policies whose every route the lexicon reads as about software stay with the lexical stage (microseconds)
    /// and never start the encoder (~10 ms a decision on this machine). Teams whose routes name business areas the lexicon
    /// does not read as software (team2's explain_code, team4's Localization, team6's search relevance and transactional
    /// email) are left to the semantic stage: made lexical, their blind sets lost 1–10 rows (router13, reverted by the lead).
    /// </summary>
    [Theory]
    [InlineData("coding-policy.yaml")]
    [InlineData("team3-policy.yaml")]
    [InlineData("team5-policy.yaml")]
    [InlineData("team7-policy.yaml")]
    [InlineData("r7-gaps-policy.yaml")]
    [InlineData("tuning9b-policy.yaml")]
    public void Team_coding_policies_read_every_route_as_software_and_never_load_the_encoder(string policyFile)
    {
        var host = new SentenceEncoderHost(() => throw new InvalidOperationException("a coding policy must not load the encoder"));
        var router = new EmbeddedRouteSelector(null, SemanticMode.Auto, new SemanticStage(host));
        var policy = Policy(policyFile);
        var compiled = CompiledRoutePolicy.Compile(policy, ConceptLexicon.Instance);
        var notSoftware = policy.Routes.Where((_, r) => !compiled.SoftwareRoutes[r]).Select(route => route.Name);

        Assert.Empty(notSoftware);
        Assert.Null(router.SemanticFor(policy));
        Assert.False(host.LoadStarted);
    }

    [Fact]
    public void Semantic_off_never_loads_the_encoder_even_for_everyday_policies()
    {
        var host = new SentenceEncoderHost(() => throw new InvalidOperationException("routing.semantic: off must not load the encoder"));
        var router = new EmbeddedRouteSelector(null, SemanticMode.Off, new SemanticStage(host));
        var support = Policy("support-policy.yaml");

        router.Select(new RouterInput([new RouterTurn(TurnRole.User, "the thing I got is not what I expected")]), support);

        Assert.Null(router.SemanticFor(support));
        Assert.False(host.LoadStarted);
    }

    [Fact]
    public void While_the_encoder_loads_the_lexical_stage_answers_without_waiting_and_a_failed_load_leaves_it_answering()
    {
        using var release = new ManualResetEventSlim();
        var host = new SentenceEncoderHost(() => { release.Wait(TimeSpan.FromMinutes(1)); throw new InvalidOperationException("no model here"); });
        var router = new EmbeddedRouteSelector(null, SemanticMode.Auto, new SemanticStage(host));
        var lexical = new EmbeddedRouteSelector();
        var support = Policy("support-policy.yaml");
        var rows = RoutingDataLoader.LoadJsonl(RoutingTestPaths.Data("blind2-support.jsonl"));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var provisional = 0;
        foreach (var row in rows)
        {
            var input = RouterInputBuilder.FromTurns(row.Turns);
            var selection = router.Select(input, support);
            Assert.Equal(lexical.Select(input, support).Route, selection.Route);
            // Unsure answers given while loading are not cached: the same conversation gets the full decision later.
            if (selection.Provisional) { provisional++; Assert.False(RouteDecisionCache.IsCacheable(selection)); }
        }
        watch.Stop();
        Assert.True(provisional > 0);
        Assert.True(host.LoadStarted);
        Assert.False(host.IsReady);
        // A wait for the load would be a minute (the release above); 30 s lets a loaded machine route the rows slowly.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"routing waited for the load: {watch.Elapsed}");

        release.Set();
        SpinWait.SpinUntil(() => host.Failure is not null, TimeSpan.FromSeconds(30));
        Assert.Contains("no model here", host.Failure);
        foreach (var row in rows)
        {
            var again = RouterInputBuilder.FromTurns(row.Turns);
            var selection = router.Select(again, support);
            Assert.Equal(lexical.Select(again, support).Route, selection.Route);
            Assert.False(selection.Provisional);
        }
    }

    [Fact]
    public async Task A_correction_moves_requests_close_in_meaning_and_stays_in_its_policy()
    {
        var support = Policy("support-policy.yaml");
        WaitForSemantic(support);
        // A team decides warranty claims belong with returns ("shipping"), not "product help".
        const string corrected = "my kettle broke after two months, can I claim the warranty?";
        const string paraphrase = "the kettle I bought died after 8 weeks, does the guarantee cover that?";
        var input = new RouterInput([new RouterTurn(TurnRole.User, paraphrase)]);
        var before = Router.Select(input, support);
        output.WriteLine($"before: {before.Route} ({before.Detail})");
        Assert.NotEqual("shipping", before.Route);

        var store = new JsonlFeedbackStore(path: null);
        store.Append(new FeedbackRecord
        {
            Kind = FeedbackRecord.CorrectionKind, Time = DateTimeOffset.UnixEpoch, RequestId = "r", Policy = PolicyKey.Of(support),
            PolicyRoutes = support.Routes.Select(r => r.Name).ToArray(), Prompt = corrected, Route = "shipping",
        });
        var learning = new LearningRouteSelector(Router, store);

        var after = await learning.SelectAsync(input, support, CancellationToken.None);
        output.WriteLine($"after: {after.Route} ({after.Detail})");
        Assert.Equal("shipping", after.Route);
        // Words in common are few: the lexical match alone would not have found it.
        Assert.False(new CorrectionIndex(store.ReadAll(), support).TryMatch(paraphrase, out _, out _));
        // An unrelated request is not moved, and another policy is untouched.
        var unrelated = new RouterInput([new RouterTurn(TurnRole.User, "I was charged twice for my subscription this month")]);
        Assert.Equal("billing", (await learning.SelectAsync(unrelated, support, CancellationToken.None)).Route);
        var other = Policy("mixed-policy.yaml");
        WaitForSemantic(other);
        Assert.Equal(Router.Select(input, other).Route, (await learning.SelectAsync(input, other, CancellationToken.None)).Route);
    }

    // Routes sharing an object differ by the action (router14 round, RouteActions): requests worded apart from the
    // descriptions, written for this test, not taken from any set (each went to another route before).
    [Theory]
    [InlineData("insurance-policy.yaml", "still waiting to hear back about the water damage payout", "claim status")]
    [InlineData("pets-policy.yaml", "book my kitten in for her neutering", "appointments")]
    [InlineData("cooking-policy.yaml", "I ran out of baking powder, what do I use", "substitutions and diets")]
    public void Among_routes_sharing_an_object_the_action_decides(string policyFile, string prompt, string expected)
    {
        var policy = Policy(policyFile);
        WaitForSemantic(policy);

        var selection = Router.Select(new RouterInput([new RouterTurn(TurnRole.User, prompt)]), policy);

        output.WriteLine($"{selection.Route ?? "other"} ({selection.Detail})");
        Assert.Equal(expected, selection.Route);
    }

    // A request must fit a route by meaning, not only by words it shares with a description (router8 round): "money",
    // "write", "weather" or "article" give the lexical stage a weak match that the encoder's similarity does not back.
    [Theory]
    [InlineData("insurance-policy.yaml", "how do I transfer money between my savings and current account")]
    [InlineData("insurance-policy.yaml", "what's the weather going to be like tomorrow")]
    [InlineData("pets-policy.yaml", "can you help me write a birthday message for my mum")]
    [InlineData("helpdesk-policy.yaml", "can you summarise this article about the economy for me")]
    public void An_off_topic_request_that_shares_a_word_with_a_route_is_other(string policyFile, string prompt)
    {
        var policy = Policy(policyFile);
        WaitForSemantic(policy);

        var selection = Router.Select(new RouterInput([new RouterTurn(TurnRole.User, prompt)]), policy);

        output.WriteLine($"{selection.Route ?? "other"} ({selection.Detail})");
        Assert.Null(selection.Route);
    }

    // A request the lexicon reads as about a topic no route covers (a poem, the weather, sport, films) must fit a route
    // better than the encoder's similarity to any description before it gets one (router10 round).
    [Theory]
    [InlineData("hr-policy.yaml", "who won the tennis final at wimbledon this year?")]
    [InlineData("hr-policy.yaml", "will it rain on saturday for the office barbecue?")]
    [InlineData("hr-policy.yaml", "recommend a good film to watch with friends tonight")]
    [InlineData("helpdesk-policy.yaml", "who won the tennis final at wimbledon this year?")]
    [InlineData("helpdesk-policy.yaml", "will it rain on saturday for the office barbecue?")]
    [InlineData("pets-policy.yaml", "write a funny poem for my brother's retirement party")]
    public void A_request_about_a_topic_no_route_covers_is_other(string policyFile, string prompt)
    {
        var policy = Policy(policyFile);
        WaitForSemantic(policy);

        var selection = Router.Select(new RouterInput([new RouterTurn(TurnRole.User, prompt)]), policy);

        output.WriteLine($"{selection.Route ?? "other"} ({selection.Detail})");
        Assert.Null(selection.Route);
    }

    // The encoder reads software requests poorly: their lexical match keeps them from "other" on a policy that has
    // software routes beside everyday ones (archgw's routing_preferences example, with a request id as the gateway test
    // adds: without the lexical match the fit of those words says "other").
    [Theory]
    [InlineData("Write a Python function that turns a title into a URL slug. (case e82ba3cb5baa4d8da896647e6a67f453)")]
    [InlineData("Write a Python function that turns a title into a URL slug. (case eb970cb6d4624f258d139e2fa603d1c0)")]
    [InlineData("Write a Python function that turns a title into a URL slug. (case 61b8603c62b849d9953d6ff5c0c27e1d)")]
    public void A_software_request_keeps_its_software_route_beside_an_everyday_one(string prompt)
    {
        var policy = new RoutePolicy(
        [
            new RouteDefinition("complex_reasoning", "complex reasoning tasks, multi-step analysis, or detailed explanations", "m1"),
            new RouteDefinition("code_generation", "generating new code, writing functions, or creating boilerplate", "m2"),
        ]);
        WaitForSemantic(policy);

        var selection = Router.Select(new RouterInput([new RouterTurn(TurnRole.User, prompt)]), policy);

        output.WriteLine($"{selection.Route ?? "other"} ({selection.Detail})");
        Assert.Equal("code_generation", selection.Route);
    }

    [Fact]
    public void A_follow_up_that_leans_on_earlier_turns_keeps_its_lexical_route_though_the_encoder_sees_it_alone()
    {
        var hr = Policy("hr-policy.yaml");
        WaitForSemantic(hr);
        RouterTurn[] earlier =
        [
            new(TurnRole.User, "how many sick days do we get per year?"),
            new(TurnRole.Assistant, "Full-time employees get 10 paid sick days per calendar year."),
        ];
        const string followUp = "and do they roll over?";

        var inContext = Router.Select(new RouterInput([.. earlier, new RouterTurn(TurnRole.User, followUp)]), hr);
        var alone = Router.Select(new RouterInput([new RouterTurn(TurnRole.User, followUp)]), hr);

        output.WriteLine($"in context: {inContext.Route} ({inContext.Detail}); alone: {alone.Route ?? "other"} ({alone.Detail})");
        Assert.Equal("time off", inContext.Route);
        Assert.Null(alone.Route);
    }
}
