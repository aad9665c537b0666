namespace Switchboard.Pipeline;

/// <summary>Request ids: a per-process random prefix and a counter (unique, cheap, sortable within a process).</summary>
internal static class RequestIds
{
    private static readonly string Prefix = "sb_" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
    private static long _counter;

    public static string Next() => $"{Prefix}{Interlocked.Increment(ref _counter):x8}";
}
