namespace Switchboard.Pipeline;

/// <summary>Why a request did not end well, in a word a ledger or dashboard can group by (the status says how it ended).</summary>
// Public: test theories take it as a parameter, and xunit needs public test methods.
public enum ErrorKind
{
    None,
    /// <summary>401: gateway keys are configured and the request carried none of them.</summary>
    Unauthorized,
    /// <summary>400 (or Kestrel's verdict on the request, such as a 408 for a body arriving too slowly): not a request the client's API accepts.</summary>
    InvalidRequest,
    /// <summary>413: past limits.max_request_body_bytes.</summary>
    BodyTooLarge,
    /// <summary>404: no configured model, alias or route answers the requested model, and no default is set.</summary>
    ModelNotFound,
    /// <summary>400: the chosen model's provider has no API key set.</summary>
    ProviderKeyMissing,
    /// <summary>400: content the target API cannot take, or a field translation cannot read.</summary>
    Untranslatable,
    /// <summary>The provider answered with an error status (relayed in the client's format).</summary>
    UpstreamError,
    /// <summary>429: the provider's, or the model's cooldown after one.</summary>
    RateLimited,
    /// <summary>502: no connection, or one that broke before or during the response.</summary>
    UpstreamUnreachable,
    /// <summary>504: no response headers within the first-byte timeout, or a body that stalled.</summary>
    UpstreamTimeout,
    /// <summary>503: the model's or its endpoint's circuit is open.</summary>
    CircuitOpen,
    /// <summary>The stream ended before its protocol's final event: the client got an error event.</summary>
    StreamTruncated,
    /// <summary>The stream broke off (or stalled) after the client got its first bytes.</summary>
    StreamBroken,
    /// <summary>499: the client went away.</summary>
    ClientDisconnected,
    /// <summary>500: a fault inside the gateway.</summary>
    Internal,
    /// <summary>403: the gateway key may not use the model.</summary>
    Forbidden,
    /// <summary>429: past a gateway key's or a model entry's rate_limit.</summary>
    GatewayRateLimited,
    /// <summary>429: the gateway key's budget cannot take the request's worst-case cost.</summary>
    BudgetExhausted,
    /// <summary>503: the shared state store (Redis) is unreachable and state.on_unavailable is closed, or a previous_response_id could not be looked up in it.</summary>
    StateUnavailable,
}
