namespace Switchboard.Pipeline;

/// <summary>What a step says about the request after it ran.</summary>
internal enum StepResult
{
    /// <summary>On to the next step.</summary>
    Continue,
    /// <summary>The request is answered: no step runs after this one.</summary>
    Done,
    /// <summary>
    /// The current candidate cannot answer (<see cref="GatewayRequest.GiveWay"/>): the next candidate starts over at the
    /// first per-candidate step, or, with none left, the fallback loop answers (<see cref="FallbackDecision.NextAsync"/>).
    /// </summary>
    NextCandidate,
}
