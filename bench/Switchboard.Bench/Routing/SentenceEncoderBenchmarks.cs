using BenchmarkDotNet.Attributes;
using Switchboard.Routing.Semantic;

namespace Switchboard.Bench.Routing;

/// <summary>
/// One MiniLM encoding of a short everyday request (~12 tokens, what most unsure everyday decisions pay), with the int8
/// weights the gateway runs and with the package's float weights. A dozen tokens are bound by reading the weights, so the
/// int8 model's smaller matrices are what this measures.
/// </summary>
[MemoryDiagnoser]
public class SentenceEncoderBenchmarks
{
    private static readonly string[] Requests =
    [
        "I was charged twice for my subscription this month",
        "how do I export my data to a spreadsheet",
        "my package says delivered but it's not here",
        "Can I share a board with people outside my team?",
    ];

    private MiniLmEncoder _encoder = null!;
    private int _next;

    [Params(true, false)]
    public bool Int8Weights { get; set; }

    [GlobalSetup]
    public void Setup() => _encoder = new MiniLmEncoder(Int8Weights);

    [GlobalCleanup]
    public void Cleanup() => _encoder.Dispose();

    [Benchmark]
    public float[] EncodeShortRequest() => _encoder.Encode(Requests[_next++ % Requests.Length]);
}
