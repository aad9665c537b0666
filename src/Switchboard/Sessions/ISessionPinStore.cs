using System.Diagnostics.CodeAnalysis;

namespace Switchboard.Sessions;

/// <summary>
/// Where sessions keep their pins (<see cref="SessionPin"/>), by session key. In process now
/// (<see cref="InProcessSessionPinStore"/>); a store shared by several gateways implements the same two calls. Both are
/// on the request path: they must not block on I/O (a shared store answers from a local copy and syncs behind).
/// </summary>
internal interface ISessionPinStore
{
    bool TryGet(string key, [NotNullWhen(true)] out SessionPin? pin);

    void Set(string key, SessionPin pin);

    /// <summary>Sessions held now.</summary>
    int Count { get; }
}
