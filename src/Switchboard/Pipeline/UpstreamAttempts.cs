namespace Switchboard.Pipeline;

/// <summary>
/// A request's upstream attempts, in order. The first is held inline, so a request answered by its first candidate
/// allocates nothing for them; fallbacks go to a list. A value: a completion sink may keep it.
/// </summary>
internal readonly struct UpstreamAttempts
{
    private readonly UpstreamAttempt _first;
    private readonly List<UpstreamAttempt>? _more;

    internal UpstreamAttempts(int count, UpstreamAttempt first, List<UpstreamAttempt>? more)
    {
        Count = count;
        _first = first;
        _more = more;
    }

    public int Count { get; }

    public UpstreamAttempt this[int index] =>
        (uint)index >= (uint)Count ? throw new ArgumentOutOfRangeException(nameof(index))
        : index == 0 ? _first : _more![index - 1];

    /// <summary>The last attempt: the one that answered, when one did.</summary>
    public UpstreamAttempt? Last => Count == 0 ? null : this[Count - 1];

    public Enumerator GetEnumerator() => new(this);

    public UpstreamAttempt[] ToArray()
    {
        var result = new UpstreamAttempt[Count];
        for (var i = 0; i < Count; i++) result[i] = this[i];
        return result;
    }

    public struct Enumerator(UpstreamAttempts attempts)
    {
        private int _index = -1;
        public readonly UpstreamAttempt Current => attempts[_index];
        public bool MoveNext() => ++_index < attempts.Count;
    }

    /// <summary>Collects the attempts while the request runs.</summary>
    internal struct Builder
    {
        private int _count;
        private UpstreamAttempt _first;
        private List<UpstreamAttempt>? _more;

        public void Add(in UpstreamAttempt attempt)
        {
            if (_count++ == 0) _first = attempt;
            else (_more ??= new List<UpstreamAttempt>(2)).Add(attempt);
        }

        public readonly UpstreamAttempts Build() => new(_count, _first, _more);
    }
}
