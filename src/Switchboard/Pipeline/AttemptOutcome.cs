namespace Switchboard.Pipeline;

/// <summary>How one candidate's turn ended.</summary>
internal enum AttemptOutcome
{
    /// <summary>Its response (success or error status) went to the client.</summary>
    Answered,
    /// <summary>Sent, and no usable response came (after its retries): the next candidate was tried, or the client got the failure.</summary>
    Failed,
    /// <summary>Never sent: no API key, content its API cannot take, or a request it could not be translated for.</summary>
    Skipped,
}
