namespace Switchboard.Identity;

/// <summary>
/// What the gateway-key check decided for a request, kept on its <c>HttpContext.Features</c> for the endpoint behind
/// the check: a named caller, an open gateway (no keys configured: anyone is let in, unnamed), or a refusal.
/// </summary>
internal sealed class CallerFeature
{
    /// <summary>No gateway keys are configured: every request is let in, without a caller name.</summary>
    public static readonly CallerFeature Open = new(null, refused: false);

    /// <summary>Keys are configured and the request presented none of them.</summary>
    public static readonly CallerFeature Refused = new(null, refused: true);

    /// <summary>The request presented a key whose <c>expires</c> has passed.</summary>
    public static readonly CallerFeature Expired = new(null, refused: true, GatewayKeyring.ExpiredMessage);

    internal CallerFeature(Caller? caller, bool refused, string message = GatewayKeyring.RequiredMessage)
    {
        Caller = caller;
        IsRefused = refused;
        Message = message;
    }

    /// <summary>What a refused client is told (never which key, never the key).</summary>
    public string Message { get; }

    /// <summary>The caller whose key matched; null on an open gateway or a refusal.</summary>
    public Caller? Caller { get; }

    public bool IsRefused { get; }
}
