using System.Diagnostics.CodeAnalysis;

namespace Switchboard.Sessions;

/// <summary>
/// Where sessions keep their pins (<see cref="SessionPin"/>), by session key. In process now
/// (<see cref="InProcessSessionPinStore"/>), or shared by several gateways through Redis
/// (<see cref="State.SharedSessionPinStore"/>). <see cref="TryGet"/> and <see cref="Set"/> are on every session
/// request: they never wait on I/O (a shared store answers from its local copy and writes behind).
/// </summary>
internal interface ISessionPinStore
{
    bool TryGet(string key, [NotNullWhen(true)] out SessionPin? pin);

    void Set(string key, SessionPin pin);

    /// <summary>
    /// The pin as the other gateways sharing this store left it, when the local one (<paramref name="local"/>, maybe
    /// null) cannot decide: none here, or one for another turn. A store in process has nothing newer and answers
    /// <paramref name="local"/> at once; a shared one reads it (bounded by its timeout; on failure, <paramref name="local"/>).
    /// </summary>
    ValueTask<SessionPin?> RefreshAsync(string key, SessionPin? local, CancellationToken cancellationToken);

    /// <summary>Sessions held now.</summary>
    int Count { get; }
}
