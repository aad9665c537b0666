using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Protocols;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.Gemini;

namespace Switchboard.Tests.Unit.Protocols;

/// <summary>
/// Gemini-specific rules the golden cases do not isolate: thought signatures (to the client, back to Gemini only),
/// tool-call ids, tool_choice and thinking per model family, tool-name shortening, errors.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class GeminiTranslationTests
{
    private const string Signature = "CiQB+/xyz/abc+Q=="; // base64 with '+', '/' and padding, as Gemini sends them

    private static TranslationTarget Gemini(string model = "gemini-2.5-pro") =>
        new() { ModelId = model, Provider = "gemini", Api = ApiFormat.Gemini, MaxOutputTokens = 65536 };

    private static JsonNode Request(ApiFormat client, string json, TranslationTarget? target = null)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        return JsonNode.Parse(ProtocolTranslation.TranslateRequest(client, doc.RootElement, target ?? Gemini()).Body)!;
    }

    private static JsonNode Response(ApiFormat client, string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        return JsonNode.Parse(ProtocolTranslation.TranslateResponse(client, ApiFormat.Gemini, doc.RootElement, "m", out _))!;
    }

    private static readonly string SignedCall = $$$$"""
        {"candidates":[{"content":{"role":"model","parts":[
          {"text":"Let me look."},
          {"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"{{{{Signature}}}}"},
          {"functionCall":{"name":"get_weather","args":{"city":"Oslo"}}}]},"finishReason":"STOP"}],
         "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5},"responseId":"resp1"}
        """;

    private static string AnthropicFollowUp(JsonNode assistantContent) => new JsonObject
    {
        ["model"] = "claude-sonnet-4-5",
        ["max_tokens"] = 1000,
        ["thinking"] = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = 2000 },
        ["messages"] = new JsonArray(
            new JsonObject { ["role"] = "user", ["content"] = "Weather in Paris and Oslo?" },
            new JsonObject { ["role"] = "assistant", ["content"] = assistantContent.DeepClone() },
            new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(
                    new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = "toolu_resp1_0", ["content"] = "18C" },
                    new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = "toolu_resp1_1", ["content"] = "-2C" }),
            }),
    }.ToJsonString();

    [Fact]
    public void Anthropic_client_gets_the_signature_in_a_thinking_block_and_it_returns_only_to_gemini()
    {
        JsonNode message = Response(ApiFormat.Anthropic, SignedCall);
        JsonArray content = message["content"]!.AsArray();
        Assert.Equal(["text", "thinking", "tool_use", "tool_use"], content.Select(b => (string)b!["type"]!));
        Assert.Equal("gemini:" + Signature, (string?)content[1]!["signature"]);
        Assert.Equal("toolu_resp1_0", (string?)content[2]!["id"]);
        Assert.Equal("toolu_resp1_1", (string?)content[3]!["id"]);
        string followUp = AnthropicFollowUp(content);

        // Back to Gemini: on the part that carried it, with both results named and in call order.
        JsonNode gemini = Request(ApiFormat.Anthropic, followUp);
        JsonArray modelParts = gemini["contents"]![1]!["parts"]!.AsArray();
        Assert.Equal("model", (string?)gemini["contents"]![1]!["role"]);
        Assert.Null(modelParts[0]!["thoughtSignature"]);
        Assert.Equal(Signature, (string?)modelParts[1]!["thoughtSignature"]);
        Assert.Equal("Paris", (string?)modelParts[1]!["functionCall"]!["args"]!["city"]);
        Assert.Null(modelParts[2]!["thoughtSignature"]);
        JsonArray results = gemini["contents"]![2]!["parts"]!.AsArray();
        Assert.Equal(["18C", "-2C"], results.Select(p => (string)p!["functionResponse"]!["response"]!["result"]!));
        Assert.All(results, p => Assert.Equal("get_weather", (string?)p!["functionResponse"]!["name"]));

        // To an OpenAI upstream: thinking history is dropped.
        using (JsonDocument doc = JsonDocument.Parse(followUp))
        {
            string openAI = Encoding.UTF8.GetString(AnthropicToOpenAIRequest.Translate(doc.RootElement, TestJson.OpenAITarget("gpt-4.1")));
            Assert.DoesNotContain(Signature, openAI);
            Assert.DoesNotContain("gemini:", openAI);
        }

        // To Anthropic (passthrough): the block is stripped before it goes, and thinking is switched off for the turn.
        byte[] body = Encoding.UTF8.GetBytes(followUp);
        Assert.True(UnsignedThinking.MayContainForeignThinking(body));
        string anthropic = Encoding.UTF8.GetString(UnsignedThinking.StripFromAnthropicRequest(body)!);
        Assert.DoesNotContain(Signature, anthropic);
        Assert.DoesNotContain("\"thinking\":{", anthropic);
        Assert.Contains("toolu_resp1_0", anthropic);
    }

    [Fact]
    public void Real_anthropic_signatures_are_kept_toward_anthropic_and_never_sent_to_gemini()
    {
        const string body = """
            {"model":"claude-sonnet-4-5","max_tokens":100,"messages":[{"role":"user","content":"hi"},
             {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"EqQBCkYIBxgCKkA"},{"type":"text","text":"Hello"}]},
             {"role":"user","content":"again"}]}
            """;
        Assert.False(UnsignedThinking.MayContainForeignThinking(Encoding.UTF8.GetBytes(body)));
        string gemini = Request(ApiFormat.Anthropic, body).ToJsonString();
        Assert.DoesNotContain("EqQBCkYIBxgCKkA", gemini);
        Assert.DoesNotContain("thoughtSignature", gemini);
    }

    [Fact]
    public async Task Streamed_signature_round_trips_through_an_anthropic_client()
    {
        string sse = $$$$"""
            data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Checking","thoughtSignature":"{{{{Signature}}}}"}]}}],"responseId":"r9"}

            data: {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":4}}


            """;
        var translator = new GeminiToAnthropicStream("claude-sonnet-4-5");
        var output = new MemoryStream();
        await SseEventPump.PumpAsync(new MemoryStream(Encoding.UTF8.GetBytes(sse)), translator,
            (bytes, _) => { output.Write(bytes.Span); return ValueTask.CompletedTask; }, CancellationToken.None);
        List<SseEvent> events = SseText.Parse(output.ToArray());
        AnthropicStreamValidator.Validate(events);

        // Assemble the message as an SDK would, and send it back.
        var blocks = new JsonArray();
        foreach (SseEvent e in events)
        {
            JsonNode data = e.Json!;
            switch (e.Type)
            {
                case "content_block_start": blocks.Add(data["content_block"]!.DeepClone()); break;
                case "content_block_delta":
                    JsonNode block = blocks[(int)data["index"]!]!;
                    JsonNode delta = data["delta"]!;
                    switch ((string?)delta["type"])
                    {
                        case "text_delta": block["text"] = (string?)block["text"] + (string?)delta["text"]; break;
                        case "signature_delta": block["signature"] = (string?)delta["signature"]; break;
                        case "input_json_delta": block["input"] = JsonNode.Parse((string)delta["partial_json"]!); break;
                    }
                    break;
            }
        }
        Assert.Equal(["thinking", "text", "tool_use"], blocks.Select(b => (string)b!["type"]!));
        Assert.Equal("toolu_r9_0", (string?)blocks[2]!["id"]);
        Assert.Contains(events, e => e.Type == "message_delta" && (string?)e.Json!["delta"]!["stop_reason"] == "tool_use");

        string followUp = AnthropicFollowUp(blocks).Replace("toolu_resp1_0", "toolu_r9_0");
        JsonArray modelParts = Request(ApiFormat.Anthropic, followUp)["contents"]![1]!["parts"]!.AsArray();
        Assert.Equal("Checking", (string?)modelParts[0]!["text"]);
        Assert.Equal(Signature, (string?)modelParts[0]!["thoughtSignature"]);
        Assert.Null(modelParts[1]!["thoughtSignature"]);
    }

    [Fact]
    public void OpenAI_client_gets_the_signature_in_the_tool_call_id_and_it_returns_only_to_gemini()
    {
        JsonNode completion = Response(ApiFormat.OpenAI, SignedCall);
        JsonArray calls = completion["choices"]![0]!["message"]!["tool_calls"]!.AsArray();
        string signedId = (string)calls[0]!["id"]!;
        Assert.StartsWith("call_resp1_0", signedId);
        Assert.Matches("^[A-Za-z0-9_-]+$", signedId);
        Assert.Equal("call_resp1_1", (string?)calls[1]!["id"]);
        Assert.Equal("tool_calls", (string?)completion["choices"]![0]!["finish_reason"]);

        string followUp = new JsonObject
        {
            ["model"] = "gemini-2.5-pro",
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = "Weather?" },
                new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = calls.DeepClone() },
                new JsonObject { ["role"] = "tool", ["tool_call_id"] = signedId, ["content"] = "18C" },
                new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_resp1_1", ["content"] = "-2C" }),
        }.ToJsonString();

        JsonNode gemini = Request(ApiFormat.OpenAI, followUp);
        JsonArray modelParts = gemini["contents"]![1]!["parts"]!.AsArray();
        Assert.Equal(Signature, (string?)modelParts[0]!["thoughtSignature"]);
        Assert.Null(modelParts[1]!["thoughtSignature"]);
        Assert.Equal(["18C", "-2C"], gemini["contents"]![2]!["parts"]!.AsArray().Select(p => (string)p!["functionResponse"]!["response"]!["result"]!));

        // Toward Anthropic the id loses the signature (consistently in the call and its result).
        string anthropic = Request(ApiFormat.OpenAI, followUp, TestJson.AnthropicTarget()).ToJsonString();
        Assert.DoesNotContain(signedId, anthropic);
        Assert.DoesNotContain("__ts", anthropic);
        Assert.Equal(2, anthropic.Split("\"call_resp1_0\"").Length - 1); // tool_use id and tool_result tool_use_id
    }

    [Theory]
    [InlineData("c2ln")]
    [InlineData("c2lnLQ==")]
    [InlineData("c2lnLTE=")]
    [InlineData("a+b/c+d/")]
    public void Signature_ids_round_trip_exactly(string signature)
    {
        string id = GeminiWire.OpenAIToolId("call_r_0", signature);
        Assert.Matches("^[A-Za-z0-9_-]+$", id);
        Assert.Equal(signature, GeminiWire.SignatureFromOpenAIId(id));
        Assert.Equal("call_r_0", GeminiWire.WithoutSignature(id));
        Assert.Null(GeminiWire.SignatureFromOpenAIId("call_abc"));
        Assert.Equal("call_abc", GeminiWire.WithoutSignature("call_abc"));
    }

    [Fact]
    public void Gemini3_gets_the_documented_stand_in_for_calls_other_models_made_and_25_does_not()
    {
        const string body = """
            {"model":"x","max_tokens":100,"messages":[{"role":"user","content":"ls"},
             {"role":"assistant","content":[{"type":"tool_use","id":"toolu_01","name":"run","input":{}},{"type":"tool_use","id":"toolu_02","name":"run","input":{}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01","content":"ok"},{"type":"tool_result","tool_use_id":"toolu_02","content":"ok"}]}]}
            """;
        JsonArray parts3 = Request(ApiFormat.Anthropic, body, Gemini("gemini-3-pro-preview"))["contents"]![1]!["parts"]!.AsArray();
        Assert.Equal(GeminiWire.SkipSignatureValidator, (string?)parts3[0]!["thoughtSignature"]);
        Assert.Null(parts3[1]!["thoughtSignature"]);
        Assert.DoesNotContain("thoughtSignature", Request(ApiFormat.Anthropic, body, Gemini("gemini-2.5-pro")).ToJsonString());
    }

    [Theory]
    [InlineData("""{"type":"auto"}""", "AUTO", null)]
    [InlineData("""{"type":"any"}""", "ANY", null)]
    [InlineData("""{"type":"none"}""", "NONE", null)]
    [InlineData("""{"type":"tool","name":"t"}""", "ANY", "t")]
    public void Anthropic_tool_choice_becomes_function_calling_config(string choice, string mode, string? only)
    {
        JsonNode config = Request(ApiFormat.Anthropic, """
            {"max_tokens":10,"tool_choice":@@CHOICE@@,"tools":[{"name":"t","input_schema":{"type":"object","properties":{"a":{"type":"string"}}}}],
             "messages":[{"role":"user","content":"x"}]}
            """.Replace("@@CHOICE@@", choice))["toolConfig"]!["functionCallingConfig"]!;
        Assert.Equal(mode, (string?)config["mode"]);
        Assert.Equal(only, (string?)config["allowedFunctionNames"]?[0]);
    }

    [Theory]
    [InlineData("\"auto\"", "AUTO", null)]
    [InlineData("\"required\"", "ANY", null)]
    [InlineData("\"none\"", "NONE", null)]
    [InlineData("""{"type":"function","function":{"name":"t"}}""", "ANY", "t")]
    public void OpenAI_tool_choice_becomes_function_calling_config(string choice, string mode, string? only)
    {
        JsonNode config = Request(ApiFormat.OpenAI, """
            {"tool_choice":@@CHOICE@@,"tools":[{"type":"function","function":{"name":"t","parameters":{"type":"object","properties":{"a":{"type":"string"}}}}}],
             "messages":[{"role":"user","content":"x"}]}
            """.Replace("@@CHOICE@@", choice))["toolConfig"]!["functionCallingConfig"]!;
        Assert.Equal(mode, (string?)config["mode"]);
        Assert.Equal(only, (string?)config["allowedFunctionNames"]?[0]);
    }

    [Theory]
    [InlineData("gemini-2.5-flash", """{"type":"enabled","budget_tokens":50000}""", """{"thinkingBudget":24576,"includeThoughts":true}""")]
    [InlineData("gemini-2.5-flash", """{"type":"disabled"}""", """{"thinkingBudget":0}""")]
    [InlineData("gemini-2.5-pro", """{"type":"disabled"}""", null)]
    [InlineData("gemini-2.5-pro", """{"type":"adaptive"}""", """{"includeThoughts":true}""")]
    [InlineData("gemini-3-pro-preview", """{"type":"enabled","budget_tokens":2000}""", """{"thinkingLevel":"low","includeThoughts":true}""")]
    [InlineData("gemini-2.0-flash", """{"type":"enabled","budget_tokens":2000}""", null)]
    public void Anthropic_thinking_becomes_thinking_config_by_model_family(string model, string thinking, string? expected)
    {
        JsonNode? config = Request(ApiFormat.Anthropic, $$$$"""{"max_tokens":60000,"thinking":{{{{thinking}}}},"messages":[{"role":"user","content":"x"}]}""",
            Gemini(model))["generationConfig"]!["thinkingConfig"];
        if (expected is null) Assert.Null(config);
        else Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), config), config?.ToJsonString());
    }

    [Fact]
    public void Max_tokens_is_capped_for_the_target()
    {
        JsonNode request = Request(ApiFormat.Anthropic, """{"max_tokens":64000,"messages":[{"role":"user","content":"x"}]}""",
            Gemini() with { MaxOutputTokens = 8192 });
        Assert.Equal(8192, (int)request["generationConfig"]!["maxOutputTokens"]!);
    }

    [Fact]
    public void Long_tool_names_are_shortened_and_restored()
    {
        string longName = "mcp__a_very_long_server_name__" + new string('x', 60);
        using JsonDocument doc = JsonDocument.Parse("""
            {"max_tokens":10,"tools":[{"name":"@@LONGNAME@@","input_schema":{"type":"object","properties":{"a":{"type":"string"}}}}],"messages":[{"role":"user","content":"x"}]}
            """.Replace("@@LONGNAME@@", longName));
        TranslatedRequest translated = ProtocolTranslation.TranslateRequest(ApiFormat.Anthropic, doc.RootElement, Gemini());
        string sent = (string)JsonNode.Parse(translated.Body)!["tools"]![0]!["functionDeclarations"]![0]!["name"]!;
        Assert.True(sent.Length <= 64);
        using JsonDocument response = JsonDocument.Parse($$$$"""
            {"candidates":[{"content":{"parts":[{"functionCall":{"name":"{{{{sent}}}}","args":{}}}]},"finishReason":"STOP"}]}
            """);
        JsonNode message = JsonNode.Parse(ProtocolTranslation.TranslateResponse(ApiFormat.Anthropic, ApiFormat.Gemini, response.RootElement, null, out _, translated.ToolNames))!;
        Assert.Equal(longName, (string?)message["content"]![0]!["name"]);
    }

    [Fact]
    public void Usage_counts_thoughts_as_output_and_cached_tokens_as_input()
    {
        using JsonDocument doc = JsonDocument.Parse("""
            {"candidates":[{"content":{"parts":[{"text":"a"}]},"finishReason":"STOP"}],
             "usageMetadata":{"promptTokenCount":100,"cachedContentTokenCount":60,"candidatesTokenCount":7,"thoughtsTokenCount":30}}
            """);
        JsonNode message = JsonNode.Parse(GeminiResponse.ToAnthropic(doc.RootElement, "m", out TokenUsage usage))!;
        Assert.Equal(new TokenUsage(100, 37, 60, ReasoningTokens: 30), usage); // the 30 thoughts are output, and said apart as reasoning
        Assert.Equal(40, (int)message["usage"]!["input_tokens"]!);
        Assert.Equal(60, (int)message["usage"]!["cache_read_input_tokens"]!);
        Assert.Equal(37, (int)message["usage"]!["output_tokens"]!);
    }

    [Theory]
    [InlineData("MAX_TOKENS", "max_tokens", "length")]
    [InlineData("SAFETY", "refusal", "content_filter")]
    [InlineData("RECITATION", "refusal", "content_filter")]
    [InlineData("PROHIBITED_CONTENT", "refusal", "content_filter")]
    [InlineData("MALFORMED_FUNCTION_CALL", "end_turn", "stop")]
    [InlineData("STOP", "end_turn", "stop")]
    public void Finish_reasons_map_to_each_client(string finish, string anthropic, string openAI)
    {
        string body = $$$$"""{"candidates":[{"content":{"parts":[{"text":"a"}]},"finishReason":"{{{{finish}}}}"}]}""";
        Assert.Equal(anthropic, (string?)Response(ApiFormat.Anthropic, body)["stop_reason"]);
        Assert.Equal(openAI, (string?)Response(ApiFormat.OpenAI, body)["choices"]![0]!["finish_reason"]);
    }

    [Fact]
    public void A_blocked_prompt_is_a_refusal()
    {
        const string body = """{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":4}}""";
        Assert.Equal("refusal", (string?)Response(ApiFormat.Anthropic, body)["stop_reason"]);
        Assert.Equal("content_filter", (string?)Response(ApiFormat.OpenAI, body)["choices"]![0]!["finish_reason"]);
    }

    [Fact]
    public void Gemini_errors_keep_their_message_in_both_client_formats()
    {
        byte[] body = Encoding.UTF8.GetBytes("""{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}""");
        JsonNode anthropic = JsonNode.Parse(ErrorFormats.FromUpstream(ApiFormat.Anthropic, 429, body))!;
        Assert.Equal("rate_limit_error", (string?)anthropic["error"]!["type"]);
        Assert.Equal("Resource has been exhausted (e.g. check quota).", (string?)anthropic["error"]!["message"]);
        JsonNode openAI = JsonNode.Parse(ErrorFormats.FromUpstream(ApiFormat.OpenAI, 429, body))!;
        Assert.Equal("Resource has been exhausted (e.g. check quota).", (string?)openAI["error"]!["message"]);
        Assert.Equal("RESOURCE_EXHAUSTED", (string?)openAI["error"]!["code"]);
    }

    [Fact]
    public async Task Stream_split_into_single_bytes_still_translates()
    {
        byte[] sse = Encoding.UTF8.GetBytes("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"h\u00e9llo \u2713\"}]},\"finishReason\":\"STOP\"}],\"responseId\":\"x\"}\r\n\r\n");
        var translator = new GeminiToOpenAIStream("m", includeUsage: true, created: 1);
        var output = new ArrayBufferWriter<byte>();
        var stream = new OneByteStream(sse);
        SsePumpResult result = await SseEventPump.PumpAsync(stream, translator, (b, _) => { output.Write(b.Span); return ValueTask.CompletedTask; }, default);
        Assert.True(result.Completed);
        List<SseEvent> events = SseText.Parse(output.WrittenSpan.ToArray());
        OpenAIStreamValidator.Validate(events);
        Assert.Equal("h\u00e9llo \u2713", (string?)events[1].Json!["choices"]![0]!["delta"]!["content"]);
        Assert.Equal("stop", (string?)events[2].Json!["choices"]![0]!["finish_reason"]);
    }

    private sealed class OneByteStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(1, count));
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(1, buffer.Length)]);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));
    }
}
