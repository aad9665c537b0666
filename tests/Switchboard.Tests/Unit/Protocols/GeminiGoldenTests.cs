using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Protocols;
using Switchboard.Protocols.Gemini;

namespace Switchboard.Tests.Unit.Protocols;

/// <summary>
/// The Gemini (native) upstream matrix, laid out like <see cref="GoldenTranslationTests"/>: every
/// GeminiGolden/&lt;client&gt;-client.gemini-upstream/&lt;name&gt;.&lt;kind&gt;.in.* is a case whose expected output is the .out.*
/// file beside it. To update after a deliberate change: SWITCHBOARD_REGEN_GOLDEN=1 dotnet test --filter GeminiGolden, then
/// review the diff.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class GeminiGoldenTests
{
    private const string AnthropicClient = "anthropic-client.gemini-upstream";
    private const string OpenAIClient = "openai-client.gemini-upstream";
    private const long Created = 1700000000;
    private static readonly GoldenCases Golden = new(Path.Combine(AppContext.BaseDirectory, "TestData", "GeminiGolden"), SourceGoldenDir());
    private static string GoldenDir => Golden.GoldenDir;

    public static TheoryData<string> Cases() => Golden.Discover();

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
                actual = GoldenCases.Pretty(ProtocolTranslation.TranslateRequest(client, doc.RootElement, Target(parameters)).Body);
                break;
            }
            case "response":
            {
                using JsonDocument doc = JsonDocument.Parse(input);
                actual = GoldenCases.Pretty(anthropicClient
                    ? GeminiResponse.ToAnthropic(doc.RootElement, clientModel, out _)
                    : GeminiResponse.ToOpenAI(doc.RootElement, clientModel, out _, created: Created));
                break;
            }
            case "error":
                actual = GoldenCases.Pretty(ErrorFormats.FromUpstream(client, (int)parameters["status"]!, input));
                break;
            case "stream":
            {
                IStreamTranslator translator = anthropicClient
                    ? new GeminiToAnthropicStream(clientModel)
                    : new GeminiToOpenAIStream(clientModel, (bool?)parameters["includeUsage"] ?? false, created: Created);
                actual = await GoldenCases.PumpAsync(translator, input, parameters, anthropicClient);
                break;
            }
            default:
                throw new InvalidOperationException($"Unknown case kind '{kind}' in {testCase}");
        }

        Golden.AssertMatchesExpected(dir, testCase, kind, actual);
    }

    private static JsonObject Parameters(string testCase) => Golden.Parameters(testCase);

    private static TranslationTarget Target(JsonObject parameters) => GoldenCases.Target(parameters, ApiFormat.Gemini);

    private static string SourceGoldenDir([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, "..", "..", "TestData", "GeminiGolden");

}
