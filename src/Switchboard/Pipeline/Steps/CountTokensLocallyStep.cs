using Switchboard.Protocols;

namespace Switchboard.Pipeline.Steps;

/// <summary>
/// count_tokens is Anthropic's: toward an Anthropic-API model it is forwarded like any request; toward any other the
/// gateway answers with its own estimate (marked <c>x-switchboard-token-count: estimate</c>), and nothing is sent.
/// </summary>
internal sealed class CountTokensLocallyStep : RequestStep
{
    public static readonly CountTokensLocallyStep Instance = new();

    public override ValueTask<StepResult> RunAsync(GatewayRequest request)
    {
        if (request.Operation != Operation.CountTokens || request.Endpoint.Api == ApiFormat.Anthropic) return new(StepResult.Continue);
        return AnswerAsync(request);
    }

    private static async ValueTask<StepResult> AnswerAsync(GatewayRequest request)
    {
        if (request.OnSocketThreadWithLargeBody) await Task.Yield(); // the estimate walks the DOM
        request.AnswerWith(request.Candidate);
        var estimate = CountTokensEstimator.EstimateAnthropicRequest(request.Root);
        var response = request.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.Headers["x-switchboard-token-count"] = "estimate";
        request.Usage = new TokenUsage(estimate, null);
        await response.Body.WriteAsync(System.Text.Encoding.UTF8.GetBytes($"{{\"input_tokens\":{estimate}}}"), request.Aborted).ConfigureAwait(false);
        return StepResult.Done;
    }
}
