using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Observability.Logging;

namespace Switchboard.Tests.Unit.Observability;

[Trait("Kind", "Unit")]
public sealed class BatchingLoggerTests
{
    [Fact]
    public void Lines_arrive_in_order_on_the_output()
    {
        var output = new GatedStream(open: true);
        using (var provider = new BatchingConsoleLoggerProvider(output))
        {
            var logger = provider.CreateLogger("Switchboard.Test");
            for (var i = 0; i < 100; i++) logger.LogInformation("line {Number}", i);
            WaitUntil(() => output.Text.Contains("line 99"));
        }
        var lines = output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(100, lines.Length);
        Assert.EndsWith("info: Switchboard.Test[0] line 0", lines[0]);
        Assert.EndsWith("line 99", lines[^1]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(123456789)]
    [InlineData(-42)]
    [InlineData(int.MinValue)]
    public void A_line_is_time_level_category_event_id_message_and_exception(int eventId)
    {
        var time = new DateTime(2026, 11, 22, 5, 4, 3, 21);
        Assert.Equal($"05:04:03.021 info: Switchboard.X[{eventId}] hello\n", Formatted(new LogEntry(time, "info", "Switchboard.X", eventId, "hello", null)));
        Assert.Equal($"05:04:03.021 fail: C[{eventId}] boom{Environment.NewLine}System.Exception: x\n", Formatted(new LogEntry(time, "fail", "C", eventId, "boom", "System.Exception: x")));
        Assert.Equal($"05:04:03.021 info: C[{eventId}] clé → ünïcode 😀\n", Formatted(new LogEntry(time, "info", "C", eventId, "clé → ünïcode 😀", null)));
    }

    /// <summary>Formatted into a buffer of exactly <see cref="LogEntry.MaxBytes"/>: a bound too small would throw.</summary>
    private static string Formatted(LogEntry entry)
    {
        var bytes = new byte[entry.MaxBytes];
        return Encoding.UTF8.GetString(bytes, 0, entry.Format(bytes));
    }

    [Fact]
    public void Batches_larger_than_the_write_buffer_and_a_line_larger_than_it_arrive_whole_and_in_order()
    {
        var output = new GatedStream(open: true);
        var huge = new string('é', 100_000); // 200,000 bytes of UTF-8: more than the 64 KB buffer on its own
        using (var provider = new BatchingConsoleLoggerProvider(output))
        {
            var logger = provider.CreateLogger("Switchboard.Test");
            for (var i = 0; i < 2000; i++) logger.LogInformation("line {Number} {Padding}", i, new string('x', 100));
            logger.LogInformation("huge {Text}", huge);
            logger.LogInformation("after");
            WaitUntil(() => output.Text.Contains("] after"));
        }
        var lines = output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2002, lines.Length);
        for (var i = 0; i < 2000; i++) Assert.EndsWith($"line {i} {new string('x', 100)}", lines[i]);
        Assert.EndsWith("huge " + huge, lines[2000]);
        Assert.EndsWith("] after", lines[2001]);
    }

    /// <summary>
    /// Request handlers log on the socket threads: a stalled standard output (a reader that stopped reading a pipe)
    /// must cost log lines, never a blocked request. The drops are counted and reported when output moves again.
    /// </summary>
    [Fact]
    public async Task A_stalled_output_drops_lines_instead_of_blocking_the_caller_and_says_how_many()
    {
        var output = new GatedStream(open: false);
        var provider = new BatchingConsoleLoggerProvider(output, capacity: 10);
        var logger = provider.CreateLogger("Switchboard.Test");

        // The writer takes the first batch and blocks in Write; then the queue (10) fills and the rest must drop.
        var logging = Task.Run(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                logger.LogInformation("first {Number}", i);
                if (i == 0) output.WaitForWriter();
            }
        });
        await logging.WaitAsync(TimeSpan.FromSeconds(30)); // hangs (and fails) if a full queue blocks the caller

        output.Open();
        WaitUntil(() => output.Text.Contains("log lines dropped"));
        logger.LogInformation("after the stall");
        WaitUntil(() => output.Text.Contains("after the stall"));
        provider.Dispose();

        var text = output.Text;
        Assert.Contains("first 0", text);
        Assert.Contains("after the stall", text);
        var dropNotice = text.Split('\n').Single(l => l.Contains("log lines dropped"));
        var dropped = int.Parse(dropNotice.Split(' ')[3]);
        var kept = text.Split('\n').Count(l => l.Contains(" first "));
        Assert.Equal(50, kept + dropped);
        Assert.True(dropped >= 30, $"expected most lines dropped behind a stalled output, got {dropped}");
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition() && DateTime.UtcNow < deadline) Thread.Sleep(10);
        Assert.True(condition(), "the log writer did not write in 30 s");
    }

    /// <summary>An output stream whose writes block until it is opened.</summary>
    private sealed class GatedStream(bool open) : Stream
    {
        private readonly ManualResetEventSlim _open = new(open);
        private readonly ManualResetEventSlim _writerArrived = new(false);
        private readonly MemoryStream _data = new();

        public string Text { get { lock (_data) return Encoding.UTF8.GetString(_data.ToArray()); } }
        public void Open() => _open.Set();
        public void WaitForWriter() => _writerArrived.Wait(TimeSpan.FromSeconds(30));

        public override void Write(byte[] buffer, int offset, int count)
        {
            _writerArrived.Set();
            _open.Wait();
            lock (_data) _data.Write(buffer, offset, count);
        }

        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
