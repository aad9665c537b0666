using Switchboard.Identity;

namespace Switchboard.Pipeline.Steps;

/// <summary>
/// Whose request it is. The gateway-key filter in front of every API endpoint (Endpoints/GatewayKeyFilter) checked the
/// key and left its verdict on the request; a refusal is answered here, so it is logged and counted like any request.
/// First of all the steps: a stranger's body is never read.
/// </summary>
internal sealed class IdentifyStep : RequestStep
{
    public static readonly IdentifyStep Instance = new();

    public override ValueTask<StepResult> RunAsync(GatewayRequest request)
    {
        // No verdict means no filter ran: fail closed.
        if (request.Context.Features.Get<CallerFeature>() is not { IsRefused: false } verdict)
            return request.RejectAsync(401, request.Context.Features.Get<CallerFeature>()?.Message ?? GatewayKeyring.RequiredMessage, ErrorKind.Unauthorized);
        request.Caller = verdict.Caller;
        return new(StepResult.Continue);
    }
}
