namespace Switchboard.Tests.TestKit;

/// <summary>
/// Waiting for what happens behind a response (a write to Redis, a pin, a settled spend): polled until a deadline of
/// 30 s, not a count of short sleeps, so a loaded 2-core CI machine fails only what never happens.
/// </summary>
internal static class Poll
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>True as soon as <paramref name="condition"/> is; false when the deadline passed without it.</summary>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, int everyMs = 50)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(everyMs);
        }
        return true;
    }
}
