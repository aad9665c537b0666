using System.Text.Json;
using Switchboard.Pipeline;
using Switchboard.Pipeline.Steps;
using Switchboard.Routing;

namespace Switchboard.Tests.Unit.Pipeline;

[Trait("Kind", "Unit")]
public sealed class ChooseStepTests
{
    private const string Config = """
        model_providers:
          - model: openai/gpt-4.1
            access_key: $OPENAI_API_KEY
            default: true
            fallbacks: [anthropic/claude-sonnet-4-5]
          - model: anthropic/claude-sonnet-4-5
            access_key: $ANTHROPIC_API_KEY
            routing_preferences:
              - name: debugging
                description: finding and fixing bugs
        """;

    private const string Conversation = """{"model":"claude-opus-4-1","max_tokens":5,"messages":[{"role":"user","content":"why does this test fail?"}]}""";

    /// <summary>A router that answers one route and remembers what it was shown.</summary>
    private sealed class FakeRouter(string? route) : IRouteSelector
    {
        public RouterInput? Seen { get; private set; }
        public string Name => "fake";

        public ValueTask<RouteSelection> SelectAsync(RouterInput input, RoutePolicy policy, CancellationToken cancellationToken)
        {
            Seen = input;
            return new(new RouteSelection(route, route is null ? RouteReason.Other : RouteReason.Matched));
        }
    }

    [Fact]
    public async Task A_literal_is_chosen_with_its_fallbacks_and_named_in_the_headers()
    {
        var router = new FakeRouter("debugging");
        using var request = StepHarness.Request(StepHarness.Snapshot(Config, router), """{"model":"openai/gpt-4.1","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(StepResult.Continue, await StepHarness.RunThroughAsync(request, ChooseStep.Instance));
        Assert.Equal("openai/gpt-4.1", request.Selection!.Model);
        Assert.Equal(SelectionKind.Literal, request.Selection.Kind);
        Assert.Equal(2, request.CandidateCount);
        Assert.Null(router.Seen); // a literal asks no router
        Assert.Null(request.Document); // and so needs no DOM
        Assert.Equal("openai/gpt-4.1", request.Response.Headers[GatewayRequest.ModelHeader]);
        Assert.Equal("openai", request.Response.Headers[GatewayRequest.ProviderHeader]);
        Assert.Equal("none", request.Response.Headers[GatewayRequest.RouteHeader]);
        Assert.Equal("literal", request.SelectionName);
    }

    [Fact]
    public async Task A_routed_request_reads_the_conversation_from_the_one_dom_translation_uses_too()
    {
        var router = new FakeRouter("debugging");
        using var request = StepHarness.Request(StepHarness.Snapshot(Config, router), Conversation, client: ApiFormat.OpenAI);

        Assert.Equal(StepResult.Continue, await StepHarness.RunThroughAsync(request, ChooseStep.Instance));
        Assert.Equal("anthropic/claude-sonnet-4-5", request.Selection!.Model);
        Assert.Equal("debugging", request.Route);
        Assert.Equal("why does this test fail?", Assert.Single(router.Seen!.Turns).Text);
        var dom = request.Document;
        Assert.NotNull(dom);

        // An OpenAI client answered by an Anthropic model: the plan translates from the same DOM, not a second parse.
        request.BeginCandidate(0);
        Assert.Equal(StepResult.Continue, await PlanStep.Instance.RunAsync(request));
        Assert.True(request.Plan!.Translated);
        Assert.Same(dom, request.Document);
    }

    [Fact]
    public async Task Without_a_model_that_answers_the_client_gets_a_404_naming_the_models()
    {
        const string noDefault = """
            model_providers:
              - model: openai/gpt-4.1
                access_key: $OPENAI_API_KEY
            """;
        using var request = StepHarness.Request(StepHarness.Snapshot(noDefault, new FakeRouter(null)), Conversation);

        Assert.Equal(StepResult.Done, await StepHarness.RunThroughAsync(request, ChooseStep.Instance));
        Assert.Equal(404, request.Status);
        Assert.Equal(ErrorKind.ModelNotFound, request.ErrorKind);
        Assert.Null(request.Selection);
        using var error = JsonDocument.Parse(StepHarness.ResponseText(request));
        Assert.Contains("Available models: openai/gpt-4.1.", error.RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task No_route_fits_and_the_default_answers_with_the_routers_reason()
    {
        using var request = StepHarness.Request(StepHarness.Snapshot(Config, new FakeRouter(null)), Conversation);

        Assert.Equal(StepResult.Continue, await StepHarness.RunThroughAsync(request, ChooseStep.Instance));
        Assert.Equal("openai/gpt-4.1", request.Model);
        Assert.Equal(SelectionKind.Default, request.Selection!.Kind);
        Assert.Equal(RouteReason.Other, request.Selection.Reason);
        Assert.Equal("default", request.SelectionName);
    }
}
