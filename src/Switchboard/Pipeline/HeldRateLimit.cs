using Switchboard.Providers;
using Switchboard.Routing;

namespace Switchboard.Pipeline;

/// <summary>
/// The first 429 a candidate answered (or is cooling down after), kept while the fallbacks are tried: what the client
/// gets when none of them answers.
/// </summary>
internal sealed record HeldRateLimit(ModelSelection Candidate, RateLimitNotice Notice, ApiFormat UpstreamApi);
