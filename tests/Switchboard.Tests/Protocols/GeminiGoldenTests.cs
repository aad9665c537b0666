using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Protocols;
using Switchboard.Protocols.Translation;

namespace Switchboard.Tests.Protocols;

/// <summary>
/// The Gemini (native) upstream matrix, laid out like <see cref="GoldenTranslationTests"/>: every
/// GeminiGolden/&lt;client&gt;-client.gemini-upstream/&lt;name&gt;.&lt;kind&gt;.in.* is a case whose expected output is the .out.*
/// file beside it. To update after a deliberate change: SWITCHBOARD_REGEN_GOLDEN=1 dotnet test --filter GeminiGolden, then
/// review the diff.
/// </summary>
public sealed class GeminiGoldenTests
{
    private const string AnthropicClient = "anthropic-client.gemini-upstream";
    private const string OpenAIClient = "openai-client.gemini-upstream";
    private const long Created = 1700000000;
    private static readonly string GoldenDir = Path.Combine(AppContext.BaseDirectory, "Protocols", "GeminiGolden");

    public static TheoryData<string> Cases()
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

    [Fact]
    public void Matrix_covers_both_clients_and_every_kind()
    {
        var cases = ((IEnumerable<object[]>)Cases()).Select(row => (string)row[0]).ToList();
        foreach (string dir in new[] { AnthropicClient, OpenAIClient })
        {
            foreach (string c in new[] { "text.request", "tools.request", "image.request", "thinking.request",
                         "text.response", "tool.response", "thinking.response", "safety.response",
                         "text.stream", "tool.stream", "thinking.stream", "failure.stream", "error-event.stream", "invalid-argument.error" })
            {
                Assert.Contains($"{dir}/{c}", cases);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Gemini_golden_case_translates_as_expected(string testCase)
    {
        string dir = testCase[..testCase.IndexOf('/')];
        string kind = testCase[(testCase.LastIndexOf('.') + 1)..];
        bool anthropicClient = dir == AnthropicClient;
        ApiFormat client = anthropicClient ? ApiFormat.Anthropic : ApiFormat.OpenAI;
        JsonObject parameters = Parameters(testCase);
        byte[] input = File.ReadAllBytes(Directory.GetFiles(Path.Combine(GoldenDir, dir), Path.GetFileName(testCase) + ".in.*").Single());
        string clientModel = (string)parameters["clientModel"]!;

        string actual;
        switch (kind)
        {
            case "request":
            {
                using JsonDocument doc = JsonDocument.Parse(input);
                actual = Pretty(ProtocolTranslation.TranslateRequest(client, doc.RootElement, Target(parameters)).Body);
                break;
            }
            case "response":
            {
                using JsonDocument doc = JsonDocument.Parse(input);
                actual = Pretty(anthropicClient
                    ? GeminiResponse.ToAnthropic(doc.RootElement, clientModel, out _)
                    : GeminiResponse.ToOpenAI(doc.RootElement, clientModel, out _, created: Created));
                break;
            }
            case "error":
                actual = Pretty(ErrorFormats.FromUpstream(client, (int)parameters["status"]!, input));
                break;
            case "stream":
            {
                IStreamTranslator translator = anthropicClient
                    ? new GeminiToAnthropicStream(clientModel)
                    : new GeminiToOpenAIStream(clientModel, (bool?)parameters["includeUsage"] ?? false, created: Created);
                bool fails = (bool?)parameters["upstreamFails"] ?? false;
                Stream upstream = fails ? new FailingStream(input) : new MemoryStream(input);
                var output = new MemoryStream();
                SsePumpResult result = await SseEventPump.PumpAsync(upstream, translator,
                    (bytes, _) => { output.Write(bytes.Span); return ValueTask.CompletedTask; }, CancellationToken.None);
                Assert.Equal(fails ? SsePumpOutcome.UpstreamFailed : SsePumpOutcome.Completed, result.Outcome);
                actual = Encoding.UTF8.GetString(output.ToArray());
                List<SseEvent> events = SseText.Parse(actual);
                if (anthropicClient) AnthropicStreamValidator.Validate(events);
                else OpenAIStreamValidator.Validate(events);
                break;
            }
            default:
                throw new InvalidOperationException($"Unknown case kind '{kind}' in {testCase}");
        }

        string expectedPath = Path.Combine(GoldenDir, dir, Path.GetFileName(testCase) + (kind == "stream" ? ".out.sse" : ".out.json"));
        if (Environment.GetEnvironmentVariable("SWITCHBOARD_REGEN_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(SourceGoldenDir(), dir, Path.GetFileName(expectedPath)), actual);
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

    private static JsonObject Parameters(string testCase)
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

    private static TranslationTarget Target(JsonObject parameters)
    {
        JsonNode t = parameters["target"]!;
        return new TranslationTarget
        {
            ModelId = (string)t["model"]!,
            Provider = (string)t["provider"]!,
            Api = ApiFormat.Gemini,
            MaxOutputTokens = (int?)t["maxOutputTokens"],
        };
    }

    private static readonly JsonSerializerOptions PrettyOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Pretty(byte[] json) => JsonNode.Parse(json)!.ToJsonString(PrettyOptions) + "\n";

    private static string SourceGoldenDir([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, "GeminiGolden");

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
