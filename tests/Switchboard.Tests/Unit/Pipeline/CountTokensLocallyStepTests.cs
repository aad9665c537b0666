using System.Text.Json;
using Switchboard.Pipeline;
using Switchboard.Pipeline.Steps;

namespace Switchboard.Tests.Unit.Pipeline;

[Trait("Kind", "Unit")]
public sealed class CountTokensLocallyStepTests
{
    private const string Config = """
        model_providers:
          - model: openai/gpt-4.1
            access_key: $OPENAI_API_KEY
            default: true
          - model: anthropic/claude-sonnet-4-5
            access_key: $ANTHROPIC_API_KEY
        """;

    private static async Task<GatewayRequest> ChosenAsync(string model, Operation operation)
    {
        var request = StepHarness.Request(StepHarness.Snapshot(Config), $$"""{"model":"{{model}}","messages":[{"role":"user","content":"Hello there, how are you today?"}]}""", operation: operation);
        Assert.Equal(StepResult.Continue, await StepHarness.RunThroughAsync(request, ChooseStep.Instance));
        request.BeginCandidate(0);
        return request;
    }

    [Fact]
    public async Task Toward_a_model_without_anthropics_api_the_gateway_answers_with_its_estimate()
    {
        using var request = await ChosenAsync("openai/gpt-4.1", Operation.CountTokens);

        Assert.Equal(StepResult.Done, await CountTokensLocallyStep.Instance.RunAsync(request));
        Assert.Equal("estimate", request.Response.Headers["x-switchboard-token-count"]);
        Assert.Equal("openai/gpt-4.1", request.Response.Headers[GatewayRequest.ModelHeader]);
        using var body = JsonDocument.Parse(StepHarness.ResponseText(request));
        var estimate = body.RootElement.GetProperty("input_tokens").GetInt64();
        Assert.True(estimate > 0);
        Assert.Equal(estimate, request.Usage.InputTokens);
        Assert.Null(request.Plan); // nothing is sent
    }

    [Theory]
    [InlineData("anthropic/claude-sonnet-4-5", Operation.CountTokens)] // Anthropic counts it itself
    [InlineData("openai/gpt-4.1", Operation.Messages)]
    public async Task Anything_else_goes_on_to_the_provider(string model, Operation operation)
    {
        using var request = await ChosenAsync(model, operation);
        Assert.Equal(StepResult.Continue, await CountTokensLocallyStep.Instance.RunAsync(request));
        Assert.Equal(0, ((MemoryStream)request.Response.Body).Length);
    }
}
