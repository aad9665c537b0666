namespace Switchboard.Protocols;

/// <summary>
/// Arrays of one length kept for reuse, last in first out, under a lock held for a few instructions: up to a bound,
/// with what a load stopped taking let go a little at a time (<see cref="ReleaseUnused"/>) and everything let go when
/// the gateway is idle (<see cref="Clear"/>). Unlike <see cref="System.Buffers.ArrayPool{T}.Shared"/>, which keeps its
/// arrays until gen2 collections under memory pressure (an idle process has none), what it holds can be given back.
/// </summary>
internal sealed class KeptArrays(int length, int capacity, int keptUnderLoad)
{
    private readonly byte[]?[] _kept = new byte[capacity][];
    private readonly Lock _lock = new();
    private int _count;
    /// <summary>The fewest arrays held since the last <see cref="ReleaseUnused"/>: that many sat unused all along.</summary>
    private int _fewest;

    /// <summary>Arrays held now (tests and /healthz read it).</summary>
    public int Count { get { lock (_lock) return _count; } }

    public byte[] Rent()
    {
        lock (_lock)
        {
            if (_count > 0)
            {
                var array = _kept[--_count]!;
                _kept[_count] = null;
                if (_count < _fewest) _fewest = _count;
                return array;
            }
        }
        return GC.AllocateUninitializedArray<byte>(length);
    }

    /// <summary>Keeps the array unless the bound is reached (then it is the GC's).</summary>
    public void Return(byte[] array)
    {
        lock (_lock)
            if (_count < _kept.Length) _kept[_count++] = array;
    }

    /// <summary>
    /// Lets go of half the arrays that no one took since the last call (the fewest held meanwhile), past the first
    /// <c>keptUnderLoad</c>: what a burst left decays over a few calls, while a steady load keeps what it uses. Returns how many.
    /// </summary>
    public int ReleaseUnused()
    {
        lock (_lock)
        {
            // The bottom of the stack is the least recently used.
            var release = Math.Clamp(_count - keptUnderLoad, 0, (_fewest + 1) / 2);
            if (release > 0)
            {
                Array.Copy(_kept, release, _kept, 0, _count - release);
                Array.Clear(_kept, _count - release, release);
                _count -= release;
            }
            _fewest = _count;
            return release;
        }
    }

    /// <summary>Lets every kept array go (the idle trim, before its collection).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            Array.Clear(_kept);
            _count = _fewest = 0;
        }
    }
}
