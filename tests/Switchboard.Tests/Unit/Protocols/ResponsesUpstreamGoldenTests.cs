using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Protocols;

namespace Switchboard.Tests.Unit.Protocols;

/// <summary>
/// The OpenAI Responses upstream matrix, laid out like <see cref="GoldenTranslationTests"/>: every
/// ResponsesGolden/&lt;client&gt;-client.responses-upstream/&lt;name&gt;.&lt;kind&gt;.in.* is a case whose expected output is the
/// .out.* file beside it, translated through <see cref="ProtocolTranslation"/> as the gateway does (Anthropic clients
/// through the Chat pivot). Streams are fed to the translator one byte at a time. To update after a deliberate change:
/// SWITCHBOARD_REGEN_GOLDEN=1 dotnet test --filter ResponsesUpstreamGolden, then review the diff.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class ResponsesUpstreamGoldenTests
{
    private const string AnthropicClient = "anthropic-client.responses-upstream";
    private const string OpenAIClient = "openai-client.responses-upstream";
    private static readonly GoldenCases Golden = new(Path.Combine(AppContext.BaseDirectory, "TestData", "ResponsesGolden"), SourceGoldenDir());

    public static TheoryData<string> Cases() => Golden.Discover();

    [Fact]
    public void Matrix_covers_both_clients_and_every_kind()
    {
        var cases = ((IEnumerable<object[]>)Cases()).Select(row => (string)row[0]).ToList();
        foreach (string dir in new[] { AnthropicClient, OpenAIClient })
        {
            foreach (string c in new[] { "text.response", "tool.response", "incomplete.response", "text.stream", "tool.stream",
                         "truncated.stream", "failed.stream", "error-event.stream", "incomplete.stream", "invalid-request.error", "text.request" })
            {
                Assert.Contains($"{dir}/{c}", cases);
            }
        }
        Assert.Contains($"{OpenAIClient}/tools.request", cases);
        Assert.Contains($"{AnthropicClient}/thinking.request", cases);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Responses_golden_case_translates_as_expected(string testCase)
    {
        string dir = testCase[..testCase.IndexOf('/')];
        string kind = testCase[(testCase.LastIndexOf('.') + 1)..];
        bool anthropicClient = dir == AnthropicClient;
        ApiFormat client = anthropicClient ? ApiFormat.Anthropic : ApiFormat.OpenAI;
        JsonObject parameters = Golden.Parameters(testCase);
        byte[] input = Golden.Input(dir, testCase);
        string clientModel = (string)parameters["clientModel"]!;

        string actual;
        switch (kind)
        {
            case "request":
            {
                using JsonDocument doc = JsonDocument.Parse(input);
                actual = GoldenCases.Pretty(ProtocolTranslation.TranslateRequest(client, doc.RootElement, Target(parameters)).Body);
                break;
            }
            case "response":
            {
                using JsonDocument doc = JsonDocument.Parse(input);
                actual = GoldenCases.Pretty(ProtocolTranslation.TranslateResponse(client, ApiFormat.Responses, doc.RootElement, clientModel, out _));
                break;
            }
            case "error":
            {
                var error = ErrorFormats.ForClient(client, ApiFormat.Responses, (int)parameters["status"]!, input);
                Assert.Equal((int)parameters["status"]!, error.Status);
                actual = GoldenCases.Pretty(error.Body);
                break;
            }
            case "stream":
            {
                IStreamTranslator translator = ProtocolTranslation.CreateStreamTranslator(client, ApiFormat.Responses, clientModel,
                    (bool?)parameters["includeUsage"] ?? false);
                actual = await PumpOneByteAtATimeAsync(translator, input, parameters, anthropicClient);
                break;
            }
            default:
                throw new InvalidOperationException($"Unknown case kind '{kind}' in {testCase}");
        }

        Golden.AssertMatchesExpected(dir, testCase, kind, Normalize(actual, kind));
    }

    /// <summary>The upstream's bytes one at a time (every SSE line and JSON value split at every point), through the gateway's pump.</summary>
    private static async Task<string> PumpOneByteAtATimeAsync(IStreamTranslator translator, byte[] input, JsonObject parameters, bool anthropicClient)
    {
        var output = new MemoryStream();
        SsePumpResult result = await SseEventPump.PumpAsync(new OneByteStream(input), translator,
            (bytes, _) => { output.Write(bytes.Span); return ValueTask.CompletedTask; }, CancellationToken.None);
        bool truncated = (bool?)parameters["upstreamTruncated"] ?? false;
        Assert.Equal(truncated ? SsePumpOutcome.Truncated : SsePumpOutcome.Completed, result.Outcome);
        string actual = Encoding.UTF8.GetString(output.ToArray());
        List<SseEvent> events = SseText.Parse(actual);
        if (anthropicClient) AnthropicStreamValidator.Validate(events);
        else OpenAIStreamValidator.Validate(events);
        return actual;
    }

    /// <summary>Ids and times the translators make up (random message ids, now) are pinned so outputs compare.</summary>
    private static string Normalize(string text, string kind)
    {
        text = System.Text.RegularExpressions.Regex.Replace(text, "\"(msg|toolu)_[A-Za-z0-9]{24}\"", "\"$1_RANDOM\"");
        return kind == "stream" ? System.Text.RegularExpressions.Regex.Replace(text, "\"created\":\\d+", "\"created\":0") : text;
    }

    private static TranslationTarget Target(JsonObject parameters) => GoldenCases.Target(parameters, ApiFormat.Responses);

    private static string SourceGoldenDir([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, "..", "..", "TestData", "ResponsesGolden");

    /// <summary>Returns at most one byte per read.</summary>
    private sealed class OneByteStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1)]);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer, offset, count));
    }
}
