using System.Text.Json;

namespace Switchboard.Routing.Feedback;

/// <summary>
/// Feedback as JSON Lines, one record a line, appended and flushed to disk before the endpoint answers. Without a path
/// the records live in memory only (tests, and a gateway started without a config file). A line that does not parse
/// (a torn write) is skipped, not fatal. Thread-safe.
/// </summary>
internal sealed class JsonlFeedbackStore : IFeedbackStore
{
    private readonly object _lock = new();
    private readonly List<FeedbackRecord> _records = [];
    private long _version;

    public JsonlFeedbackStore(string? path)
    {
        Path = path;
        if (path is null || !File.Exists(path)) return;
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                if (JsonSerializer.Deserialize(line, FeedbackJsonContext.Default.FeedbackRecord) is { } record) _records.Add(record);
            }
            catch (JsonException)
            {
                SkippedLines++;
            }
        }
    }

    /// <summary>The file, or null when the store is in memory only.</summary>
    public string? Path { get; }

    /// <summary>Lines that did not parse when the file was read.</summary>
    public int SkippedLines { get; }

    public long Version => Interlocked.Read(ref _version);

    public void Append(FeedbackRecord record)
    {
        var line = JsonSerializer.Serialize(record, FeedbackJsonContext.Default.FeedbackRecord) + "\n";
        lock (_lock)
        {
            if (Path is not null)
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
                using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
                stream.Write(System.Text.Encoding.UTF8.GetBytes(line));
                stream.Flush(flushToDisk: true);
            }
            _records.Add(record);
            Interlocked.Increment(ref _version);
        }
    }

    public ValueTask AppendAsync(FeedbackRecord record, CancellationToken cancellationToken)
    {
        Append(record);
        return ValueTask.CompletedTask;
    }

    public IReadOnlyList<FeedbackRecord> ReadAll()
    {
        lock (_lock) return _records.ToArray();
    }

    /// <summary>The store beside a config file: "config.yaml" → "config.feedback.jsonl".</summary>
    public static string PathBeside(string configPath) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(configPath))!, System.IO.Path.GetFileNameWithoutExtension(configPath) + ".feedback.jsonl");
}
