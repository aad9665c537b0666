using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Protocols;
using Switchboard.Protocols.Translation;

namespace Switchboard.Tests.Protocols;

/// <summary>
/// The translation matrix: every Golden/&lt;client&gt;-client.&lt;upstream&gt;-upstream/&lt;name&gt;.&lt;kind&gt;.in.* file is a case
/// (kind: request, response, stream, error) whose expected output is the .out.* file beside it. JSON compares
/// semantically; SSE compares event by event. Ids and timestamps are pinned through the translators' parameters.
/// To update expectations after a deliberate change: SWITCHBOARD_REGEN_GOLDEN=1 dotnet test …, then review the diff.
/// </summary>
public sealed class GoldenTranslationTests
{
    private const string AnthropicClient = "anthropic-client.openai-upstream";
    private const long Created = 1700000000;
    private static readonly string GoldenDir = Path.Combine(AppContext.BaseDirectory, "Protocols", "Golden");

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
    public void Matrix_covers_both_directions_and_every_kind()
    {
        var cases = ((IEnumerable<object[]>)Cases()).Select(row => (string)row[0]).ToList();
        foreach (string dir in new[] { AnthropicClient, "openai-client.anthropic-upstream" })
        {
            foreach (string c in new[] { "text.request", "tools.request", "image.request", "thinking.request",
                         "text.response", "tool.response", "parallel.response", "thinking.response",
                         "text.stream", "tool.stream", "parallel.stream", "thinking.stream", "failure.stream" })
            {
                Assert.Contains($"{dir}/{c}", cases);
            }
            Assert.Contains(cases, c => c.StartsWith(dir + "/", StringComparison.Ordinal) && c.EndsWith(".error", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Golden_case_translates_as_expected(string testCase)
    {
        string dir = testCase[..testCase.IndexOf('/')];
        string kind = testCase[(testCase.LastIndexOf('.') + 1)..];
        bool anthropicClient = dir == AnthropicClient;
        JsonObject parameters = Parameters(testCase);
        string inputPath = Directory.GetFiles(Path.Combine(GoldenDir, dir), Path.GetFileName(testCase) + ".in.*").Single();
        byte[] input = File.ReadAllBytes(inputPath);
        string clientModel = (string)parameters["clientModel"]!;

        string actual;
        switch (kind)
        {
            case "request":
            {
                using JsonDocument doc = JsonDocument.Parse(input);
                TranslationTarget target = Target(parameters);
                byte[] body = anthropicClient
                    ? AnthropicToOpenAIRequest.Translate(doc.RootElement, target)
                    : OpenAIToAnthropicRequest.Translate(doc.RootElement, target);
                actual = Pretty(body);
                break;
            }
            case "response":
            {
                using JsonDocument doc = JsonDocument.Parse(input);
                byte[] body = anthropicClient
                    ? OpenAIToAnthropicResponse.Translate(doc.RootElement, clientModel, out _)
                    : AnthropicToOpenAIResponse.Translate(doc.RootElement, clientModel, out _, Created);
                actual = Pretty(body);
                break;
            }
            case "error":
            {
                int status = (int)parameters["status"]!;
                actual = Pretty(ErrorFormats.FromUpstream(anthropicClient ? ApiFormat.Anthropic : ApiFormat.OpenAI, status, input));
                break;
            }
            case "stream":
            {
                IStreamTranslator translator = anthropicClient
                    ? new OpenAIToAnthropicStream(clientModel, messageId: "msg_test")
                    : new AnthropicToOpenAIStream(clientModel, (bool?)parameters["includeUsage"] ?? false, completionId: "chatcmpl-test", created: Created);
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
            Api = ((string)t["provider"]!) == "anthropic" ? ApiFormat.Anthropic : ApiFormat.OpenAI,
            MaxOutputTokens = (int?)t["maxOutputTokens"],
        };
    }

    private static readonly JsonSerializerOptions PrettyOptions = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static string Pretty(byte[] json) => JsonNode.Parse(json)!.ToJsonString(PrettyOptions) + "\n";

    private static string SourceGoldenDir([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, "Golden");

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
