using System.Collections.Concurrent;
using Switchboard.Pipeline;

namespace Switchboard.Limits;

/// <summary>One key's traffic through this gateway since it started.</summary>
internal sealed class KeyUsage
{
    public long Requests;
    public long Refused;
    public long CacheHits;
    public long InputTokens;
    public long OutputTokens;
}

/// <summary>Counts each named caller's requests and tokens, for `switchboard keys` (this process's; budgets are the shared store's).</summary>
internal sealed class KeyUsageSink : ICompletionSink
{
    private readonly ConcurrentDictionary<string, KeyUsage> _byCaller = new(StringComparer.Ordinal);

    public KeyUsage? Of(string caller) => _byCaller.GetValueOrDefault(caller);

    public void OnCompleted(in CompletedRequest request)
    {
        if (request.Caller is not { } caller) return;
        var usage = _byCaller.GetOrAdd(caller, static _ => new KeyUsage());
        Interlocked.Increment(ref usage.Requests);
        if (request.ErrorKind is ErrorKind.GatewayRateLimited or ErrorKind.BudgetExhausted or ErrorKind.Forbidden) Interlocked.Increment(ref usage.Refused);
        if (request.CacheHit) Interlocked.Increment(ref usage.CacheHits);
        Interlocked.Add(ref usage.InputTokens, request.Usage.InputTokens ?? 0);
        Interlocked.Add(ref usage.OutputTokens, request.Usage.OutputTokens ?? 0);
    }
}
