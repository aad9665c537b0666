using System.Collections.Concurrent;
using System.Diagnostics;
using Switchboard.Runtime;

namespace Switchboard.Tests.Unit.Runtime;

[Trait("Kind", "Unit")]
public sealed class BatchQueueTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task Items_arrive_in_order_in_batches_no_larger_than_the_batch_size()
    {
        var batches = new ConcurrentQueue<int[]>();
        var queue = new BatchQueue<int>("test", capacity: 1000, batchSize: 16, TimeSpan.FromMilliseconds(20), b => batches.Enqueue(b.ToArray()));
        for (var i = 0; i < 100; i++) Assert.True(queue.TryAdd(i));
        Assert.True(queue.Stop(TimeSpan.FromSeconds(30)));
        await queue.Stopped.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(Enumerable.Range(0, 100), batches.SelectMany(b => b));
        Assert.All(batches, b => Assert.InRange(b.Length, 1, 16));
        Assert.Equal(100, queue.Added);
        Assert.Equal(100, queue.Handled);
        Assert.Equal(0, queue.Refused);
    }

    /// <summary>The gathering time is an upper bound: a full batch is handed over at once, not after it.</summary>
    [Fact]
    public void A_full_batch_is_handed_over_before_its_gathering_time()
    {
        var handled = new CountdownEvent(8);
        var queue = new BatchQueue<int>("test", capacity: 100, batchSize: 8, Long, b => handled.Signal(b.Length));
        for (var i = 0; i < 8; i++) queue.TryAdd(i);
        Assert.True(handled.Wait(TimeSpan.FromSeconds(30)), "the batch waited for its gathering time");
        queue.Stop(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void A_flush_hands_over_what_is_queued_without_waiting_for_the_gathering_time()
    {
        var handled = new CountdownEvent(3);
        var queue = new BatchQueue<int>("test", capacity: 100, batchSize: 50, Long, b => handled.Signal(b.Length));
        for (var i = 0; i < 3; i++) queue.TryAdd(i);
        Assert.False(handled.Wait(TimeSpan.FromMilliseconds(200))); // gathering
        queue.Flush();
        Assert.True(handled.Wait(TimeSpan.FromSeconds(30)), "a flush did not end the gathering");
        queue.Stop(TimeSpan.FromSeconds(30));
    }

    /// <summary>A handler that is stuck (a store that hangs) must cost items, never a blocked caller.</summary>
    [Fact]
    public void A_full_queue_refuses_and_counts_without_blocking_the_caller()
    {
        using var release = new ManualResetEventSlim(false);
        var taken = new ManualResetEventSlim(false);
        long handled = 0;
        var queue = new BatchQueue<int>("test", capacity: 10, batchSize: 1, TimeSpan.Zero, b =>
        {
            taken.Set();
            release.Wait();
            Interlocked.Add(ref handled, b.Length);
        });
        Assert.True(queue.TryAdd(0));
        Assert.True(taken.Wait(TimeSpan.FromSeconds(30))); // the thread holds the first item and is stuck
        var clock = Stopwatch.StartNew();
        var accepted = 0;
        for (var i = 1; i <= 50; i++) if (queue.TryAdd(i)) accepted++;
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "TryAdd waited for room");
        Assert.Equal(10, accepted);
        Assert.Equal(40, queue.Refused);

        release.Set();
        Assert.True(queue.Stop(TimeSpan.FromSeconds(30)));
        Assert.Equal(11, Interlocked.Read(ref handled));
    }

    [Fact]
    public void A_handler_that_throws_costs_its_batch_and_the_thread_goes_on()
    {
        var seen = new ConcurrentQueue<int>();
        var queue = new BatchQueue<int>("test", capacity: 100, batchSize: 1, TimeSpan.Zero, b =>
        {
            if (b[0] == 0) throw new InvalidOperationException("the store is down");
            seen.Enqueue(b[0]);
        });
        queue.TryAdd(0);
        queue.TryAdd(1);
        queue.TryAdd(2);
        Assert.True(queue.Stop(TimeSpan.FromSeconds(30)));
        Assert.Equal([1, 2], seen.OrderBy(x => x));
    }

    [Fact]
    public void Completing_hands_over_everything_queued_and_refuses_what_comes_after()
    {
        var seen = new ConcurrentQueue<string>();
        var queue = new BatchQueue<string>("test", capacity: 100, batchSize: 100, Long, b => { foreach (var s in b) seen.Enqueue(s); });
        queue.TryAdd("a");
        queue.TryAdd("b");
        Assert.True(queue.Stop(TimeSpan.FromSeconds(30)), "completion waited for the gathering time");
        Assert.Equal(["a", "b"], seen);
        Assert.False(queue.TryAdd("c"));
        Assert.Equal(1, queue.Refused);
        Assert.True(queue.Stopped.IsCompleted);
    }
}
