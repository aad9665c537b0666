using Switchboard.Routing;

namespace Switchboard.Sessions;

/// <summary>
/// What a session (one conversation of it: the main one, or a subagent's) holds: the user turn its model was chosen
/// for, and that choice. Plain values only, so a shared store can serialize it.
/// </summary>
/// <param name="TurnKey">The turn the choice is for: Claude Code's prompt id, else the latest user turn's place and text hash.</param>
/// <param name="Model">The literal that answers ("openai/gpt-4.1").</param>
/// <param name="Kind">How it was chosen.</param>
/// <param name="Route">The route that chose it, if one did.</param>
/// <param name="Router">The router that decided ("embedded", "llm", "none").</param>
/// <param name="Reason">The router's reason, when a router ran.</param>
/// <param name="SignatureDomain">Whose thinking signatures the model's answers carry (its provider and base URL).</param>
/// <param name="MixedDomains">Earlier turns were answered under another signature domain: their thinking must not reach this one.</param>
/// <param name="WrittenAtMs">When a shared store wrote it (Unix ms): of two pins for one session, the later one stands.</param>
internal sealed record SessionPin(
    string TurnKey,
    string Model,
    SelectionKind Kind,
    string? Route,
    string Router,
    RouteReason? Reason,
    string SignatureDomain,
    bool MixedDomains,
    long WrittenAtMs = 0);
