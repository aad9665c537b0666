using System.Text.Json.Nodes;
using Switchboard.Protocols;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.OpenAIChat;

using static Switchboard.Tests.TestKit.TestJson;

namespace Switchboard.Tests.Unit.Protocols;

[Trait("Kind", "Unit")]
public sealed class AnthropicToOpenAIRequestTests
{
    private const string Tools = """
        "tools": [{ "name": "Bash", "input_schema": { "type": "object", "properties": {} } }]
        """;

    private static JsonNode Translate(string json, TranslationTarget? target = null) =>
        Run(AnthropicToOpenAIRequest.Translate, json, target ?? OpenAITarget("gpt-4.1"));

    [Theory]
    [InlineData("""{ "type": "auto" }""", "\"auto\"")]
    [InlineData("""{ "type": "any" }""", "\"required\"")]
    [InlineData("""{ "type": "none" }""", "\"none\"")]
    [InlineData("""{ "type": "tool", "name": "Bash" }""", """{"type":"function","function":{"name":"Bash"}}""")]
    public void Tool_choice_maps_to_OpenAI(string anthropicChoice, string expected)
    {
        JsonNode body = Translate($$"""{ "max_tokens": 10, {{Tools}}, "tool_choice": {{anthropicChoice}}, "messages": [] }""");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), body["tool_choice"]), body.ToJsonString());
        Assert.Null(body["parallel_tool_calls"]);
    }

    [Fact]
    public void Disable_parallel_tool_use_maps_to_parallel_tool_calls_false()
    {
        JsonNode body = Translate($$"""{ "max_tokens": 10, {{Tools}}, "tool_choice": { "type": "auto", "disable_parallel_tool_use": true }, "messages": [] }""");
        Assert.False((bool)body["parallel_tool_calls"]!);
    }

    [Fact]
    public void Tool_choice_without_usable_tools_is_not_sent()
    {
        JsonNode body = Translate("""{ "max_tokens": 10, "tools": [{ "type": "web_search_20250305", "name": "web_search" }], "tool_choice": { "type": "any" }, "messages": [] }""");
        Assert.Null(body["tools"]);
        Assert.Null(body["tool_choice"]);
    }

    [Theory]
    [InlineData(64000, 16384, 16384)]
    [InlineData(1000, 16384, 1000)]
    [InlineData(64000, null, 64000)]
    public void Max_tokens_is_capped_at_the_target_limit(int requested, int? cap, int expected)
    {
        JsonNode body = Translate($$"""{ "max_tokens": {{requested}}, "messages": [] }""", OpenAITarget("gpt-4.1", cap));
        Assert.Equal(expected, (int)body["max_tokens"]!);
        Assert.Null(body["max_completion_tokens"]);
    }

    [Theory]
    [InlineData("o1")]
    [InlineData("o3-mini")]
    [InlineData("o4-mini")]
    [InlineData("gpt-5")]
    [InlineData("gpt-5-mini")]
    [InlineData("openai/gpt-5")]
    public void Reasoning_models_get_max_completion_tokens_and_no_sampling_parameters(string model)
    {
        JsonNode body = Translate("""{ "max_tokens": 64000, "temperature": 0.5, "top_p": 0.9, "stop_sequences": ["x"], "messages": [] }""", OpenAITarget(model, 32000));
        Assert.Equal(32000, (int)body["max_completion_tokens"]!);
        Assert.Null(body["max_tokens"]);
        Assert.Null(body["temperature"]);
        Assert.Null(body["top_p"]);
        Assert.Null(body["stop"]);
    }

    [Theory]
    [InlineData("gpt-5", "openai", """{ "type": "enabled", "budget_tokens": 2000 }""", null, "low")]
    [InlineData("gpt-5", "openai", """{ "type": "enabled", "budget_tokens": 10000 }""", null, "medium")]
    [InlineData("o3", "openai", """{ "type": "adaptive" }""", """{ "effort": "max" }""", "high")]
    [InlineData("o3", "openai", """{ "type": "adaptive" }""", null, null)]
    [InlineData("gpt-oss-120b", "groq", """{ "type": "enabled", "budget_tokens": 2000 }""", null, "low")]
    [InlineData("grok-3-mini", "xai", """{ "type": "enabled", "budget_tokens": 10000 }""", null, "high")]
    [InlineData("gemini-2.5-pro", "gemini", """{ "type": "enabled", "budget_tokens": 10000 }""", null, "medium")]
    [InlineData("deepseek-reasoner", "deepseek", """{ "type": "enabled", "budget_tokens": 10000 }""", null, null)]
    [InlineData("gpt-4.1", "openai", """{ "type": "enabled", "budget_tokens": 10000 }""", null, null)]
    [InlineData("gpt-5", "openai", """{ "type": "disabled" }""", null, null)]
    public void Thinking_maps_to_reasoning_effort_only_where_supported(string model, string provider, string thinking, string? outputConfig, string? expected)
    {
        string config = outputConfig is null ? "" : $""", "output_config": {outputConfig}""";
        JsonNode body = Translate($$"""{ "max_tokens": 20000, "thinking": {{thinking}}{{config}}, "messages": [] }""", OpenAITarget(model, provider: provider));
        Assert.Equal(expected, (string?)body["reasoning_effort"]);
    }

    [Fact]
    public void Cache_control_and_thinking_history_never_reach_OpenAI()
    {
        string json = """
            {
              "max_tokens": 100,
              "system": [{ "type": "text", "text": "sys", "cache_control": { "type": "ephemeral" } }],
              "tools": [{ "name": "T", "input_schema": { "type": "object" }, "cache_control": { "type": "ephemeral" } }],
              "messages": [
                { "role": "user", "content": [{ "type": "text", "text": "q", "cache_control": { "type": "ephemeral", "ttl": "1h" } }] },
                { "role": "assistant", "content": [
                  { "type": "thinking", "thinking": "SECRET-THOUGHT", "signature": "sig" },
                  { "type": "redacted_thinking", "data": "REDACTED-DATA" },
                  { "type": "text", "text": "a" }
                ] }
              ]
            }
            """;
        string body = Translate(json).ToJsonString();
        Assert.DoesNotContain("cache_control", body);
        Assert.DoesNotContain("SECRET-THOUGHT", body);
        Assert.DoesNotContain("REDACTED-DATA", body);
        Assert.DoesNotContain("signature", body);
    }

    [Fact]
    public void System_messages_mid_conversation_keep_their_place_but_never_split_a_tool_call_from_its_result()
    {
        string json = """
            {
              "max_tokens": 100,
              "messages": [
                { "role": "user", "content": "q1" },
                { "role": "system", "content": [{ "type": "text", "text": "S1" }] },
                { "role": "assistant", "content": [{ "type": "tool_use", "id": "toolu_1", "name": "T", "input": {} }] },
                { "role": "system", "content": "S2" },
                { "role": "user", "content": [{ "type": "tool_result", "tool_use_id": "toolu_1", "content": "ok" }, { "type": "text", "text": "q2" }] }
              ]
            }
            """;
        JsonArray messages = Translate(json)["messages"]!.AsArray();
        string[] shape = messages.Select(m => $"{m!["role"]}:{(string?)m["content"] ?? "null"}").ToArray();
        Assert.Equal(["user:q1", "system:S1", "assistant:null", "tool:ok", "system:S2", "user:q2"], shape);
    }

    [Fact]
    public void A_tool_call_without_a_result_gets_a_placeholder_before_the_next_user_turn()
    {
        string json = """
            {
              "max_tokens": 100,
              "messages": [
                { "role": "assistant", "content": [{ "type": "tool_use", "id": "toolu_1", "name": "T", "input": {} }, { "type": "tool_use", "id": "toolu_2", "name": "T", "input": {} }] },
                { "role": "user", "content": [{ "type": "tool_result", "tool_use_id": "toolu_2", "content": "done" }] }
              ]
            }
            """;
        JsonArray messages = Translate(json)["messages"]!.AsArray();
        Assert.Equal(3, messages.Count);
        Assert.Equal("toolu_2", (string?)messages[1]!["tool_call_id"]);
        Assert.Equal("toolu_1", (string?)messages[2]!["tool_call_id"]);
        Assert.Equal("tool", (string?)messages[2]!["role"]);
    }

    [Fact]
    public void Tool_result_with_is_error_and_image_becomes_tool_text_then_user_image()
    {
        string json = """
            {
              "max_tokens": 100,
              "messages": [
                { "role": "assistant", "content": [{ "type": "tool_use", "id": "toolu_1", "name": "Screenshot", "input": {} }] },
                { "role": "user", "content": [{ "type": "tool_result", "tool_use_id": "toolu_1", "is_error": true, "content": [
                  { "type": "text", "text": "partial failure" },
                  { "type": "image", "source": { "type": "base64", "media_type": "image/png", "data": "AAAA" } }
                ] }] }
              ]
            }
            """;
        JsonArray messages = Translate(json)["messages"]!.AsArray();
        Assert.Equal("tool", (string?)messages[1]!["role"]);
        string toolText = (string)messages[1]!["content"]!;
        Assert.StartsWith("Error: partial failure", toolText);
        Assert.Equal("user", (string?)messages[2]!["role"]);
        Assert.Equal("data:image/png;base64,AAAA", (string?)messages[2]!["content"]![0]!["image_url"]!["url"]);
    }

    [Fact]
    public void Unknown_roles_are_treated_as_the_user()
    {
        JsonArray messages = Translate("""{ "max_tokens": 100, "messages": [{ "role": "narrator", "content": "?" }] }""")["messages"]!.AsArray();
        Assert.Equal("user", (string?)messages[0]!["role"]);
        Assert.Equal("?", (string?)messages[0]!["content"]);
    }

    [Theory]
    [InlineData("""{ "role": "user", "content": [{ "type": "hologram", "x": 1 }, { "type": "text", "text": "hi" }] }""", "hologram")]
    [InlineData("""{ "role": "assistant", "content": [{ "type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {} }] }""", "server_tool_use")]
    [InlineData("""{ "role": "assistant", "content": [{ "type": "text", "text": "a" }, { "type": "mystery" }] }""", "mystery")]
    public void Blocks_without_an_OpenAI_equivalent_are_refused_by_name(string message, string type)
    {
        var refused = Assert.Throws<UnsupportedByTargetException>(() => Translate($$"""{ "max_tokens": 100, "messages": [{{message}}] }"""));
        Assert.Contains($"'{type}'", refused.Message);
    }

    [Fact]
    public void Stream_requests_usage_and_short_user_ids_pass_through()
    {
        JsonNode body = Translate("""{ "max_tokens": 10, "stream": true, "metadata": { "user_id": "alice" }, "messages": [] }""");
        Assert.True((bool)body["stream"]!);
        Assert.True((bool)body["stream_options"]!["include_usage"]!);
        Assert.Equal("alice", (string?)body["user"]);
    }
}

[Trait("Kind", "Unit")]
public sealed class OpenAIToAnthropicRequestTests
{
    private const string Tools = """
        "tools": [{ "type": "function", "function": { "name": "f", "parameters": { "type": "object" } } }]
        """;

    private static JsonNode Translate(string json, TranslationTarget? target = null) =>
        Run(OpenAIToAnthropicRequest.Translate, json, target ?? AnthropicTarget());

    [Theory]
    [InlineData("\"auto\"", """{ "type": "auto" }""")]
    [InlineData("\"required\"", """{ "type": "any" }""")]
    [InlineData("\"none\"", """{ "type": "none" }""")]
    [InlineData("""{ "type": "function", "function": { "name": "f" } }""", """{ "type": "tool", "name": "f" }""")]
    public void Tool_choice_maps_to_Anthropic(string openAIChoice, string expected)
    {
        JsonNode body = Translate($$"""{ {{Tools}}, "tool_choice": {{openAIChoice}}, "messages": [] }""");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), body["tool_choice"]), body["tool_choice"]?.ToJsonString());
    }

    [Fact]
    public void Parallel_tool_calls_false_maps_to_disable_parallel_tool_use()
    {
        JsonNode body = Translate($$"""{ {{Tools}}, "parallel_tool_calls": false, "messages": [] }""");
        Assert.Equal("auto", (string?)body["tool_choice"]!["type"]);
        Assert.True((bool)body["tool_choice"]!["disable_parallel_tool_use"]!);
    }

    [Theory]
    [InlineData("", null, 4096)]
    [InlineData("", 2048, 2048)]
    [InlineData("\"max_tokens\": 100000,", 64000, 64000)]
    [InlineData("\"max_completion_tokens\": 500, \"max_tokens\": 9000,", 64000, 500)]
    public void Max_tokens_is_defaulted_and_capped(string field, int? cap, int expected)
    {
        JsonNode body = Translate($$"""{ {{field}} "messages": [] }""", AnthropicTarget(maxOutput: cap));
        Assert.Equal(expected, (int)body["max_tokens"]!);
    }

    [Theory]
    [InlineData("low", 20000, 2048)]
    [InlineData("medium", 20000, 8192)]
    [InlineData("high", 20000, 16384)]
    [InlineData("high", 4000, 2000)]
    public void Reasoning_effort_becomes_a_thinking_budget_below_max_tokens(string effort, int maxTokens, int budget)
    {
        JsonNode body = Translate($$"""{ "reasoning_effort": "{{effort}}", "max_tokens": {{maxTokens}}, "temperature": 0.3, "messages": [] }""");
        Assert.Equal("enabled", (string?)body["thinking"]!["type"]);
        Assert.Equal(budget, (int)body["thinking"]!["budget_tokens"]!);
        Assert.Null(body["temperature"]); // Anthropic rejects temperature changes with thinking
    }

    [Theory]
    [InlineData("""{ "reasoning_effort": "high", "max_tokens": 1000, "messages": [] }""")]
    [InlineData("""{ "reasoning_effort": "none", "messages": [] }""")]
    [InlineData("""{ "reasoning_effort": "high", "tools": [{ "type": "function", "function": { "name": "f" } }], "tool_choice": "required", "messages": [] }""")]
    public void Thinking_is_left_out_when_Anthropic_would_reject_it(string json)
    {
        Assert.Null(Translate(json)["thinking"]);
    }

    [Fact]
    public void Reasoning_content_in_history_is_dropped_and_tool_ids_are_sanitized()
    {
        string json = """
            {
              "messages": [
                { "role": "user", "content": "q" },
                { "role": "assistant", "content": "", "reasoning_content": "HIDDEN", "tool_calls": [
                  { "id": "functions.search:0", "type": "function", "function": { "name": "search", "arguments": "{\"q\":1}" } }
                ] },
                { "role": "tool", "tool_call_id": "functions.search:0", "content": "r" },
                { "role": "user", "content": "next" }
              ]
            }
            """;
        JsonNode body = Translate(json);
        Assert.DoesNotContain("HIDDEN", body.ToJsonString());
        JsonArray messages = body["messages"]!.AsArray();
        Assert.Equal(3, messages.Count); // tool result and the next user text merge into one user turn
        Assert.Equal("functions_search_0", (string?)messages[1]!["content"]![0]!["id"]);
        Assert.Equal("functions_search_0", (string?)messages[2]!["content"]![0]!["tool_use_id"]);
        Assert.Equal("text", (string?)messages[2]!["content"]![1]!["type"]);
    }
}

[Trait("Kind", "Unit")]
public sealed class OpenAIToAnthropicToolPairingTests
{
    [Fact]
    public void Unanswered_calls_get_placeholder_results_and_orphan_results_become_text()
    {
        string json = """
            {
              "messages": [
                { "role": "tool", "tool_call_id": "call_orphan", "content": "stale" },
                { "role": "user", "content": "go" },
                { "role": "assistant", "content": " ", "tool_calls": [
                  { "id": "call_1", "type": "function", "function": { "name": "f", "arguments": "{}" } },
                  { "id": "call_2", "type": "function", "function": { "name": "f", "arguments": "{}" } }
                ] },
                { "role": "tool", "tool_call_id": "call_2", "content": "two" },
                { "role": "user", "content": "and?" }
              ]
            }
            """;
        JsonArray messages = TestJson.Run(OpenAIToAnthropicRequest.Translate, json, TestJson.AnthropicTarget())["messages"]!.AsArray();
        Assert.Equal(3, messages.Count);
        JsonArray first = messages[0]!["content"]!.AsArray();
        Assert.Equal("text", (string?)first[0]!["type"]);
        Assert.Contains("call_orphan", (string?)first[0]!["text"]);
        Assert.Equal(2, messages[1]!["content"]!.AsArray().Count); // whitespace-only text dropped
        string[] reply = messages[2]!["content"]!.AsArray().Select(b => $"{b!["type"]}:{b["tool_use_id"]}").ToArray();
        Assert.Equal(["tool_result:call_1", "tool_result:call_2", "text:"], reply);
    }
}

[Trait("Kind", "Unit")]
public sealed class ToolNameMapTests
{
    [Fact]
    public void Long_tool_names_are_shortened_for_OpenAI_and_restored_in_responses_and_streams()
    {
        string longName = "mcp__claude_ai_Atlassian_Confluence__getConfluencePageFooterComments_v2";
        Assert.True(longName.Length > 64);
        string request = $$"""
            { "max_tokens": 10,
              "tools": [{ "name": "{{longName}}", "input_schema": { "type": "object" } }, { "name": "Read", "input_schema": { "type": "object" } }],
              "tool_choice": { "type": "tool", "name": "{{longName}}" },
              "messages": [{ "role": "assistant", "content": [{ "type": "tool_use", "id": "toolu_1", "name": "{{longName}}", "input": {} }] },
                           { "role": "user", "content": [{ "type": "tool_result", "tool_use_id": "toolu_1", "content": "ok" }] }] }
            """;
        using var doc = System.Text.Json.JsonDocument.Parse(request);
        TranslatedRequest translated = ProtocolTranslation.TranslateRequest(ApiFormat.Anthropic, doc.RootElement, TestJson.OpenAITarget("gpt-4.1"));
        JsonNode body = JsonNode.Parse(translated.Body)!;
        string shortName = (string)body["tools"]![0]!["function"]!["name"]!;
        Assert.Equal(64, shortName.Length);
        Assert.Equal("Read", (string?)body["tools"]![1]!["function"]!["name"]);
        Assert.Equal(shortName, (string?)body["tool_choice"]!["function"]!["name"]);
        Assert.Equal(shortName, (string?)body["messages"]![0]!["tool_calls"]![0]!["function"]!["name"]);
        Assert.NotNull(translated.ToolNames);

        string response = $$$"""{"id":"x","choices":[{"index":0,"message":{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"{{{shortName}}}","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}""";
        using var responseDoc = System.Text.Json.JsonDocument.Parse(response);
        JsonNode message = JsonNode.Parse(ProtocolTranslation.TranslateResponse(ApiFormat.Anthropic, ApiFormat.OpenAI, responseDoc.RootElement, "claude", out _, translated.ToolNames))!;
        Assert.Equal(longName, (string?)message["content"]![0]!["name"]);

        IStreamTranslator stream = ProtocolTranslation.CreateStreamTranslator(ApiFormat.Anthropic, ApiFormat.OpenAI, "claude", toolNames: translated.ToolNames);
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        stream.OnEvent(null, System.Text.Encoding.UTF8.GetBytes($$$"""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"{{{shortName}}}","arguments":"{}"}}]}}]}"""), output);
        SseEvent start = SseText.Parse(output.WrittenSpan.ToArray()).Single(e => e.Type == "content_block_start");
        Assert.Equal(longName, (string?)start.Json!["content_block"]!["name"]);
    }
}

[Trait("Kind", "Unit")]
public sealed class GeminiSchemaTests
{
    private const string Request = """
        { "max_tokens": 10, "messages": [],
          "tools": [{ "name": "Edit", "input_schema": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "path": { "type": "string", "format": "uri", "description": "file" },
              "mode": { "const": "replace" },
              "when": { "type": ["string", "null"], "format": "date-time" },
              "edits": { "type": "array", "items": { "type": "object", "additionalProperties": false, "propertyNames": { "pattern": "^a" },
                         "properties": { "old": { "type": "string" } }, "required": ["old"] } },
              "additionalProperties": { "type": "string", "description": "a property that happens to have this name" }
            },
            "required": ["path"]
          } }] }
        """;

    [Fact]
    public void Gemini_gets_the_supported_schema_subset()
    {
        JsonNode parameters = TestJson.Run(AnthropicToOpenAIRequest.Translate, Request, TestJson.OpenAITarget("gemini-2.5-pro", provider: "gemini"))["tools"]![0]!["function"]!["parameters"]!;
        string expected = """
            { "type": "object",
              "properties": {
                "path": { "type": "string", "description": "file" },
                "mode": { "enum": ["replace"] },
                "when": { "type": "string", "nullable": true, "format": "date-time" },
                "edits": { "type": "array", "items": { "type": "object", "properties": { "old": { "type": "string" } }, "required": ["old"] } },
                "additionalProperties": { "type": "string", "description": "a property that happens to have this name" }
              },
              "required": ["path"] }
            """;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), parameters), parameters.ToJsonString());
    }

    [Fact]
    public void Other_providers_get_the_schema_unchanged()
    {
        JsonNode parameters = TestJson.Run(AnthropicToOpenAIRequest.Translate, Request, TestJson.OpenAITarget("gpt-4.1"))["tools"]![0]!["function"]!["parameters"]!;
        Assert.Equal("http://json-schema.org/draft-07/schema#", (string?)parameters["$schema"]);
    }
}

[Trait("Kind", "Unit")]
public sealed class DocumentTests
{
    private const string Request = """
        { "max_tokens": 10, "messages": [{ "role": "user", "content": [
          { "type": "document", "title": "spec.pdf", "source": { "type": "base64", "media_type": "application/pdf", "data": "JVBERi0=" } },
          { "type": "text", "text": "Summarize." } ] }] }
        """;

    [Fact]
    public void OpenAI_gets_pdfs_as_file_parts()
    {
        JsonNode part = TestJson.Run(AnthropicToOpenAIRequest.Translate, Request, TestJson.OpenAITarget("gpt-4.1"))["messages"]![0]!["content"]![0]!;
        Assert.Equal("file", (string?)part["type"]);
        Assert.Equal("data:application/pdf;base64,JVBERi0=", (string?)part["file"]!["file_data"]);
    }

    [Theory]
    [InlineData("azure_openai")]
    [InlineData("openrouter")]
    public void Other_servers_that_take_files_get_them_too(string provider)
    {
        JsonNode part = TestJson.Run(AnthropicToOpenAIRequest.Translate, Request, TestJson.OpenAITarget("gpt-4.1", provider: provider))["messages"]![0]!["content"]![0]!;
        Assert.Equal("file", (string?)part["type"]);
        Assert.Equal("spec.pdf", (string?)part["file"]!["filename"]);
    }

    [Fact]
    public void Servers_that_take_no_files_refuse_the_document_rather_than_lose_it()
    {
        var refused = Assert.Throws<UnsupportedByTargetException>(() =>
            TestJson.Run(AnthropicToOpenAIRequest.Translate, Request, TestJson.OpenAITarget("qwen2.5-coder:7b", provider: "ollama")));
        Assert.Contains("'document'", refused.Message);
        Assert.Contains("ollama", refused.Message);
    }
}
