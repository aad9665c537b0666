using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Protocols.Gemini;
using Switchboard.Protocols.Translation;

namespace Switchboard.Tests.Unit.Protocols;

[Trait("Kind", "Unit")]
public sealed class SignedToolCallIdsTests
{
    private static readonly string Signed = GeminiWire.OpenAIToolId("call_r_0", Convert.ToBase64String(Enumerable.Range(0, 90).Select(i => (byte)i).ToArray()));

    [Fact]
    public void Requests_without_signed_ids_are_left_alone()
    {
        var body = """{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"call_1","content":"r"}]}"""u8.ToArray();
        Assert.False(SignedToolCallIds.MayContainSignedIds(body));
        Assert.Null(SignedToolCallIds.StripFromOpenAIRequest(body));
        // The marker in ordinary text is not an id: nothing changes, so the original bytes go.
        Assert.Null(SignedToolCallIds.StripFromOpenAIRequest("""{"messages":[{"role":"user","content":"a__ts0_b"}]}"""u8));
    }

    [Fact]
    public void Signed_ids_go_back_to_their_base_in_tool_calls_and_tool_messages_and_the_rest_is_kept()
    {
        Assert.True(Signed.Length > 40); // what OpenAI refuses
        var json = $$$"""
            {"model":"gpt-4.1","future_field":{"x":[1,2]},"messages":[
              {"role":"user","content":"run it"},
              {"role":"assistant","content":null,"tool_calls":[
                {"id":"{{{Signed}}}","type":"function","function":{"name":"run","arguments":"{\"cmd\":\"ls\"}"}},
                {"id":"call_plain","type":"function","function":{"name":"run","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"{{{Signed}}}","content":"a.txt"},
              {"role":"tool","tool_call_id":"call_plain","content":"ok"}
            ]}
            """;
        var stripped = SignedToolCallIds.StripFromOpenAIRequest(Encoding.UTF8.GetBytes(json));
        Assert.NotNull(stripped);
        var root = JsonNode.Parse(stripped)!;
        var messages = root["messages"]!.AsArray();
        Assert.Equal("call_r_0", (string?)messages[1]!["tool_calls"]![0]!["id"]);
        Assert.Equal("call_plain", (string?)messages[1]!["tool_calls"]![1]!["id"]);
        Assert.Equal("call_r_0", (string?)messages[2]!["tool_call_id"]);
        Assert.Equal("call_plain", (string?)messages[3]!["tool_call_id"]);
        Assert.Equal(2, (int)root["future_field"]!["x"]![1]!);
        Assert.Equal("{\"cmd\":\"ls\"}", (string?)messages[1]!["tool_calls"]![0]!["function"]!["arguments"]);
    }

    [Fact]
    public void A_body_with_duplicate_keys_is_left_for_the_upstream_to_report()
    {
        var json = "{\"messages\":[{\"role\":\"tool\",\"role\":\"tool\",\"tool_call_id\":\"" + Signed + "\",\"content\":\"x\"}]}";
        Assert.Null(SignedToolCallIds.StripFromOpenAIRequest(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Malformed_json_is_left_for_the_upstream_to_report()
    {
        Assert.Null(SignedToolCallIds.StripFromOpenAIRequest(Encoding.UTF8.GetBytes("{\"messages\":[{\"tool_call_id\":\"" + Signed + "\"")));
    }
}
