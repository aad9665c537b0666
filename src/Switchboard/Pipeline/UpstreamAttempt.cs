namespace Switchboard.Pipeline;

/// <summary>How one candidate's turn ended.</summary>
public enum AttemptOutcome
{
    /// <summary>Its response (success or error status) went to the client.</summary>
    Answered,
    /// <summary>Sent, and no usable response came (after its retries): the next candidate was tried, or the client got the failure.</summary>
    Failed,
    /// <summary>Never sent: no API key, content its API cannot take, or a request it could not be translated for.</summary>
    Skipped,
}

/// <summary>
/// One candidate's turn at a request (the chosen model, then each fallback tried): which model at which provider, how
/// it ended, the upstream's status (0 when none came) and how long it took to the response headers (retries included).
/// </summary>
public readonly record struct UpstreamAttempt(string Model, string Provider, AttemptOutcome Outcome, int Status, double DurationMs, string? Reason);
