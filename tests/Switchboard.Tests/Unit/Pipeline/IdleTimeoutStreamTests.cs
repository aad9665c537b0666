using Switchboard.Pipeline.Relays;

namespace Switchboard.Tests.Unit.Pipeline;

[Trait("Kind", "Unit")]
public sealed class IdleTimeoutStreamTests
{
    [Fact]
    public async Task A_read_that_waits_past_the_idle_timeout_is_a_timeout()
    {
        await using var stream = new IdleTimeoutStream(new ScriptedStream(WaitForever), TimeSpan.FromMilliseconds(50), CancellationToken.None);
        await Assert.ThrowsAsync<TimeoutException>(async () => await stream.ReadAtLeastAsync(new byte[8], 1));
    }

    /// <summary>
    /// The idle clock may run out just as a read finishes (the read returned data, the clock was not yet disarmed).
    /// The next read must get a fresh clock, not the spent one: a body that keeps producing is never cut.
    /// </summary>
    [Fact]
    public async Task A_clock_that_ran_out_as_a_read_finished_does_not_fail_the_next_read()
    {
        var reads = 0;
        var inner = new ScriptedStream(async token =>
        {
            if (Interlocked.Increment(ref reads) == 1)
            {
                await Task.Delay(300, CancellationToken.None); // ignores the token: returns after the clock ran out
                return 1;
            }
            token.ThrowIfCancellationRequested(); // an honest stream refuses a cancelled token
            return 0;
        });
        await using var stream = new IdleTimeoutStream(inner, TimeSpan.FromMilliseconds(50), CancellationToken.None);
        Assert.Equal(1, await stream.ReadAsync(new byte[8]));
        Assert.Equal(0, await stream.ReadAsync(new byte[8]));
    }

    [Fact]
    public async Task The_requests_own_cancellation_is_not_reported_as_a_timeout()
    {
        using var request = new CancellationTokenSource();
        await using var stream = new IdleTimeoutStream(new ScriptedStream(WaitForever), TimeSpan.FromSeconds(30), request.Token);
        var read = stream.ReadAsync(new byte[8], request.Token).AsTask();
        request.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
    }

    private static async Task<int> WaitForever(CancellationToken token)
    {
        await Task.Delay(Timeout.Infinite, token);
        return 0;
    }

    /// <summary>A read-only stream whose reads run the given script with the token they were given.</summary>
    private sealed class ScriptedStream(Func<CancellationToken, Task<int>> read) : ReadOnlyStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => await read(cancellationToken);
    }
}
