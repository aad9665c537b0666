namespace Switchboard.Pipeline;

/// <summary>
/// One named step of a completion request's way through the gateway (<see cref="RequestSteps"/>). A step reads and
/// fills the <see cref="GatewayRequest"/>, and either lets the next step go on, answers the request (an error through
/// <see cref="GatewayRequest.RejectAsync"/>, or the relayed response), or gives the current candidate up for the next.
/// Steps are stateless singletons: running them allocates nothing.
/// </summary>
internal abstract class RequestStep
{
    public abstract ValueTask<StepResult> RunAsync(GatewayRequest request);

    public override string ToString() => GetType().Name;
}
