using Switchboard.Config;

namespace Switchboard.Identity;

/// <summary>
/// Who is calling: the gateway key the request presented, by its name (<see cref="GatewayKey.Name"/>). Logs and the
/// completed-request data carry the name, never the key. What the caller may do (models, limits, budgets, admin)
/// hangs off its <see cref="Key"/>.
/// </summary>
internal sealed class Caller
{
    private readonly HashSet<string>? _models;

    internal Caller(GatewayKey key)
    {
        Key = key;
        Feature = new CallerFeature(this, refused: false);
        _models = key.Models.Count == 0 ? null : new HashSet<string>(key.Models, StringComparer.OrdinalIgnoreCase);
    }

    public string Name => Key.Name;

    /// <summary>The <c>gateway_keys</c> entry it presented.</summary>
    public GatewayKey Key { get; }

    /// <summary>May read everyone's traffic and the admin endpoints.</summary>
    public bool IsAdmin => Key.Admin;

    /// <summary>The key lists the models it may use (otherwise it may use all).</summary>
    public bool IsScoped => _models is not null;

    /// <summary>Whether the key lists <paramref name="name"/> (a literal, alias or route); true for an unscoped key.</summary>
    public bool Allows(string? name) => _models is null || (name is not null && _models.Contains(name));

    /// <summary>Past its <c>expires</c>.</summary>
    public bool IsExpired(DateTimeOffset now) => Key.Expires is { } expires && now >= expires;

    /// <summary>This caller's verdict, made once: the check allocates nothing per request.</summary>
    internal CallerFeature Feature { get; }

    public override string ToString() => Name;
}
