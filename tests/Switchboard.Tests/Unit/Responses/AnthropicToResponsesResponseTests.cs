using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.Protocols;
using Switchboard.Protocols.Responses;

namespace Switchboard.Tests.Unit.Responses;

/// <summary>
/// A whole Anthropic answer → a Responses response in one step, against the pivot it replaces (Anthropic → Chat
/// completion → Responses): the same response (its random ids and clock aside) and the same usage for the log.
/// </summary>
[Trait("Kind", "Unit")]
public sealed partial class AnthropicToResponsesResponseTests
{
    private const string Usage = "\"usage\":{\"input_tokens\":40,\"cache_read_input_tokens\":100,\"cache_creation_input_tokens\":7,\"output_tokens\":9}";

    public static TheoryData<string, string> Answers() => new()
    {
        { "text", "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\",\"content\":[{\"type\":\"text\",\"text\":\"Hello \\u00e9 \\\"there\\\"\"}],\"stop_reason\":\"end_turn\"," + Usage + "}" },
        { "thinking, text in two blocks, calls", "{\"id\":\"msg_1\",\"model\":\"claude-x\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"Let me\",\"signature\":\"sig\"},{\"type\":\"thinking\",\"thinking\":\" think.\",\"signature\":\"s2\"},{\"type\":\"text\",\"text\":\"Calling\"},{\"type\":\"text\",\"text\":\" tools.\"},"
            + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Oslo\",\"n\":1.50,\"deep\":{\"a\":[1,\"<b>\"]}}},"
            + "{\"type\":\"tool_use\",\"id\":\"toolu_2\",\"name\":\"apply_patch\",\"input\":{\"input\":\"*** Begin Patch\\n*** End Patch\"}},"
            + "{\"type\":\"tool_use\",\"id\":\"toolu_3\",\"name\":\"agents__spawn\"},"
            + "{\"type\":\"tool_use\",\"id\":\"toolu_4\",\"name\":\"apply_patch\",\"input\":{\"input\":1,\"more\":2}}],\"stop_reason\":\"tool_use\"," + Usage + "}" },
        { "cut at max_tokens", """{"id":"msg_1","model":"claude-x","content":[{"type":"text","text":"Par"}],"stop_reason":"max_tokens","usage":{"input_tokens":3,"output_tokens":5}}""" },
        { "refused", """{"id":"msg_1","model":"claude-x","content":[],"stop_reason":"refusal","usage":{"input_tokens":3}}""" },
        { "no usage, no content", """{"id":"msg_1","model":"claude-x","stop_reason":null}""" },
        { "empty text, odd blocks", """{"model":"claude-x","content":[{"type":"text","text":""},{"type":"redacted_thinking","data":"x"},{"type":"server_tool_use","id":"s","name":"web_search","input":{}},{"type":"text"},"odd",{"type":"text","text":"ok"}],"stop_reason":"pause_turn"}""" },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void Gives_what_the_pivot_gives(string name, string json)
    {
        var request = """{"model":"m","input":"x","tools":[{"type":"custom","name":"apply_patch"},{"type":"namespace","name":"agents","tools":[{"type":"function","name":"spawn"}]}]}""";
        using var requestDocument = JsonDocument.Parse(request);
        var tools = ResponsesTranslation.TranslateRequest(requestDocument.RootElement, new TranslationTarget { ModelId = "c", Provider = "anthropic", Api = ApiFormat.Anthropic }).ResponsesTools;
        Assert.NotNull(tools);
        using var document = JsonDocument.Parse(json);
        foreach (var clientModel in new[] { null, "fast" })
        {
            var direct = AnthropicToResponsesResponse.Translate(document.RootElement, clientModel, tools, out var usage);
            var pivot = ResponsesTranslation.TranslateResponseThroughChat(ApiFormat.Anthropic, document.RootElement, clientModel, out var pivotUsage, null, tools);
            Assert.Equal(Normalize(pivot), Normalize(direct));
            Assert.Equal((pivotUsage.InputTokens, pivotUsage.OutputTokens, pivotUsage.CachedInputTokens), (usage.InputTokens, usage.OutputTokens, usage.CachedInputTokens));
            Assert.Equal(Normalize(pivot), Normalize(ProtocolTranslation.TranslateResponse(ApiFormat.Responses, ApiFormat.Anthropic, document.RootElement, clientModel, out _, responsesTools: tools)));
        }
        _ = name;
    }

    [Fact]
    public void Keeps_the_cache_writes_for_the_log()
    {
        using var document = JsonDocument.Parse("{\"model\":\"claude-x\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],\"stop_reason\":\"end_turn\"," + Usage + "}");
        AnthropicToResponsesResponse.Translate(document.RootElement, null, null, out var usage);
        Assert.Equal(new TokenUsage(147, 9, 100, 7), usage);
    }

    /// <summary>The response with its random ids and its clock taken out.</summary>
    private static string Normalize(byte[] response) =>
        Ids().Replace(CreatedAt().Replace(Encoding.UTF8.GetString(response), "\"created_at\":0"), "$1_*");

    [GeneratedRegex("\\b(resp|msg|rs|fc|ctc|lsc)_[0-9a-f]{16,}")]
    private static partial Regex Ids();

    [GeneratedRegex("\"created_at\":[0-9]+")]
    private static partial Regex CreatedAt();
}
