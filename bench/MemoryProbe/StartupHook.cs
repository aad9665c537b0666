using System.Diagnostics.Tracing;
using System.Text;

// What a gateway's RSS is made of, from inside it: DOTNET_STARTUP_HOOKS=.../memhook.dll MEMHOOK_OUT=PREFIX.
// Every 50 ms it reads the RSS; at each new peak it writes the picture below to PREFIX.peak, and one line a second to
// PREFIX.log: RSS split as /proc/self/status does (anonymous, file-backed, shared: the JIT's double-mapped code),
// threads, GC counts, the last GC's committed bytes and sizes per generation (before -> after, fragmentation),
// and ArrayPool.Shared's rents, new arrays and arrays dropped past its bound (its EventSource). PREFIX.config: the GC's
// settings as the runtime read them (GC.GetConfigurationVariables), to check that a knob was honoured.
// A measuring tool (docs/benchmarks.md, round 9), not part of the gateway.
internal sealed class StartupHook
{
    static long poolAlloc, poolAllocBytes, poolDropped, poolTrimmed, poolRent;
    public static void Initialize()
    {
        var outPath = Environment.GetEnvironmentVariable("MEMHOOK_OUT") ?? "memhook";
        _ = new PoolListener();
        var cfg = new StringBuilder();
        foreach (var kv in GC.GetConfigurationVariables()) cfg.Append(kv.Key).Append('=').Append(kv.Value).Append(' ');
        File.WriteAllText(outPath + ".config", cfg.ToString() + "\n");
        var t = new Thread(() => Loop(outPath)) { IsBackground = true, Name = "memhook" };
        t.Start();
    }

    sealed class PoolListener : EventListener
    {
        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "System.Buffers.ArrayPoolEventSource") EnableEvents(source, EventLevel.Verbose);
        }
        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            // 1 rented, 2 allocated, 3 returned, 4 trimmed, 5 trim poll, 6 dropped
            switch (e.EventId)
            {
                case 1: Interlocked.Increment(ref poolRent); break;
                case 2: Interlocked.Increment(ref poolAlloc); Interlocked.Add(ref poolAllocBytes, (int)e.Payload![1]!); break;
                case 4: Interlocked.Increment(ref poolTrimmed); break;
                case 6: Interlocked.Increment(ref poolDropped); break;
            }
        }
    }

    static (long rss, long anon, long file, long shmem, int threads) Status()
    {
        long rss = 0, anon = 0, file = 0, shmem = 0; int threads = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:")) rss = Kb(line);
            else if (line.StartsWith("RssAnon:")) anon = Kb(line);
            else if (line.StartsWith("RssFile:")) file = Kb(line);
            else if (line.StartsWith("RssShmem:")) shmem = Kb(line);
            else if (line.StartsWith("Threads:")) threads = int.Parse(line[8..].Trim());
        }
        return (rss, anon, file, shmem, threads);
        static long Kb(string l) => long.Parse(l.Split(':')[1].Trim().Split(' ')[0]) / 1024;
    }

    static string Picture()
    {
        var (rss, anon, file, shmem, threads) = Status();
        var sb = new StringBuilder();
        sb.Append($"{DateTime.UtcNow:HH:mm:ss.fff} rss={rss} anon={anon} file={file} shmem={shmem} threads={threads}");
        sb.Append($" gcs={GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} totalMem={GC.GetTotalMemory(false) >> 20}");
        var i = GC.GetGCMemoryInfo(GCKind.Any);
        sb.Append($" lastGC#{i.Index} gen{i.Generation} committed={i.TotalCommittedBytes >> 20} heap={i.HeapSizeBytes >> 20} frag={i.FragmentedBytes >> 20} promoted={i.PromotedBytes >> 20}");
        var g = i.GenerationInfo;
        string[] names = ["g0", "g1", "g2", "loh", "poh"];
        for (int k = 0; k < g.Length; k++) sb.Append($" {names[k]}={g[k].SizeBeforeBytes >> 20}->{g[k].SizeAfterBytes >> 20}(f{g[k].FragmentationAfterBytes >> 20})");
        sb.Append($" ap.rent={poolRent} ap.alloc={poolAlloc}({poolAllocBytes >> 20}MB) ap.trim={poolTrimmed} ap.drop={poolDropped}");
        return sb.ToString();
    }

    static void Loop(string outPath)
    {
        long peak = 0; var last = DateTime.UtcNow;
        using var log = new StreamWriter(outPath + ".log") { AutoFlush = true };
        while (true)
        {
            Thread.Sleep(50);
            var rss = Environment.WorkingSet >> 20;
            if (rss > peak) { peak = rss; File.WriteAllText(outPath + ".peak", Picture() + "\n"); }
            if ((DateTime.UtcNow - last).TotalSeconds >= 1) { last = DateTime.UtcNow; log.WriteLine(Picture()); }
        }
    }
}
