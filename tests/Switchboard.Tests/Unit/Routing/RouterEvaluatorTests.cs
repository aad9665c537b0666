using Switchboard.Routing;

namespace Switchboard.Tests.Unit.Routing;

[Trait("Kind", "Unit")]
public sealed class RouterEvaluatorTests
{
    private static readonly RoutePolicy Policy = new(
    [
        new RouteDefinition("alpha", "a", ""),
        new RouteDefinition("beta", "b", ""),
    ]);

    /// <summary>Answers with the first word of the latest user turn when it names a route, else other.</summary>
    private sealed class EchoSelector : IRouteSelector
    {
        public string Name => "echo";

        public ValueTask<RouteSelection> SelectAsync(RouterInput input, RoutePolicy policy, CancellationToken cancellationToken)
        {
            var word = input.Turns[^1].Text.Split(' ')[0];
            return ValueTask.FromResult(word == "boom"
                ? new RouteSelection(null, RouteReason.Error, "boom")
                : policy.Find(word) is { } route ? new RouteSelection(route.Name, RouteReason.Matched) : new RouteSelection(null, RouteReason.Other));
        }
    }

    [Fact]
    public async Task Computes_accuracy_precision_recall_confusion_and_misses()
    {
        var rows = RoutingDataLoader.ParseJsonl("""
            {"id": "1", "messages": [{"role": "user", "content": "alpha x"}], "expected": "alpha"}
            {"id": "2", "messages": [{"role": "user", "content": "beta x"}], "expected": "alpha"}
            {"id": "3", "messages": [{"role": "user", "content": "beta x"}], "expected": "beta"}
            {"id": "4", "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "nothing"}], "expected": "other"}
            {"id": "5", "messages": [{"role": "user", "content": "boom"}], "expected": "beta"}
            """);

        var result = await RouterEvaluator.EvaluateAsync(Policy, new EchoSelector(), rows);

        Assert.Equal(5, result.Total);
        Assert.Equal(3, result.Correct);
        Assert.Equal(0.6, result.Accuracy, 3);
        Assert.Equal(["alpha", "beta", "other"], result.Labels);
        Assert.Equal([[1, 1, 0], [0, 1, 1], [0, 0, 1]], result.Confusion);
        var alpha = result.PerLabel[0];
        Assert.Equal((1.0, 0.5), (alpha.Precision, alpha.Recall));
        var beta = result.PerLabel[1];
        Assert.Equal((0.5, 0.5), (beta.Precision, beta.Recall));
        Assert.Equal(1, result.Failures);
        Assert.Equal(["2", "5"], result.Misclassified.Select(m => m.Id));
        Assert.True(result.LatencyP99Ms >= result.LatencyP50Ms);

        var report = RouterEvaluator.RenderReport(result);
        Assert.Contains("accuracy: 60.0 %", report);
        Assert.Contains("2: expected alpha, got beta", report);
    }

    [Theory]
    [InlineData("TestData/Routing/blind-retail.jsonl")]
    [InlineData("/some/dir/Blind2-Support.jsonl")]
    [InlineData("offtopic-blind-lines.txt")]
    public void A_blind_set_is_refused_whatever_way_its_path_comes(string path)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => RoutingDataLoader.RefuseBlind(path));
        Assert.Contains("never a blind set", ex.Message);
    }

    [Theory]
    [InlineData("TestData/Routing/tuning-grocery.jsonl")]
    [InlineData("/work/blind-notes/offtopic.txt")]
    public void A_tuning_set_or_free_text_is_not_refused(string path) => RoutingDataLoader.RefuseBlind(path);

    [Fact]
    public void Percentile_is_nearest_rank()
    {
        double[] sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

        Assert.Equal(5, RouterEvaluator.Percentile(sorted, 0.5));
        Assert.Equal(10, RouterEvaluator.Percentile(sorted, 0.99));
        Assert.Equal(0, RouterEvaluator.Percentile([], 0.5));
    }

    [Fact]
    public void Loads_a_policy_yaml_in_order()
    {
        var policy = RoutingDataLoader.LoadPolicyYaml(RoutingTestPaths.CodingPolicy);

        Assert.Equal(["code generation", "code understanding", "architecture", "debugging", "documentation"], policy.Routes.Select(r => r.Name));
        Assert.StartsWith("finding and fixing bugs", policy.Routes[3].Description);
    }

    [Fact]
    public void Loads_routing_preferences_from_an_archgw_style_config()
    {
        var policy = RoutingDataLoader.ParsePolicyYaml("""
            version: v0.1
            llm_providers:
              - model: openai/gpt-4.1
                default: true
                routing_preferences:
                  - name: code generation
                    description: generating new code
              - model: anthropic/claude-sonnet-4-5
                routing_preferences:
                  - name: code understanding
                    description: explaining existing code
            """);

        Assert.Equal(
            [new RouteDefinition("code generation", "generating new code", "openai/gpt-4.1"), new RouteDefinition("code understanding", "explaining existing code", "anthropic/claude-sonnet-4-5")],
            policy.Routes);
    }

    [Fact]
    public void Bad_data_is_reported_with_its_line()
    {
        var error = Assert.Throws<FormatException>(() => RoutingDataLoader.ParseJsonl("{\"id\":\"1\",\"messages\":[],\"expected\":\"x\"}\n{nope", "rows.jsonl"));
        Assert.Contains("rows.jsonl:2", error.Message);
        Assert.Throws<FormatException>(() => RoutingDataLoader.ParsePolicyYaml("routes: []"));
    }

    /// <summary>A row whose messages are bare content blocks (no role) used to read as no conversation and score as a guess of "other".</summary>
    [Fact]
    public void A_message_without_a_role_is_reported_with_its_line_not_scored()
    {
        var rows = "{\"id\":\"ok\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"expected\":\"other\"}\n"
            + "{\"id\":\"bare\",\"messages\":[{\"type\":\"text\",\"text\":\"fix this crash\"}],\"expected\":\"debugging\"}";
        var error = Assert.Throws<FormatException>(() => RoutingDataLoader.ParseJsonl(rows, "rows.jsonl"));
        Assert.Contains("rows.jsonl:2", error.Message);
        Assert.Contains("messages[0] has no \"role\"", error.Message);
    }
}
