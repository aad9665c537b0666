using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Server;

/// <summary>
/// Optional access control: when gateway_keys are configured, every API call must carry one, as
/// `Authorization: Bearer KEY` or `x-api-key: KEY`. Compared as SHA-256 hashes in constant time, against
/// every key (no early exit), so timing tells nothing about which key or how much of it matched.
/// </summary>
internal static class GatewayKeys
{
    public static bool IsAuthorized(HttpRequest request, byte[][] keyHashes)
    {
        if (keyHashes.Length == 0) return true;
        var presented = Presented(request);
        if (presented is null) return false;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        var match = false;
        foreach (var key in keyHashes) match |= CryptographicOperations.FixedTimeEquals(hash, key);
        return match;
    }

    private static string? Presented(HttpRequest request)
    {
        var apiKey = request.Headers["x-api-key"].ToString();
        if (apiKey.Length > 0) return apiKey;
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
    }
}
