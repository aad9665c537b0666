using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Protocols;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.OpenAIChat;

namespace Switchboard.Tests.Unit.Protocols;

/// <summary>
/// The translation matrix: every Golden/&lt;client&gt;-client.&lt;upstream&gt;-upstream/&lt;name&gt;.&lt;kind&gt;.in.* file is a case
/// (kind: request, response, stream, error) whose expected output is the .out.* file beside it. JSON compares
/// semantically; SSE compares event by event. Ids and timestamps are pinned through the translators' parameters.
/// To update expectations after a deliberate change: SWITCHBOARD_REGEN_GOLDEN=1 dotnet test …, then review the diff.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class GoldenTranslationTests
{
    private const string AnthropicClient = "anthropic-client.openai-upstream";
    private const long Created = 1700000000;
    private static readonly GoldenCases Golden = new(Path.Combine(AppContext.BaseDirectory, "TestData", "Golden"), SourceGoldenDir());
    private static string GoldenDir => Golden.GoldenDir;

    public static TheoryData<string> Cases() => Golden.Discover();

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
                actual = GoldenCases.Pretty(body);
                break;
            }
            case "response":
            {
                using JsonDocument doc = JsonDocument.Parse(input);
                byte[] body = anthropicClient
                    ? OpenAIToAnthropicResponse.Translate(doc.RootElement, clientModel, out _)
                    : AnthropicToOpenAIResponse.Translate(doc.RootElement, clientModel, out _, Created);
                actual = GoldenCases.Pretty(body);
                break;
            }
            case "error":
            {
                int status = (int)parameters["status"]!;
                actual = GoldenCases.Pretty(ErrorFormats.FromUpstream(anthropicClient ? ApiFormat.Anthropic : ApiFormat.OpenAI, status, input));
                break;
            }
            case "stream":
            {
                IStreamTranslator translator = anthropicClient
                    ? new OpenAIToAnthropicStream(clientModel, messageId: "msg_test")
                    : new AnthropicToOpenAIStream(clientModel, (bool?)parameters["includeUsage"] ?? false, completionId: "chatcmpl-test", created: Created);
                actual = await GoldenCases.PumpAsync(translator, input, parameters, anthropicClient);
                break;
            }
            default:
                throw new InvalidOperationException($"Unknown case kind '{kind}' in {testCase}");
        }

        Golden.AssertMatchesExpected(dir, testCase, kind, actual);
    }

    private static JsonObject Parameters(string testCase) => Golden.Parameters(testCase);

    private static TranslationTarget Target(JsonObject parameters) => GoldenCases.Target(parameters, ((string)parameters["target"]!["provider"]!) == "anthropic" ? ApiFormat.Anthropic : ApiFormat.OpenAI);

    private static string SourceGoldenDir([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, "..", "..", "TestData", "Golden");

}
