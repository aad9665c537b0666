using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Protocols;

namespace Switchboard.Tests.TestKit;

/// <summary>
/// What every golden-file matrix shares: finding the cases (&lt;dir&gt;/&lt;name&gt;.&lt;kind&gt;.in.*), their parameters
/// from cases.json, pumping a stream case through a translator with its validator, and comparing with the .out.*
/// file (or rewriting it when SWITCHBOARD_REGEN_GOLDEN=1).
/// </summary>
internal sealed class GoldenCases(string goldenDir, string sourceGoldenDir)
{
    public string GoldenDir { get; } = goldenDir;

    public TheoryData<string> Discover()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.EnumerateFiles(GoldenDir, "*.in.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string dir = Path.GetFileName(Path.GetDirectoryName(file))!;
            string name = Path.GetFileName(file);
            data.Add($"{dir}/{name[..name.IndexOf(".in.", StringComparison.Ordinal)]}");
        }
        return data;
    }

    public byte[] Input(string dir, string testCase) =>
        File.ReadAllBytes(Directory.GetFiles(Path.Combine(GoldenDir, dir), Path.GetFileName(testCase) + ".in.*").Single());

    public JsonObject Parameters(string testCase)
    {
        JsonNode manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(GoldenDir, "cases.json")))!;
        string dir = testCase[..testCase.IndexOf('/')];
        var merged = (JsonObject)manifest["defaults"]![dir]!.DeepClone();
        if (manifest["cases"]![testCase] is JsonObject overrides)
        {
            foreach (var (key, value) in overrides) merged[key] = value?.DeepClone();
        }
        return merged;
    }

    /// <summary>
    /// Pumps <paramref name="input"/> through the translator (failing at the end when the case says so; a case whose
    /// input stops before its protocol's final event says "upstreamTruncated") and validates the client stream.
    /// </summary>
    public static async Task<string> PumpAsync(IStreamTranslator translator, byte[] input, JsonObject parameters, bool anthropicClient)
    {
        bool fails = (bool?)parameters["upstreamFails"] ?? false;
        Stream upstream = fails ? new FailingStream(input) : new MemoryStream(input);
        var output = new MemoryStream();
        SsePumpResult result = await SseEventPump.PumpAsync(upstream, translator,
            (bytes, _) => { output.Write(bytes.Span); return ValueTask.CompletedTask; }, CancellationToken.None);
        bool truncated = (bool?)parameters["upstreamTruncated"] ?? false;
        Assert.Equal(fails ? SsePumpOutcome.UpstreamFailed : truncated ? SsePumpOutcome.Truncated : SsePumpOutcome.Completed, result.Outcome);
        string actual = Encoding.UTF8.GetString(output.ToArray());
        List<SseEvent> events = SseText.Parse(actual);
        if (anthropicClient) AnthropicStreamValidator.Validate(events);
        else OpenAIStreamValidator.Validate(events);
        return actual;
    }

    private static readonly System.Text.Json.JsonSerializerOptions PrettyOptions =
        new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>JSON as the .out.json files hold it: indented, non-ASCII unescaped, a newline at the end.</summary>
    public static string Pretty(byte[] json) => JsonNode.Parse(json)!.ToJsonString(PrettyOptions) + "\n";

    /// <summary>The case's <c>target</c> parameters (model, provider, max output) as a translation target speaking <paramref name="api"/>.</summary>
    public static TranslationTarget Target(JsonObject parameters, ApiFormat api)
    {
        JsonNode t = parameters["target"]!;
        return new TranslationTarget
        {
            ModelId = (string)t["model"]!,
            Provider = (string)t["provider"]!,
            Api = api,
            MaxOutputTokens = (int?)t["maxOutputTokens"],
        };
    }

    public void AssertMatchesExpected(string dir, string testCase, string kind, string actual)
    {
        string expectedPath = Path.Combine(GoldenDir, dir, Path.GetFileName(testCase) + (kind == "stream" ? ".out.sse" : ".out.json"));
        if (Environment.GetEnvironmentVariable("SWITCHBOARD_REGEN_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(sourceGoldenDir, dir, Path.GetFileName(expectedPath)), actual);
            return;
        }
        Assert.True(File.Exists(expectedPath), $"Missing expected output {expectedPath}");
        string expected = File.ReadAllText(expectedPath);
        if (kind == "stream")
        {
            SseText.AssertEquivalent(SseText.Parse(expected), SseText.Parse(actual), testCase);
        }
        else
        {
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)),
                $"{testCase}: output differs from {Path.GetFileName(expectedPath)}.\nActual:\n{actual}");
        }
    }

    /// <summary>Serves the bytes, then fails like a reset connection instead of ending.</summary>
    private sealed class FailingStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = Read(buffer.Span);
            return n > 0 ? ValueTask.FromResult(n) : ValueTask.FromException<int>(new IOException("Connection reset by peer"));
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = base.Read(buffer, offset, count);
            return n > 0 ? n : throw new IOException("Connection reset by peer");
        }
    }
}
