using System.Text.Json;
using Switchboard.Protocols;

namespace Switchboard.Pipeline.Steps;

/// <summary>
/// The candidate's upstream request (<see cref="UpstreamPlan"/>): same API, the client's bytes with the model spliced
/// in; another API, translated from the request's DOM. Content the target cannot take gives way to the next
/// candidate; a field translation cannot read is the client's 400.
/// </summary>
internal sealed class PlanStep : RequestStep
{
    public static readonly PlanStep Instance = new();

    public override ValueTask<StepResult> RunAsync(GatewayRequest request)
    {
        try
        {
            request.Plan = UpstreamPlan.Create(request);
            return new(StepResult.Continue);
        }
        catch (UnsupportedByTargetException ex) when (FallbackDecision.GivesWay(request))
        {
            return new(request.GiveWay(ex.Message));
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonException or FormatException or KeyNotFoundException or ArgumentException)
        {
            // A field of an unexpected shape that only translation looks at: the request's fault, said in its format.
            request.RecordAttempt(AttemptOutcome.Skipped, 0, ex.Message);
            return request.RejectAsync(400, $"the request could not be translated for {request.Candidate.Model}: {ex.Message}", ErrorKind.Untranslatable);
        }
    }
}
