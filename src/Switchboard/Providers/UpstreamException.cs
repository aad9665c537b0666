namespace Switchboard.Providers;

/// <summary>Why a provider could not answer at all (as opposed to answering with an error status).</summary>
// Public: test theories take it as a parameter, and xunit needs public test methods.
public enum UpstreamFailureKind
{
    /// <summary>A connection was made but broke before a response (or the response broke off).</summary>
    Unreachable,
    /// <summary>No response headers within the first-byte timeout, or a body that stalled.</summary>
    Timeout,
    /// <summary>Skipped: the model's circuit, or its endpoint's, is open.</summary>
    CircuitOpen,
    /// <summary>No connection could be made at all (refused, DNS, TLS, connect timeout): the endpoint's failure, not the model's.</summary>
    ConnectFailed,
    /// <summary>Skipped: the model is cooling down after a 429 whose retry-after has not yet passed.</summary>
    RateLimited,
}

/// <summary>A provider gave no response: unreachable, timed out, or skipped (circuit open, cooling down after a 429).</summary>
internal sealed class UpstreamException(UpstreamFailureKind kind, string provider, string message, Exception? inner = null) : Exception(message, inner)
{
    public UpstreamFailureKind Kind { get; } = kind;
    public string Provider { get; } = provider;

    /// <summary>When the client may try again (an open circuit's remaining break), if known.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>For <see cref="UpstreamFailureKind.RateLimited"/>: the upstream's own 429, to answer with when nothing else can.</summary>
    public RateLimitNotice? RateLimit { get; init; }

    /// <summary>The status a client sees when nothing else answered.</summary>
    public int ClientStatus => Kind switch
    {
        UpstreamFailureKind.Timeout => 504,
        UpstreamFailureKind.CircuitOpen => 503,
        UpstreamFailureKind.RateLimited => 429,
        _ => 502,
    };
}
