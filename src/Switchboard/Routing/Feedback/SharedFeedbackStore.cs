namespace Switchboard.Routing.Feedback;

/// <summary>
/// The feedback store of one config file, shared by every snapshot of it (reloads) and its feedback endpoint: the JSON
/// Lines file beside the config (<see cref="File"/>) until the ledger opens, then the ledger's database
/// (<see cref="Use"/>), which every replica of one ledger reads and writes.
/// </summary>
internal sealed class SharedFeedbackStore : IFeedbackStore
{
    private volatile IFeedbackStore _current;
    private long _swaps;

    public SharedFeedbackStore(JsonlFeedbackStore file)
    {
        File = file;
        _current = file;
    }

    /// <summary>The file beside the config: the store until the ledger takes over, then what it imports.</summary>
    public JsonlFeedbackStore File { get; }

    public IFeedbackStore Current => _current;

    /// <summary>Changes with every record and with every swap, so routers rebuild what they learnt from the new store.</summary>
    public long Version => (Interlocked.Read(ref _swaps) << 48) ^ _current.Version;

    public ValueTask AppendAsync(FeedbackRecord record, CancellationToken cancellationToken) => _current.AppendAsync(record, cancellationToken);

    public IReadOnlyList<FeedbackRecord> ReadAll() => _current.ReadAll();

    /// <summary>From now on feedback goes to and comes from <paramref name="store"/>.</summary>
    public void Use(IFeedbackStore store)
    {
        _current = store;
        Interlocked.Increment(ref _swaps);
    }

    private static readonly Dictionary<string, SharedFeedbackStore> Shared = new(StringComparer.Ordinal);

    /// <summary>One store per config file in a process: every snapshot of a config, and its feedback endpoint, share it across reloads.</summary>
    public static SharedFeedbackStore ForConfig(string configPath)
    {
        var path = JsonlFeedbackStore.PathBeside(configPath);
        lock (Shared)
        {
            if (!Shared.TryGetValue(path, out var store)) Shared[path] = store = new SharedFeedbackStore(new JsonlFeedbackStore(path));
            return store;
        }
    }

    /// <summary>Forgets the shared instance of a config file (tests simulating a restart).</summary>
    internal static void ForgetShared(string configPath)
    {
        lock (Shared) Shared.Remove(JsonlFeedbackStore.PathBeside(configPath));
    }
}
