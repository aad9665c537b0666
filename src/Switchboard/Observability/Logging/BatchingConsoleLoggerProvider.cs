using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Runtime;

namespace Switchboard.Observability.Logging;

/// <summary>
/// One line per log entry on standard output, written in batches by one background thread. The built-in console
/// logger wakes its writer thread for every line; at thousands of requests a second on a small machine that
/// wake-up cost about 0.3 ms of added latency per request (docs/benchmarks.md). Here the calling thread makes the
/// message and queues it with its time, level and category; the writer drains whatever has gathered at most every
/// <see cref="FlushInterval"/>, encoding each line straight into a reused UTF-8 buffer (no line string, no batch copy).
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

    /// <summary>Lines are encoded into one buffer, written whenever it fills and at the end of each batch.</summary>
    private const int BufferBytes = 64 * 1024;

    private readonly BatchQueue<LogEntry> _lines;
    private readonly Stream _output;
    private readonly byte[] _buffer = new byte[BufferBytes];
    private long _reportedDropped;
    private bool _outputGone;

    public BatchingConsoleLoggerProvider() : this(Console.OpenStandardOutput())
    {
    }

    internal BatchingConsoleLoggerProvider(Stream output, int capacity = DefaultCapacity)
    {
        _output = output;
        // One write per batch however many lines gathered (per 64 KB of them): the batch size is the capacity.
        _lines = new BatchQueue<LogEntry>("Switchboard log writer", capacity, capacity, FlushInterval, Write);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    private void Enqueue(in LogEntry entry) => _lines.TryAdd(entry); // a refused line is counted by the queue, and reported below

    /// <summary>One batch of lines (and the count of lines dropped since the last one) onto the output, on the queue's thread.</summary>
    private void Write(ReadOnlySpan<LogEntry> entries)
    {
        var used = 0;
        foreach (ref readonly var entry in entries) Append(entry, ref used);
        if (_lines.Refused - _reportedDropped is var dropped and > 0)
        {
            _reportedDropped += dropped;
            Append(new LogEntry(DateTime.Now, "warn", "Switchboard", 0, $"{dropped} log lines dropped: standard output could not keep up", null), ref used);
        }
        WriteOut(_buffer.AsSpan(0, used));
    }

    private void Append(in LogEntry entry, ref int used)
    {
        var max = entry.MaxBytes;
        if (used + max <= _buffer.Length)
        {
            used += entry.Format(_buffer.AsSpan(used));
            return;
        }
        WriteOut(_buffer.AsSpan(0, used));
        used = 0;
        if (max <= _buffer.Length)
        {
            used = entry.Format(_buffer);
            return;
        }
        var large = ArrayPool<byte>.Shared.Rent(max); // a line longer than the buffer (a deep exception): written alone
        WriteOut(large.AsSpan(0, entry.Format(large)));
        ArrayPool<byte>.Shared.Return(large);
    }

    private void WriteOut(ReadOnlySpan<byte> bytes)
    {
        if (_outputGone || bytes.IsEmpty) return;
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

    private sealed class Logger(BatchingConsoleLoggerProvider owner, string category) : ILogger
    {
        private readonly string _category = category;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            // Only the message is made here; the line around it is formatted on the writer's thread, straight into UTF-8.
            owner.Enqueue(new LogEntry(DateTime.Now, Level(logLevel), _category, eventId.Id, formatter(state, exception) ?? "", exception?.ToString()));
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

/// <summary>One log entry as logged; formatted into UTF-8 on the writer's thread.</summary>
internal readonly record struct LogEntry(DateTime Time, string Level, string Category, int EventId, string Message, string? Error)
{
    /// <summary>The most bytes <see cref="Format"/> writes.</summary>
    public int MaxBytes => Encoding.UTF8.GetMaxByteCount(Level.Length + Category.Length + Message.Length + (Error is null ? 0 : Environment.NewLine.Length + Error.Length))
        + "HH:mm:ss.fff ".Length + ": [".Length + "-2147483648".Length + "] \n".Length;

    /// <summary>"HH:mm:ss.fff level: category[id] message\n" (then the exception, if any); <paramref name="destination"/> holds at least <see cref="MaxBytes"/>.</summary>
    public int Format(Span<byte> destination)
    {
        Time.TryFormat(destination, out var at, "HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
        destination[at++] = (byte)' ';
        at += Encoding.UTF8.GetBytes(Level, destination[at..]);
        destination[at++] = (byte)':';
        destination[at++] = (byte)' ';
        at += Encoding.UTF8.GetBytes(Category, destination[at..]);
        destination[at++] = (byte)'[';
        EventId.TryFormat(destination[at..], out var idLength, provider: System.Globalization.CultureInfo.InvariantCulture);
        at += idLength;
        destination[at++] = (byte)']';
        destination[at++] = (byte)' ';
        at += Encoding.UTF8.GetBytes(Message, destination[at..]);
        if (Error is not null)
        {
            at += Encoding.UTF8.GetBytes(Environment.NewLine, destination[at..]);
            at += Encoding.UTF8.GetBytes(Error, destination[at..]);
        }
        destination[at++] = (byte)'\n';
        return at;
    }
}
