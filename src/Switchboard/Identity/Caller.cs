using Switchboard.Config;

namespace Switchboard.Identity;

/// <summary>
/// Who is calling: the gateway key the request presented, by its name (<see cref="GatewayKey.Name"/>). Logs and the
/// completed-request data carry the name, never the key. What a caller may do (models, limits, budgets) will hang off
/// its <see cref="Key"/>.
/// </summary>
internal sealed class Caller
{
    internal Caller(GatewayKey key)
    {
        Key = key;
        Feature = new CallerFeature(this, refused: false);
    }

    public string Name => Key.Name;

    /// <summary>The <c>gateway_keys</c> entry it presented.</summary>
    public GatewayKey Key { get; }

    /// <summary>This caller's verdict, made once: the check allocates nothing per request.</summary>
    internal CallerFeature Feature { get; }

    public override string ToString() => Name;
}
