using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Protocols.Anthropic;

namespace Switchboard.Tests.Unit.Protocols;

[Trait("Kind", "Unit")]
public sealed class UnsignedThinkingTests
{
    [Fact]
    public void Requests_without_unsigned_thinking_are_left_alone()
    {
        byte[] body = """{"model":"m","messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"EqQB"}]}]}"""u8.ToArray();
        Assert.Null(UnsignedThinking.StripFromAnthropicRequest(body));
    }

    [Fact]
    public void Unsigned_thinking_is_removed_and_thinking_is_disabled_when_the_last_turn_lost_it()
    {
        string json = """
            {"model":"m","max_tokens":1000,"thinking":{"type":"enabled","budget_tokens":500},"context_management":{"x":1},
             "messages":[
              {"role":"user","content":"q"},
              {"role":"assistant","content":[{"type":"thinking","thinking":"from deepseek","signature":""},{"type":"tool_use","id":"t1","name":"f","input":{}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"r"}]}
            ]}
            """;
        byte[]? stripped = UnsignedThinking.StripFromAnthropicRequest(Encoding.UTF8.GetBytes(json));
        Assert.NotNull(stripped);
        JsonNode body = JsonNode.Parse(stripped)!;
        Assert.DoesNotContain("from deepseek", body.ToJsonString());
        Assert.Null(body["thinking"]);
        Assert.NotNull(body["context_management"]); // unknown fields survive
        Assert.Equal("tool_use", (string?)body["messages"]![1]!["content"]![0]!["type"]);
    }

    [Fact]
    public void Signed_thinking_in_the_last_turn_keeps_thinking_enabled()
    {
        string json = """
            {"thinking":{"type":"enabled","budget_tokens":500},"messages":[
              {"role":"assistant","content":[{"type":"thinking","thinking":"old","signature": ""},{"type":"text","text":"a"}]},
              {"role":"user","content":"q"},
              {"role":"assistant","content":[{"type":"thinking","thinking":"new","signature":"EqQB"},{"type":"text","text":"b"}]}
            ]}
            """;
        JsonNode body = JsonNode.Parse(UnsignedThinking.StripFromAnthropicRequest(Encoding.UTF8.GetBytes(json))!)!;
        Assert.NotNull(body["thinking"]);
        Assert.Single(body["messages"]![0]!["content"]!.AsArray());
        Assert.Equal(2, body["messages"]![2]!["content"]!.AsArray().Count);
    }

    /// <summary>
    /// The marker scan reads each <c>signature</c> member's value start (one search for the members, not one pass per
    /// marker): every foreign signature is seen, with any whitespace around the colon; a real one, a signature named in
    /// text or a tool schema's <c>signature</c> property is not.
    /// </summary>
    [Theory]
    [InlineData("""{"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":""}]}]}""", true)]
    [InlineData("""{"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature": ""}]}]}""", true)]
    [InlineData("""{"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature" :	""}]}]}""", true)]
    [InlineData("""{"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"gemini:abc"}]}]}""", true)]
    [InlineData("""{"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature": "openai-responses:rs_1:gAAA"}]}]}""", true)]
    [InlineData("""{"tools":[{"name":"sign","input_schema":{"properties":{"signature":{"type":"string"}}}}],"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"EqQB"},{"type":"thinking","thinking":"u","signature":"gemini:x"}]}]}""", true)]
    [InlineData("""{"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"EqQBgemini:"}]}]}""", false)]
    [InlineData("""{"messages":[{"role":"user","content":"the \"signature\" field, \"gemini:\""}]}""", false)]
    [InlineData("""{"tools":[{"name":"sign","input_schema":{"properties":{"signature":{"type":"string"}}}}],"messages":[]}""", false)]
    [InlineData("""{"messages":[{"role":"assistant","content":[{"type":"thinking","signature":""", false)]
    public void The_marker_scan_reads_each_signature_values_start(string json, bool foreign) =>
        Assert.Equal(foreign, UnsignedThinking.MayContainForeignThinking(Encoding.UTF8.GetBytes(json)));
}
