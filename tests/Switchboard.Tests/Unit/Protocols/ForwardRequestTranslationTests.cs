using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Protocols;
using Switchboard.Protocols.Anthropic;
using Switchboard.Tests.TestKit;

namespace Switchboard.Tests.Unit.Protocols;

/// <summary>
/// The Anthropic → OpenAI forward pass (no DOM) against its reference, the DOM path: the same body where it translates,
/// the same token estimate, and a decline (never a different answer) where it does not handle the content.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class ForwardRequestTranslationTests
{
    /// <summary>Every shape the forward pass handles itself, with escapes, whitespace and the odd cases of each.</summary>
    private const string Mixed = """
        {
          "model": "claude-sonnet-4-5", "max_tokens": 64000, "stream": true, "temperature": 0.5,
          "stop_sequences": ["a", "b"], "metadata": {"user_id": "user_0123456789012345678901234567890123456789012345678901234567890123456789"},
          "thinking": {"type": "enabled", "budget_tokens": 20000}, "context_management": {"edits": []},
          "messages": [
            {"role": "user", "content": "plain \"quoted\" line\nnext \u00e9 \ud83d\ude00 é"},
            {"role": "assistant", "content": [
              {"type": "thinking", "thinking": "hmm", "signature": "sig"},
              {"type": "redacted_thinking", "data": "x"},
              {"type": "text", "text": "Let me look.", "citations": null},
              {"type": "text", "text": null},
              {"type": "tool_use", "id": "toolu_01", "name": "Bash", "input": { "command" : "ls -la \"dir\"\n",  "flags": [1, 2.5e3, true, null, {"x": "y z"}] }},
              {"type": "tool_use", "id": "toolu_02", "name": "Read", "input": {"path": "caf\u00e9/é.txt"}},
              {"type": "tool_use", "id": "toolu_03", "name": "Glob"},
              {"type": "tool_use", "id": "toolu_04", "name": "Unanswered", "input": {}},
              {"type": "tool_use", "id": "toolu_05", "name": "Write", "input": {"text": "é 漢字 — … “quotes”"}},
              {"type": "tool_use", "id": "toolu_06", "name": "Write", "input": {"text": "emoji 😀 \\ back\"slash"}}
            ]},
            {"role": "user", "content": [
              {"type": "tool_result", "tool_use_id": "toolu_01", "content": "total 0\n\tfile\\path"},
              {"type": "tool_result", "tool_use_id": "toolu_02", "is_error": true, "content": [{"type": "text", "text": "no such file"}, {"type": "text", "text": "second"}]},
              {"type": "tool_result", "tool_use_id": "toolu_03"},
              {"type": "text", "text": "<system-reminder>r</system-reminder>", "cache_control": {"type": "ephemeral"}},
              {"type": "text", "text": "and then?"},
              {"type": "thinking", "thinking": "user-side"}
            ]},
            {"role": "system", "content": [{"type": "text", "text": "mid-conversation system"}]},
            {"role": "assistant", "content": "a plain answer"},
            {"role": "user"},
            {"role": "user", "content": [{"type": "text", "text": "last"}]}
          ],
          "system": [{"type": "text", "text": "You are Claude Code."}, {"type": "text", "text": "Be brief.\n", "cache_control": {"type": "ephemeral"}}],
          "tools": [
            {"name": "Bash", "description": "Runs a \"command\".\n", "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}}},
            {"type": "custom", "name": "Read", "input_schema": { "type" : "object" }},
            {"type": "web_search_20250305", "name": "web_search", "max_uses": 5},
            {"type": "bash_20250124", "name": "bash", "input_schema": {}},
            "not a tool"
          ],
          "tool_choice": {"type": "auto", "disable_parallel_tool_use": true}
        }
        """;

    [Fact]
    public void Translates_Claude_Codes_recorded_request_as_the_DOM_path_does()
    {
        var body = File.ReadAllBytes(RepoPaths.Fixture("claude-code-2.1.330-request.json"));
        AssertSameAsDom(body, TestJson.OpenAITarget("gpt-4.1"));
        AssertSameAsDom(body, TestJson.OpenAITarget("o3", maxOutput: 1000));
    }

    [Fact]
    public void Translates_every_shape_it_handles_as_the_DOM_path_does()
    {
        var body = Encoding.UTF8.GetBytes(Mixed);
        var translated = AssertSameAsDom(body, TestJson.OpenAITarget("gpt-4.1"));
        // The things a mistake would show first: order of tool messages, arguments text, the error flag, placeholders.
        var messages = translated["messages"]!.AsArray();
        Assert.Equal("system", (string)messages[0]!["role"]!);
        Assert.Equal("You are Claude Code.\n\nBe brief.\n", (string)messages[0]!["content"]!);
        var call = messages[2]!["tool_calls"]![0]!["function"]!;
        Assert.Equal("""{"command":"ls -la \"dir\"\n","flags":[1,2.5e3,true,null,{"x":"y z"}]}""", (string)call["arguments"]!);
        Assert.Equal("Error: no such file\nsecond", (string)messages[4]!["content"]!);
        Assert.Contains(messages, m => (string?)m!["tool_call_id"] == "toolu_04");
        Assert.Equal(2, translated["tools"]!.AsArray().Count);
        Assert.Equal("auto", (string)translated["tool_choice"]!);
    }

    [Fact]
    public void Gemini_schemas_and_long_tool_names_go_as_on_the_DOM_path()
    {
        var longName = new string('t', 80);
        var body = Encoding.UTF8.GetBytes("""
            {"model":"m","max_tokens":10,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"c1","name":"LONG","input":{"a":1}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"c1","content":"ok"}]}],
             "tools":[{"name":"LONG","input_schema":{"type":"object","additionalProperties":false,"properties":{"a":{"type":"integer","format":"int32"}}}}],
             "tool_choice":{"type":"tool","name":"LONG"}}
            """.Replace("LONG", longName));
        AssertSameAsDom(body, TestJson.OpenAITarget("gemini-2.5-pro", provider: "gemini"));
        AssertSameAsDom(body, TestJson.OpenAITarget("gpt-4.1"));
    }

    [Fact]
    public void Escaped_quotes_backslash_runs_and_brackets_in_strings_go_as_on_the_DOM_path()
    {
        // What the walk's value ends rely on: a quote ends a string only after an even run of backslashes, and brackets
        // inside strings are text; each placed across a 64-byte block edge by the padding.
        for (var pad = 0; pad < 64; pad += 7)
        {
            var body = Encoding.UTF8.GetBytes("""
                {"messages":[{"content":[{"type":"text","text":"PAD"}],"role":"user"},
                 {"role":"assistant","content":[{"type":"text","text":"ends in a backslash \\"},
                   {"type":"tool_use","id":"t1","name":"Bash","input":{"command":"echo \"}]\" \\\\ \\\" [{","args":["]","}"]}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"C:\\dir\\ \"quoted]\" {"},
                   {"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"\\\\"}]}]}],
                 "tools":[{"name":"Bash","description":"Runs \"cmd\" [x] {y} \\","input_schema":{"type":"object","properties":{"command":{"type":"string","description":"a \"}\" b\\"}}}}]}
                """.Replace("PAD", new string('x', pad)));
            AssertSameAsDom(body, TestJson.OpenAITarget("gpt-4.1"));
        }
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}]}""")]
    [InlineData("""{"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":[{"type":"image","source":{"type":"url","url":"http://x"}}]}]}]}""")]
    [InlineData("""{"messages":[{"role":"assistant","content":[{"type":"server_tool_use","id":"s","name":"web_search","input":{}}]}]}""")]
    [InlineData("""{"messages":[{"content":"no role"}]}""")]
    [InlineData("""{"messages":[{"role":"user","content":"a"}],"messages":[]}""")]
    [InlineData("""{"messages":[{"role":"assistant","content":[{"type":"text","text":5}]}]}""")]
    [InlineData("""{"messages":[{"role":"user","content":[{"type":"text","text":"x","text":"y"}]}]}""")]
    [InlineData("""{"system":[{"type":"image"}],"messages":[]}""")]
    [InlineData("""{"messages":[{"role":"user","content":"\ud800 lone"}]}""")]
    [InlineData("""{"messages":[{"role":"user","content":"a"}],"tools":[{"name":"x","description":"cut \ud83d","input_schema":{"type":"object"}}]}""")]
    [InlineData("""{"messages":[{"role":"user","content":"a"}],"tools":[{"name":"x","input_schema":{"type":"object","description":"\udc00"}}]}""")]
    public void Declines_what_only_the_DOM_path_handles(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var peek = RequestPeek.Read(body);
        using var output = new PooledBufferWriter();
        Assert.False(AnthropicToOpenAIRequest.TryTranslateForward(body, peek, TestJson.OpenAITarget("gpt-4.1"), output, true, out _, out _));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Leaves_other_targets_to_the_DOM_path()
    {
        var body = Encoding.UTF8.GetBytes("""{"messages":[{"role":"user","content":"hi"}]}""");
        using var output = new PooledBufferWriter();
        var target = TestJson.OpenAITarget("gpt-5-codex") with { Api = ApiFormat.Responses };
        Assert.False(AnthropicToOpenAIRequest.TryTranslateForward(body, RequestPeek.Read(body), target, output, false, out _, out _));
    }

    [Theory]
    [InlineData("plain ascii")]
    [InlineData("line\nbreak \"quote\" back\\slash \t tab / slash")]
    [InlineData("é 漢字 😀 \u0001 \u007f")]
    [InlineData("")]
    public void Counts_a_strings_UTF16_length_without_decoding_it(string text)
    {
        foreach (var options in new[] { new JsonSerializerOptions(), new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping } })
        {
            var token = JsonSerializer.SerializeToUtf8Bytes(text, options);
            Assert.Equal(text.Length, TokenEstimator.EscapedUtf16Length(token.AsSpan(1, token.Length - 2)));
        }
    }

    /// <summary>Forward pass and DOM path on the same body: equal JSON, equal estimates; returns the translation.</summary>
    private static JsonNode AssertSameAsDom(byte[] body, TranslationTarget target)
    {
        var peek = RequestPeek.Read(body);
        using var forward = new PooledBufferWriter();
        Assert.True(AnthropicToOpenAIRequest.TryTranslateForward(body, peek, target, forward, true, out var forwardNames, out var estimate),
            "the forward pass declined");
        using var document = JsonDocument.Parse(body);
        using var dom = new PooledBufferWriter();
        var domNames = AnthropicToOpenAIRequest.TranslateWithDom(document.RootElement, target, dom);
        var expected = JsonNode.Parse(dom.WrittenSpan.ToArray())!;
        var actual = JsonNode.Parse(forward.WrittenSpan.ToArray())!;
        Assert.True(JsonNode.DeepEquals(expected, actual), $"forward:\n{actual.ToJsonString()}\n\nDOM:\n{expected.ToJsonString()}");
        Assert.Equal(CountTokensEstimator.EstimateAnthropicRequest(document.RootElement), estimate);
        Assert.Equal(domNames is null, forwardNames is null);
        // Without the peek's ranges (the JsonElement entry), the same again.
        using var unhinted = new PooledBufferWriter();
        Assert.True(AnthropicToOpenAIRequest.TryTranslateForward(body, default, target, unhinted, false, out _, out _));
        Assert.True(unhinted.WrittenSpan.SequenceEqual(forward.WrittenSpan));
        return actual;
    }
}
