namespace Switchboard.Pipeline;

/// <summary>The names of <see cref="ErrorKind"/>s.</summary>
internal static class ErrorKinds
{
    /// <summary>snake_case, for logs, JSON and ledgers.</summary>
    public static string Name(this ErrorKind kind) => kind switch
    {
        ErrorKind.None => "none",
        ErrorKind.Unauthorized => "unauthorized",
        ErrorKind.InvalidRequest => "invalid_request",
        ErrorKind.BodyTooLarge => "body_too_large",
        ErrorKind.ModelNotFound => "model_not_found",
        ErrorKind.ProviderKeyMissing => "provider_key_missing",
        ErrorKind.Untranslatable => "untranslatable",
        ErrorKind.UpstreamError => "upstream_error",
        ErrorKind.RateLimited => "rate_limited",
        ErrorKind.UpstreamUnreachable => "upstream_unreachable",
        ErrorKind.UpstreamTimeout => "upstream_timeout",
        ErrorKind.CircuitOpen => "circuit_open",
        ErrorKind.StreamTruncated => "stream_truncated",
        ErrorKind.StreamBroken => "stream_broken",
        ErrorKind.ClientDisconnected => "client_disconnected",
        ErrorKind.Forbidden => "forbidden",
        ErrorKind.GatewayRateLimited => "gateway_rate_limited",
        ErrorKind.BudgetExhausted => "budget_exhausted",
        ErrorKind.StateUnavailable => "state_unavailable",
        _ => "internal",
    };
}
