using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Switchboard.Config;

namespace Switchboard.Identity;

/// <summary>
/// One config's gateway keys: when any are configured, every API call must carry one, as `Authorization: Bearer KEY`
/// or `x-api-key: KEY`. Keys are kept as SHA-256 hashes and compared in constant time against every key (no early
/// exit), so timing tells nothing about which key or how much of it matched.
/// </summary>
internal sealed class GatewayKeyring
{
    public const string RequiredMessage = "Switchboard: a gateway key is required (send it as `Authorization: Bearer KEY` or `x-api-key: KEY`).";

    public const string ExpiredMessage = "Switchboard: this gateway key has expired; ask the gateway's admin for a new one.";

    /// <summary>Longer presented keys are hashed from a rented buffer instead of the stack.</summary>
    private const int StackKeyChars = 256;

    private readonly byte[][] _hashes;
    private readonly Caller[] _callers;

    public GatewayKeyring(IReadOnlyList<GatewayKey> keys)
    {
        var resolved = keys.Where(k => k.Secret.Value is not null).ToArray();
        _hashes = resolved.Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k.Secret.Value!))).ToArray();
        _callers = resolved.Select(k => new Caller(k)).ToArray();
    }

    /// <summary>No keys: the gateway is open to anyone who can reach it.</summary>
    public bool IsEmpty => _hashes.Length == 0;

    public IReadOnlyList<Caller> Callers => _callers;

    /// <summary>Some key is an admin key: the admin endpoints then want one (see Endpoints/AdminScope).</summary>
    public bool HasAdmin => _callers.Any(c => c.IsAdmin);

    /// <summary>The caller whose key <paramref name="request"/> presents, <see cref="CallerFeature.Open"/> without keys, else <see cref="CallerFeature.Refused"/>.</summary>
    public CallerFeature Check(HttpRequest request)
    {
        if (_hashes.Length == 0) return CallerFeature.Open;
        var presented = Presented(request);
        if (presented.IsEmpty) return CallerFeature.Refused;
        var matched = Match(presented);
        if (matched < 0) return CallerFeature.Refused;
        var caller = _callers[matched];
        return caller.Key.Expires is not null && caller.IsExpired(DateTimeOffset.UtcNow) ? CallerFeature.Expired : caller.Feature;
    }

    /// <summary>Index of the key <paramref name="presented"/> is, or -1; every key is compared, whatever matched.</summary>
    internal int Match(ReadOnlySpan<char> presented)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        byte[]? rented = null;
        Span<byte> utf8 = presented.Length > StackKeyChars
            ? rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(presented.Length))
            : stackalloc byte[StackKeyChars * 3];
        var length = Encoding.UTF8.GetBytes(presented, utf8);
        SHA256.HashData(utf8[..length], hash);
        utf8[..length].Clear(); // the key does not outlive the check in a buffer
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        var matched = -1;
        for (var i = 0; i < _hashes.Length; i++)
        {
            // Branch-free select: the loop does the same work whichever key (if any) matched.
            var equal = CryptographicOperations.FixedTimeEquals(hash, _hashes[i]) ? 1 : 0;
            matched += (i - matched) & -equal;
        }
        return matched;
    }

    private static ReadOnlySpan<char> Presented(HttpRequest request)
    {
        var apiKey = request.Headers["x-api-key"].ToString();
        if (apiKey.Length > 0) return apiKey;
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization.AsSpan(7).Trim() : default;
    }
}
