namespace Switchboard.Pipeline;

/// <summary>
/// Work a step leaves for when the request is over, before the completion sinks get it: a budget reservation settles,
/// a fresh answer goes into the cache (<see cref="GatewayRequest.OnFinished"/>). Must not block or throw.
/// </summary>
internal interface IRequestFinish
{
    void Finish(GatewayRequest request);
}
