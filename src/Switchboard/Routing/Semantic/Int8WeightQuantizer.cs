using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Switchboard.Routing.Semantic;

/// <summary>
/// Rewrites an ONNX model so each matrix product with a constant float weight runs on int8 weights (ONNX Runtime's
/// <c>com.microsoft.DynamicQuantizeMatMul</c>: the activations are quantized per call, the weights once here, per
/// output column and symmetric). A sentence of a dozen tokens is bound by reading the weights, not by arithmetic, so a
/// quarter of the bytes halves an encoding (docs/benchmarks.md); embeddings keep a cosine of ~0.99 to the float ones.
/// Done at load, in memory, from the model the package ships: nothing is downloaded or written.
/// </summary>
internal static class Int8WeightQuantizer
{
    private const string ContribDomain = "com.microsoft";

    /// <summary>The quantized model, answering only <paramref name="keepOutput"/> (other outputs' nodes are pruned by the runtime).</summary>
    public static byte[] Quantize(byte[] floatModel, string keepOutput)
    {
        var model = ModelProto.Parser.ParseFrom(floatModel);
        var graph = model.Graph;
        for (var i = graph.Output.Count - 1; i >= 0; i--)
            if (graph.Output[i].Name != keepOutput) graph.Output.RemoveAt(i);

        var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var tensor in graph.Initializer) initializers[tensor.Name] = tensor;
        var uses = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
            foreach (var input in node.Input) uses[input] = uses.GetValueOrDefault(input) + 1;

        foreach (var node in graph.Node)
        {
            if (node.OpType != "MatMul" || node.Domain.Length != 0 || node.Input.Count != 2
                || !initializers.TryGetValue(node.Input[1], out var weight) || weight.Dims.Count != 2
                || weight.DataType != (int)TensorProto.Types.DataType.Float || IsNarrowing(weight)) continue;
            var (quantized, scale, zero) = QuantizeColumns(weight);
            graph.Initializer.Add(quantized);
            graph.Initializer.Add(scale);
            graph.Initializer.Add(zero);
            if (uses[weight.Name] == 1) graph.Initializer.Remove(weight);
            var activations = node.Input[0];
            node.Input.Clear();
            node.Input.Add(activations);
            node.Input.Add(quantized.Name);
            node.Input.Add(scale.Name);
            node.Input.Add(zero.Name);
            node.OpType = "DynamicQuantizeMatMul";
            node.Domain = ContribDomain;
        }
        if (!model.OpsetImport.Any(o => o.Domain == ContribDomain)) model.OpsetImport.Add(new OperatorSetIdProto { Domain = ContribDomain, Version = 1 });
        return model.ToByteArray();
    }

    /// <summary>
    /// A product from a wider layer back to a narrower one (the feed-forward's 1536 → 384) stays float: its input, after
    /// GELU, has a few large values that one activation scale per call would flatten (on the tuning sets, quantizing
    /// it too lowered the cosine to the float embeddings from 0.9965 to 0.9936 on average and moved several decisions).
    /// </summary>
    private static bool IsNarrowing(TensorProto weight) => weight.Dims[0] > weight.Dims[1];

    /// <summary>A [K, N] float weight as int8 with one scale per column (its largest magnitude maps to 127).</summary>
    private static (TensorProto Quantized, TensorProto Scale, TensorProto Zero) QuantizeColumns(TensorProto weight)
    {
        int rows = checked((int)weight.Dims[0]), columns = checked((int)weight.Dims[1]);
        ReadOnlySpan<float> values = weight.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(weight.RawData.Span) : weight.FloatData.ToArray();
        var scales = new float[columns];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++) scales[c] = MathF.Max(scales[c], MathF.Abs(values[r * columns + c]));
        for (var c = 0; c < columns; c++) scales[c] = scales[c] > 0 ? scales[c] / 127f : 1f;
        var quantized = new sbyte[rows * columns];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
                quantized[r * columns + c] = (sbyte)Math.Clamp(MathF.Round(values[r * columns + c] / scales[c]), -127f, 127f);

        var q = new TensorProto { Name = weight.Name + "/int8", DataType = (int)TensorProto.Types.DataType.Int8, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(quantized.AsSpan())) };
        q.Dims.Add(rows);
        q.Dims.Add(columns);
        var s = new TensorProto { Name = weight.Name + "/scale", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(scales.AsSpan())) };
        s.Dims.Add(columns);
        var z = new TensorProto { Name = weight.Name + "/zero", DataType = (int)TensorProto.Types.DataType.Int8, RawData = ByteString.CopyFrom(new byte[columns]) };
        z.Dims.Add(columns);
        return (q, s, z);
    }
}
