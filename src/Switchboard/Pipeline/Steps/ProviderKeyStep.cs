namespace Switchboard.Pipeline.Steps;

/// <summary>
/// The candidate's provider has its API key. Without one the candidate gives way to the next; when none is left the
/// client gets a 400 naming the variable to set (of the first candidate that lacked one).
/// </summary>
internal sealed class ProviderKeyStep : RequestStep
{
    public static readonly ProviderKeyStep Instance = new();

    public override ValueTask<StepResult> RunAsync(GatewayRequest request)
    {
        var endpoint = request.Endpoint;
        if (endpoint.MissingKeyVariable is not { } variable) return new(StepResult.Continue);
        request.MissingKey ??= $"Switchboard: provider '{endpoint.Name}' (model {request.Candidate.Model}) has no API key: set the environment variable {variable} (or put it in a .env file beside the config) and restart the gateway.";
        var reason = $"{variable} is not set";
        if (FallbackDecision.GivesWay(request)) return new(request.GiveWay(reason));
        request.RecordAttempt(AttemptOutcome.Skipped, 0, reason);
        return request.RejectAsync(400, request.MissingKey, ErrorKind.ProviderKeyMissing);
    }
}
