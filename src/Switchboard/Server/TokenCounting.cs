using System.Text.Json;

namespace Switchboard.Server;

internal static class TokenCounting
{
    public static int EstimateAnthropicRequest(JsonElement request) => Protocols.TokenEstimator.Estimate(request.GetRawText());
}
