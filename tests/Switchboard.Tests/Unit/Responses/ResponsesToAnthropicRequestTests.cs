using System.Buffers;
using System.Text;
using System.Text.Json;
using Switchboard.Protocols;
using Switchboard.Protocols.Responses;

namespace Switchboard.Tests.Unit.Responses;

/// <summary>
/// The one-step Responses → Anthropic request translation against the pivot it replaces (Responses → Chat → Anthropic):
/// for every shape it takes, the same bytes, the same tool map and the same dropped tools; the shapes it does not take
/// are declined (the pivot then answers, with its own errors).
/// </summary>
[Trait("Kind", "Unit")]
public sealed class ResponsesToAnthropicRequestTests
{
    private const string Tools = """
        "tools":[{"type":"function","name":"get_weather","description":"Weather \u00e9 \"now\".","parameters":{"type":"object","properties":{"city":{"type":"string","description":"<b>&</b>"}},"required":["city"]},"strict":true},
                 {"type":"function","name":"no_params","description":""},
                 {"type":"custom","name":"apply_patch","description":"Edit files.","format":{"type":"grammar","syntax":"lark","definition":"start: x"}},
                 {"type":"custom","name":"plain"},
                 {"type":"namespace","name":"agents","tools":[{"type":"function","name":"spawn","parameters":{"type":"object","properties":{}}}]},
                 {"type":"web_search"},{"type":"file_search"}]
        """;

    private const string Conversation = """
        "input":[
          {"type":"message","role":"developer","content":[{"type":"input_text","text":"Use tools."}]},
          {"type":"message","role":"user","content":[{"type":"input_text","text":"Weather?"},{"type":"input_text","text":"  "},{"type":"text","text":"In Oslo \ud83d\ude00"}]},
          {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"gAAAA"},
          {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Let me "},{"type":"refusal","refusal":"check."}]},
          {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\"city\": \"Oslo\", \"n\": 1.50}"},
          {"type":"custom_tool_call","call_id":"call.2","name":"apply_patch","input":"*** Begin Patch\n\u00e9 \"x\"\n*** End Patch"},
          {"type":"function_call","call_id":"call_3","name":"spawn","namespace":"agents","arguments":"not json"},
          {"type":"function_call","call_id":"call_4","name":"get_weather","arguments":{"city":"Bergen"}},
          {"type":"function_call","call_id":"call_5","name":"get_weather","arguments":"[1]"},
          {"type":"function_call","call_id":"call_6","name":"get_weather","arguments":"  "},
          {"type":"function_call","call_id":"call_7","name":"get_weather"},
          {"type":"function_call_output","call_id":"call_1","output":"cold"},
          {"type":"custom_tool_call_output","call_id":"call.2","output":[{"type":"input_text","text":"Done"},{"type":"input_text","text":"twice"}]},
          {"type":"function_call_output","call_id":"call_3","output":{"content":"spawned","success":true}},
          {"type":"function_call_output","call_id":"call_4","output":{"other":1}},
          {"type":"function_call_output","call_id":"call_5","output":null},
          {"type":"function_call_output","call_id":"call_99","output":42},
          {"type":"message","role":"user","content":"And tomorrow?"},
          {"role":"assistant","content":"   "},
          {"type":"message","role":"system","content":"Mid-conversation rule."},
          {"type":"message","role":"assistant","content":"Sure."},
          {"type":"message","role":"assistant"},
          {"type":"function_call","call_id":"call_8","name":"get_weather","arguments":"{}"},
          {"type":"message","role":"user","content":[{"type":"input_text","text":"thanks"}]},
          {"type":"function_call_output","id":"call_8","output":"late"},
          {"type":"message","role":"assistant","content":"Bye."}]
        """;

    public static TheoryData<string, string> Taken() => new()
    {
        { "text only", """{"model":"m","instructions":"Be brief.","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"Hi"}]},{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Hello"}]},{"type":"message","role":"user","content":[{"type":"input_text","text":"More"}]}],"max_output_tokens":1024,"temperature":0.2,"store":false}""" },
        { "input as a string", """{"model":"m","input":"Hi","stream":true,"temperature":1.7,"top_p":0.5,"user":"u1"}""" },
        { "empty instructions, whitespace input", """{"model":"m","instructions":"","input":"   ","safety_identifier":"s1","user":"u1"}""" },
        { "the whole conversation, tools", "{\"model\":\"m\",\"instructions\":\"Be brief.\",\"max_output_tokens\":900000," + Tools + "," + Conversation + "}" },
        { "tool_choice auto, parallel off", "{\"model\":\"m\",\"tool_choice\":\"auto\",\"parallel_tool_calls\":false," + Tools + ",\"input\":\"x\"}" },
        { "tool_choice required", "{\"model\":\"m\",\"tool_choice\":\"required\"," + Tools + ",\"input\":\"x\",\"reasoning\":{\"effort\":\"high\"}}" },
        { "tool_choice none, parallel off", "{\"model\":\"m\",\"tool_choice\":\"none\",\"parallel_tool_calls\":false," + Tools + ",\"input\":\"x\"}" },
        { "tool_choice unknown string", "{\"model\":\"m\",\"tool_choice\":\"sometimes\"," + Tools + ",\"input\":\"x\"}" },
        { "tool_choice a function", "{\"model\":\"m\",\"tool_choice\":{\"type\":\"function\",\"name\":\"spawn\",\"namespace\":\"agents\"},\"parallel_tool_calls\":false," + Tools + ",\"input\":\"x\",\"reasoning\":{\"effort\":\"low\"}}" },
        { "tool_choice a custom tool", "{\"model\":\"m\",\"tool_choice\":{\"type\":\"custom\",\"name\":\"apply_patch\"}," + Tools + ",\"input\":\"x\"}" },
        { "tool_choice allowed_tools", "{\"model\":\"m\",\"tool_choice\":{\"type\":\"allowed_tools\",\"mode\":\"required\",\"tools\":[]}," + Tools + ",\"input\":\"x\"}" },
        { "tool_choice without tools", """{"model":"m","tool_choice":"required","parallel_tool_calls":false,"input":"x"}""" },
        { "only hosted tools", """{"model":"m","tools":[{"type":"web_search"}],"tool_choice":"auto","input":"x"}""" },
        { "reasoning minimal", """{"model":"m","reasoning":{"effort":"minimal","summary":"auto"},"input":"x","temperature":0.3}""" },
        { "reasoning xhigh within a small max", """{"model":"m","reasoning":{"effort":"xhigh"},"max_output_tokens":1500,"input":"x"}""" },
        { "reasoning too big for max", """{"model":"m","reasoning":{"effort":"medium"},"max_output_tokens":1024,"input":"x","temperature":0.3}""" },
        { "reasoning none", """{"model":"m","reasoning":{"effort":"none"},"input":"x","temperature":0.3}""" },
        { "reasoning odd", """{"model":"m","reasoning":{"effort":"turbo"},"input":"x"}""" },
        { "text format dropped", """{"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"r","schema":{"type":"object"}}}}""" },
        { "blank and escaped texts", "{\"model\":\"m\",\"instructions\":\"Line 1\\nLine 2 \\\"q\\\" é ✓ 😀\",\"input\":[{\"role\":\"user\",\"content\":\" \\n\\t\\r\\f \"},{\"role\":\"user\",\"content\":\"\u00a0\u2003\"},"
            + "{\"role\":\"user\",\"content\":\"\\u00a0\"},{\"role\":\"user\",\"content\":\" \\b \"},{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\" \\\" \"},{\"type\":\"input_text\",\"text\":\"é\\\\path\\/x\"},{\"type\":\"input_text\",\"text\":7}]},"
            + "{\"role\":\"developer\",\"content\":\"\"},{\"role\":\"system\",\"content\":\"\\u00e9t\\u00e9\"},"
            + "{\"type\":\"function_call\",\"call_id\":\"a\",\"name\":\"f\",\"arguments\":\"{}\"},{\"type\":\"function_call_output\",\"call_id\":\"a\",\"output\":\"tab\\there ✓\\n\"},"
            + "{\"type\":\"function_call_output\",\"call_id\":\"zz\",\"output\":\"orphan \\\"x\\\" é\"}]}" },
        { "assistant pieces joined", """{"model":"m","input":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"output_text","text":"Hello "}]},{"role":"assistant","content":"world \u00e9"},{"role":"assistant","content":[{"type":"refusal","refusal":"!"}]},{"type":"function_call","call_id":"a","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"a","output":"ok"},{"role":"assistant","content":[{"type":"refusal","refusal":" "}]},{"role":"developer","content":[{"type":"input_text","text":"Rule \"one\""}]},{"role":"developer","content":[{"type":"input_text","text":7}]},{"role":"assistant","content":[{"type":"output_text","text":"Solo"}]}]}""" },
        { "a tool output first", """{"model":"m","input":[{"type":"function_call_output","call_id":"c1","output":"orphan"},{"role":"user","content":"hi"}]}""" },
        { "calls left unanswered", """{"model":"m","input":[{"role":"user","content":"hi"},{"type":"function_call","call_id":"a","name":"f","arguments":"{}"},{"type":"function_call","call_id":"b","name":"g","arguments":"{}"},{"type":"function_call","call_id":"c","name":"h","arguments":"{}"},{"type":"function_call_output","call_id":"b","output":"ok"},{"role":"user","content":"next"}]}""" },
        { "calls at the end", """{"model":"m","input":[{"role":"user","content":"hi"},{"type":"function_call","call_id":"a","name":"f","arguments":"{\"x\":[1,2,{\"y\":null}]}"}]}""" },
        { "the Codex fixture", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "Fixtures", "codex-0.171.0-request.json")) },
    };

    [Theory]
    [MemberData(nameof(Taken))]
    public void Gives_what_the_pivot_gives(string name, string json)
    {
        foreach (var cap in new int?[] { null, 100 })
        {
            var target = new TranslationTarget { ModelId = "claude-x", Provider = "anthropic", Api = ApiFormat.Anthropic, MaxOutputTokens = cap };
            using var document = JsonDocument.Parse(json);
            var output = new ArrayBufferWriter<byte>();
            Assert.True(ResponsesToAnthropicRequest.TryTranslate(document.RootElement, target, output, out var tools, out var dropped), $"{name}: declined");
            var pivot = ResponsesTranslation.TranslateThroughChat(document.RootElement, target);
            Assert.Equal(Encoding.UTF8.GetString(pivot.Body), Encoding.UTF8.GetString(output.WrittenSpan));
            Assert.Equal(pivot.DroppedTools, dropped);
            Assert.Equal(Describe(pivot.ResponsesTools), Describe(tools));
            // The entry point the gateway and the other translators use takes the same step.
            Assert.Equal(pivot.Body, ProtocolTranslation.TranslateRequest(ApiFormat.Responses, document.RootElement, target).Body);
        }
    }

    public static TheoryData<string, string> Declined() => new()
    {
        { "an image", """{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"see"},{"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="}]}]}""" },
        { "a file", """{"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_data":"data:application/pdf;base64,JVBE","filename":"a.pdf"}]}]}""" },
        { "an image in a tool output", """{"model":"m","input":[{"type":"function_call","call_id":"a","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"a","output":[{"type":"input_image","image_url":"https://x/y.png"}]}]}""" },
        { "a local shell tool", """{"model":"m","tools":[{"type":"local_shell"}],"input":"x"}""" },
        { "a local shell call", """{"model":"m","input":[{"type":"local_shell_call","call_id":"a","action":{"type":"exec","command":["ls"]}}]}""" },
        { "an item reference", """{"model":"m","input":[{"type":"item_reference","id":"msg_1"}]}""" },
        { "an unknown role", """{"model":"m","input":[{"type":"message","role":"critic","content":"x"}]}""" },
        { "tool_choice a function without a name", "{\"model\":\"m\",\"tool_choice\":{\"type\":\"function\"}," + Tools + ",\"input\":\"x\"}" },
        { "a hosted tool demanded", """{"model":"m","tools":[{"type":"web_search"}],"tool_choice":{"type":"web_search"},"input":"x"}""" },
        { "a call without its id", """{"model":"m","input":[{"type":"function_call","name":"f","arguments":"{}"}]}""" },
        { "no input", """{"model":"m"}""" },
        { "a user message without content", """{"model":"m","input":[{"type":"message","role":"user"}]}""" },
    };

    [Theory]
    [MemberData(nameof(Declined))]
    public void Declines_what_it_does_not_handle(string name, string json)
    {
        var target = new TranslationTarget { ModelId = "claude-x", Provider = "anthropic", Api = ApiFormat.Anthropic };
        using var document = JsonDocument.Parse(json);
        var output = new ArrayBufferWriter<byte>();
        Assert.False(ResponsesToAnthropicRequest.TryTranslate(document.RootElement, target, output, out _, out _), $"{name}: taken");
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData("""{"model":"m","input":"lone \ud800 surrogate"}""")]
    [InlineData("""{"model":"m","input":[{"type":"function_call","call_id":"a","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"a","output":"\udc00"}]}""")]
    [InlineData("""{"model":"m","instructions":"x\ud800","input":"y"}""")]
    public void Refuses_a_lone_surrogate_as_the_pivot_does(string json)
    {
        var target = new TranslationTarget { ModelId = "claude-x", Provider = "anthropic", Api = ApiFormat.Anthropic };
        using var document = JsonDocument.Parse(json);
        var pivot = Record.Exception(() => ResponsesTranslation.TranslateThroughChat(document.RootElement, target));
        var direct = Record.Exception(() => ResponsesToAnthropicRequest.TryTranslate(document.RootElement, target, new ArrayBufferWriter<byte>(), out _, out _));
        Assert.NotNull(pivot);
        Assert.Equal(pivot.GetType(), direct?.GetType());
    }

    private static string Describe(ResponsesToolMap? map)
    {
        if (map is null) return "";
        var names = new[] { "get_weather", "no_params", "apply_patch", "plain", "agents__spawn", "local_shell", "other" };
        return string.Join(";", names.Select(n => ResponsesToolMap.Lookup(map, n)).Select(t => $"{t.Kind}:{t.Name}:{t.Namespace}"));
    }
}
