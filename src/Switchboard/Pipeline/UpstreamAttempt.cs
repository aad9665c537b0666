namespace Switchboard.Pipeline;

/// <summary>
/// One candidate's turn at a request (the chosen model, then each fallback tried): which model at which provider, how
/// it ended, the upstream's status (0 when none came) and how long it took to the response headers (retries included).
/// </summary>
internal readonly record struct UpstreamAttempt(string Model, string Provider, AttemptOutcome Outcome, int Status, double DurationMs, string? Reason);
