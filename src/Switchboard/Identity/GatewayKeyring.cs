using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Switchboard.Config;

namespace Switchboard.Identity;

/// <summary>
/// One config's gateway keys: when any are configured, every API call must carry one, as `Authorization: Bearer KEY`
/// or `x-api-key: KEY`. The presented key's UTF-8 bytes are compared in constant time with every key's (no early exit,
/// no branch on a length), so timing tells nothing about which key matched, how much of one, or how long a key is.
/// </summary>
internal sealed class GatewayKeyring
{
    public const string RequiredMessage = "Switchboard: a gateway key is required (send it as `Authorization: Bearer KEY` or `x-api-key: KEY`).";

    public const string ExpiredMessage = "Switchboard: this gateway key has expired; ask the gateway's admin for a new one.";

    /// <summary>Wider keys are compared from a rented buffer instead of the stack.</summary>
    private const int StackWidth = 512;

    /// <summary>Every key is compared over the same width, the longest key's length rounded up to this many bytes.</summary>
    private const int WidthStep = 64;

    /// <summary>
    /// Each key's UTF-8 bytes, zero-padded to <see cref="_width"/>, one after another. A byte compare instead of a
    /// hash of the presented key: SHA-256 cost ~2–3 µs per request (issue #19's features-on twin), the compare tens of
    /// nanoseconds, and the keys are in the loaded config's memory anyway.
    /// </summary>
    private readonly byte[] _padded;
    private readonly int[] _lengths;
    private readonly int _width;
    private readonly Caller[] _callers;

    public GatewayKeyring(IReadOnlyList<GatewayKey> keys)
    {
        var resolved = keys.Where(k => k.Secret.Value is not null).ToArray();
        var utf8 = resolved.Select(k => Encoding.UTF8.GetBytes(k.Secret.Value!)).ToArray();
        _width = (utf8.Select(k => k.Length).DefaultIfEmpty(0).Max() / WidthStep + 1) * WidthStep;
        _padded = new byte[utf8.Length * _width];
        for (var i = 0; i < utf8.Length; i++) utf8[i].CopyTo(_padded.AsSpan(i * _width));
        _lengths = utf8.Select(k => k.Length).ToArray();
        _callers = resolved.Select(k => new Caller(k)).ToArray();
    }

    /// <summary>No keys: the gateway is open to anyone who can reach it.</summary>
    public bool IsEmpty => _lengths.Length == 0;

    public IReadOnlyList<Caller> Callers => _callers;

    /// <summary>Some key is an admin key: the admin endpoints then want one (see Endpoints/AdminScope).</summary>
    public bool HasAdmin => _callers.Any(c => c.IsAdmin);

    /// <summary>The caller whose key <paramref name="request"/> presents, <see cref="CallerFeature.Open"/> without keys, else <see cref="CallerFeature.Refused"/>.</summary>
    public CallerFeature Check(HttpRequest request)
    {
        if (_lengths.Length == 0) return CallerFeature.Open;
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
        var length = Encoding.UTF8.GetByteCount(presented);
        byte[]? rented = null;
        Span<byte> buffer = _width > StackWidth ? rented = ArrayPool<byte>.Shared.Rent(_width) : stackalloc byte[StackWidth];
        var utf8 = buffer[.._width];
        utf8.Clear();
        // A key longer than the width is cut to it (no key is that long): its length alone refuses it, after the same work.
        Utf8.FromUtf16(presented, utf8, out _, out _);
        var matched = -1;
        for (var i = 0; i < _lengths.Length; i++)
        {
            // Branch-free select: the loop does the same work whichever key (if any) matched.
            var equal = Difference(utf8, _padded.AsSpan(i * _width, _width)) == 0 & length == _lengths[i] ? 1 : 0;
            matched += (i - matched) & -equal;
        }
        utf8.Clear(); // the key does not outlive the check in a buffer
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        return matched;
    }

    /// <summary>
    /// Zero when two spans of the same length (a multiple of 16) hold the same bytes, with the same work wherever they
    /// differ. Not <see cref="CryptographicOperations.FixedTimeEquals"/>: it is compiled without optimization (a byte
    /// at a time), ~0.5 µs per key at this width on the bench machine.
    /// </summary>
    private static ulong Difference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        ref var x = ref MemoryMarshal.GetReference(a);
        ref var y = ref MemoryMarshal.GetReference(b);
        var difference = Vector128<byte>.Zero;
        for (nuint i = 0; i < (nuint)a.Length; i += (nuint)Vector128<byte>.Count)
            difference |= Vector128.LoadUnsafe(ref x, i) ^ Vector128.LoadUnsafe(ref y, i);
        return difference.AsUInt64().GetElement(0) | difference.AsUInt64().GetElement(1);
    }

    private static ReadOnlySpan<char> Presented(HttpRequest request)
    {
        var apiKey = request.Headers["x-api-key"].ToString();
        if (apiKey.Length > 0) return apiKey;
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization.AsSpan(7).Trim() : default;
    }
}
