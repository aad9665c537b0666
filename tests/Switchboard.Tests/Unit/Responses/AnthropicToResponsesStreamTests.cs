using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Switchboard.Protocols;
using Switchboard.Protocols.Responses;

namespace Switchboard.Tests.Unit.Responses;

/// <summary>
/// An Anthropic stream → Responses events in one step, against the chain it replaces (Anthropic → Chat chunks →
/// Responses events): the same events (random ids and clock aside), the same ending and the same usage, with the
/// events named by their SSE event: lines and with data-only frames.
/// </summary>
[Trait("Kind", "Unit")]
public sealed partial class AnthropicToResponsesStreamTests
{
    private const string Start = """{"type":"message_start","message":{"id":"msg_s","type":"message","role":"assistant","model":"c","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":40,"cache_read_input_tokens":5,"cache_creation_input_tokens":3,"output_tokens":1}}}""";

    private static readonly string[] Thinking =
    [
        """{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}""",
        """{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Hmm \"quoted\" \u00e9"}}""",
        """{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig"}}""",
        """{"type":"content_block_stop","index":0}""",
    ];

    private static readonly string[] Text =
    [
        """{"type":"content_block_start","index":1,"content_block":{"type":"text","text":"Pre\tface "}}""",
        """{"type":"ping"}""",
        """{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Patching \u00e9\u2713 \\n"}}""",
        """{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":""}}""",
        """{"type":"content_block_delta","index":1,"delta":{"type":"citations_delta","citation":{}}}""",
        """{"type":"content_block_stop","index":1}""",
    ];

    private static readonly string[] Calls =
    [
        """{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}""",
        """{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}""",
        """{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":" \"Oslo\\u00e9\"}"}}""",
        """{"type":"content_block_stop","index":2}""",
        """{"type":"content_block_start","index":3,"content_block":{"type":"server_tool_use","id":"srv","name":"web_search","input":{}}}""",
        """{"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{}"}}""",
        """{"type":"content_block_stop","index":3}""",
        """{"type":"content_block_start","index":4,"content_block":{"type":"tool_use","id":"toolu_2","name":"apply_patch","input":{}}}""",
        """{"type":"content_block_delta","index":4,"delta":{"type":"input_json_delta","partial_json":"{\"input\":\"*** Begin Patch\\n\"}"}}""",
        """{"type":"content_block_stop","index":4}""",
        """{"type":"content_block_start","index":5,"content_block":{"type":"tool_use","id":"toolu_3","name":"agents__spawn","input":{}}}""",
        """{"type":"content_block_stop","index":5}""",
    ];

    private const string Delta = """{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":9}}""";
    private const string Stop = """{"type":"message_stop"}""";

    public static TheoryData<string, string[], bool> Streams() => new()
    {
        { "text", [Start, .. Text, """{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":3}}""", Stop], true },
        { "thinking, text, calls", [Start, .. Thinking, .. Text, .. Calls, Delta, Stop], true },
        { "cut at max_tokens", [Start, .. Text, """{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":3}}""", Stop], true },
        { "refused, no usage", ["""{"type":"message_start","message":{"id":"m","content":[]}}""", """{"type":"message_delta","delta":{"stop_reason":"refusal"}}""", Stop], true },
        { "an error event", [Start, .. Text, """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", Stop], true },
        { "truncated", [Start, .. Thinking, .. Calls[..2]], false },
        { "a malformed event skipped", [Start, """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}""", .. Text, Delta, Stop], true },
    };

    [Theory]
    [MemberData(nameof(Streams))]
    public void Gives_what_the_chain_gives(string name, string[] events, bool whole)
    {
        var request = """{"model":"m","input":"x","tools":[{"type":"custom","name":"apply_patch"},{"type":"namespace","name":"agents","tools":[{"type":"function","name":"spawn"}]}]}""";
        using var document = System.Text.Json.JsonDocument.Parse(request);
        var tools = ResponsesTranslation.TranslateRequest(document.RootElement, new TranslationTarget { ModelId = "c", Provider = "anthropic", Api = ApiFormat.Anthropic }).ResponsesTools;
        foreach (var named in new[] { true, false })
        {
            var chained = ResponsesTranslation.CreateChainedStreamTranslator(ApiFormat.Anthropic, "fast", null, tools);
            var direct = ProtocolTranslation.CreateStreamTranslator(ApiFormat.Responses, ApiFormat.Anthropic, "fast", responsesTools: tools);
            Assert.IsType<AnthropicToResponsesStream>(ProtocolTranslation.Unwrap(direct));
            var (chainedOutput, chainedWhole) = Run(chained, events, named);
            var (directOutput, directWhole) = Run(direct, events, named);
            Assert.Equal(Normalize(chainedOutput), Normalize(directOutput));
            Assert.Equal(whole, chainedWhole);
            Assert.Equal(chainedWhole, directWhole);
            Assert.Equal((chained.Usage.InputTokens, chained.Usage.OutputTokens, chained.Usage.CachedInputTokens), (direct.Usage.InputTokens, direct.Usage.OutputTokens, direct.Usage.CachedInputTokens));
            Assert.NotNull(ResponsesTranslation.EventsOf(direct));
            Assert.Equal(ResponsesTranslation.EventsOf(chained)!.Items.Count, ResponsesTranslation.EventsOf(direct)!.Items.Count);
        }
        _ = name;
    }

    [Fact]
    public void Reports_the_cache_writes_beside_the_response_usage()
    {
        var direct = ProtocolTranslation.CreateStreamTranslator(ApiFormat.Responses, ApiFormat.Anthropic, "fast");
        Run(direct, [Start, .. Text, Delta, Stop], named: true);
        Assert.Equal(new TokenUsage(48, 9, 5, 3), direct.Usage);
    }

    [Fact]
    public void A_break_mid_stream_ends_in_response_failed_once()
    {
        var direct = ProtocolTranslation.CreateStreamTranslator(ApiFormat.Responses, ApiFormat.Anthropic, "fast");
        var output = new ArrayBufferWriter<byte>();
        direct.OnEvent("message_start", Encoding.UTF8.GetBytes(Start), output);
        direct.OnFailed("connection reset", output);
        Assert.False(direct.OnCompleted(output));
        var text = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.Single(Regex.Matches(text, "event: response.failed"));
        Assert.Contains("connection reset", text);
    }

    private static (string Output, bool Whole) Run(IStreamTranslator translator, string[] events, bool named)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var data in events)
        {
            var type = named ? Regex.Match(data, "\"type\":\"([a-z_]+)\"").Groups[1].Value : null;
            translator.OnEvent(type, Encoding.UTF8.GetBytes(data), output);
        }
        var whole = translator.OnCompleted(output);
        return (Encoding.UTF8.GetString(output.WrittenSpan), whole);
    }

    private static string Normalize(string events) =>
        Ids().Replace(CreatedAt().Replace(events, "\"created_at\":0"), "$1_*");

    [GeneratedRegex("\\b(resp|msg|rs|fc|ctc|lsc)_[0-9a-f]{16,}")]
    private static partial Regex Ids();

    [GeneratedRegex("\"created_at\":[0-9]+")]
    private static partial Regex CreatedAt();
}
