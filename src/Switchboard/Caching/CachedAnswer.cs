using System.Buffers.Binary;
using Switchboard.Protocols;

namespace Switchboard.Caching;

/// <summary>One cached response, in the client's protocol: a JSON body, or the event stream exactly as it went out.</summary>
internal sealed class CachedAnswer(byte[] body, TokenUsage usage)
{
    public byte[] Body { get; } = body;
    /// <summary>What the original answer used: what the hit reports (at no upstream cost).</summary>
    public TokenUsage Usage { get; } = usage;

    private const int HeaderBytes = 16;

    /// <summary>For a byte store (Redis): input and output tokens (-1 unknown), then the body.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[HeaderBytes + Body.Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, Usage.InputTokens ?? -1);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), Usage.OutputTokens ?? -1);
        Body.CopyTo(bytes, HeaderBytes);
        return bytes;
    }

    public static CachedAnswer? FromBytes(byte[]? bytes)
    {
        if (bytes is null || bytes.Length < HeaderBytes) return null;
        long? Tokens(long v) => v < 0 ? null : v;
        return new CachedAnswer(bytes[HeaderBytes..], new TokenUsage(Tokens(BinaryPrimitives.ReadInt64LittleEndian(bytes)), Tokens(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)))));
    }
}

/// <summary>Where cached answers live: this process (size-bounded), or Redis (State/RedisResponseCache).</summary>
internal interface IResponseCacheStore
{
    /// <summary>The answer under <paramref name="key"/> (null when none, or when the store cannot be reached: a miss).</summary>
    ValueTask<CachedAnswer?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Keeps <paramref name="answer"/> for <paramref name="ttl"/>; never waits, never throws.</summary>
    void Set(string key, CachedAnswer answer, TimeSpan ttl);
}
