using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Runtime;

namespace Switchboard.Observability.Logging;

/// <summary>
/// One line per log entry on standard output, written in batches by one background thread. The built-in console
/// logger wakes its writer thread for every line; at thousands of requests a second on a small machine that
/// wake-up cost about 0.3 ms of added latency per request (docs/benchmarks.md). Here a line is formatted on the
/// calling thread, queued, and the writer drains whatever has gathered at most every <see cref="FlushInterval"/>.
/// The writer is a <see cref="BatchQueue{T}"/>'s thread, which sleeps until a batch is due, not a task on the
/// thread pool: each pool wake-up was followed by the worker's spin-waiting, which on two cores cost more CPU than
/// the writing (docs/benchmarks.md, round 5).
/// Logging never blocks the caller: request handlers run on the socket threads (<see cref="InlineSocketIo"/>), so a
/// stalled standard output (a paused pipe reader) must not stall requests. When the queue is full a line is dropped,
/// and the count is written once output moves again.
/// </summary>
internal sealed class BatchingConsoleLoggerProvider : ILoggerProvider
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(20);
    private const int DefaultCapacity = 100_000;

    private readonly BatchQueue<string> _lines;
    private readonly Stream _output;
    private readonly StringBuilder _batch = new(16 * 1024);
    private long _reportedDropped;
    private bool _outputGone;

    public BatchingConsoleLoggerProvider() : this(Console.OpenStandardOutput())
    {
    }

    internal BatchingConsoleLoggerProvider(Stream output, int capacity = DefaultCapacity)
    {
        _output = output;
        // One write per batch however many lines gathered: the batch size is the capacity.
        _lines = new BatchQueue<string>("Switchboard log writer", capacity, capacity, FlushInterval, Write);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    private void Enqueue(string line) => _lines.TryAdd(line); // a refused line is counted by the queue, and reported below

    /// <summary>One batch of lines (and the count of lines dropped since the last one) onto the output, on the queue's thread.</summary>
    private void Write(ReadOnlySpan<string> lines)
    {
        if (_outputGone) return;
        foreach (var line in lines) _batch.Append(line);
        if (_lines.Refused - _reportedDropped is var dropped and > 0)
        {
            _reportedDropped += dropped;
            _batch.Append(DateTime.Now.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture))
                .Append(" warn: Switchboard[0] ").Append(dropped).Append(" log lines dropped: standard output could not keep up\n");
        }
        var bytes = Encoding.UTF8.GetBytes(_batch.ToString());
        _batch.Clear();
        try
        {
            lock (_output)
            {
                _output.Write(bytes);
                _output.Flush();
            }
        }
        catch (IOException)
        {
            _outputGone = true; // standard output is gone (a closed pipe): nothing left to write to
        }
    }

    public void Dispose() => _lines.Stop(TimeSpan.FromSeconds(2));

    /// <summary>"HH:mm:ss.fff level: category[id] message\n" (then the exception, if any), built in one allocation.</summary>
    internal static string FormatLine(DateTime time, string level, string category, int eventId, string message, string? error)
    {
        var length = 12 + 1 + level.Length + 2 + category.Length + 1 + Digits(eventId) + 2 + message.Length
            + (error is null ? 0 : Environment.NewLine.Length + error.Length) + 1;
        return string.Create(length, (time, level, category, eventId, message, error), static (span, s) =>
        {
            s.time.TryFormat(span, out var written, "HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
            var at = written;
            span[at++] = ' ';
            Append(span, ref at, s.level);
            Append(span, ref at, ": ");
            Append(span, ref at, s.category);
            span[at++] = '[';
            s.eventId.TryFormat(span[at..], out var idLength, provider: System.Globalization.CultureInfo.InvariantCulture);
            at += idLength;
            Append(span, ref at, "] ");
            Append(span, ref at, s.message);
            if (s.error is not null)
            {
                Append(span, ref at, Environment.NewLine);
                Append(span, ref at, s.error);
            }
            span[at] = '\n';
        });
    }

    private static int Digits(int value)
    {
        var digits = value < 0 ? 2 : 1;
        for (var rest = Math.Abs((long)value); rest >= 10; rest /= 10) digits++;
        return digits;
    }

    private static void Append(Span<char> span, ref int at, string text)
    {
        text.CopyTo(span[at..]);
        at += text.Length;
    }

    private sealed class Logger(BatchingConsoleLoggerProvider owner, string category) : ILogger
    {
        private readonly string _category = category;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var message = formatter(state, exception) ?? "";
            var error = exception?.ToString();
            owner.Enqueue(FormatLine(DateTime.Now, Level(logLevel), _category, eventId.Id, message, error));
        }

        private static string Level(LogLevel level) => level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };
    }
}
