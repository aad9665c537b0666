using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Config;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.Translation;

namespace Switchboard.Tests.Unit.Protocols;

/// <summary>
/// A Responses upstream's encrypted reasoning goes back to a Responses upstream only: stripped before an Anthropic
/// upstream (thinking signatures) and an OpenAI Chat upstream (reasoning_details), and dropped by the other translations.
/// Also how a model entry comes to speak the Responses API.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class ResponsesUpstreamCarrierTests
{
    [Fact]
    public void Thinking_signed_with_responses_reasoning_is_stripped_before_an_anthropic_upstream()
    {
        string json = """
            {"model":"m","max_tokens":1000,"thinking":{"type":"enabled","budget_tokens":500},"messages":[
              {"role":"user","content":"q"},
              {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"openai-responses:rs_1:gAAAA=="},{"type":"tool_use","id":"t1","name":"f","input":{}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"r"}]}]}
            """;
        byte[]? stripped = UnsignedThinking.StripFromAnthropicRequest(Encoding.UTF8.GetBytes(json));
        Assert.NotNull(stripped);
        JsonNode body = JsonNode.Parse(stripped)!;
        Assert.DoesNotContain("openai-responses:", body.ToJsonString());
        Assert.Null(body["thinking"]); // the last assistant turn lost its thinking, which Anthropic requires then
        Assert.Equal("tool_use", (string?)body["messages"]![1]!["content"]![0]!["type"]);
    }

    [Fact]
    public void Reasoning_details_from_a_responses_upstream_are_stripped_before_an_openai_chat_upstream()
    {
        string json = """
            {"model":"gpt-4.1","custom":1,"messages":[{"role":"user","content":"q"},
              {"role":"assistant","content":"a","reasoning_details":[{"type":"reasoning.encrypted","id":"rs_1","data":"gAAAA==","format":"openai-responses-v1","index":0},
                                                                    {"type":"reasoning.text","text":"kept","format":"unknown"}]},
              {"role":"assistant","content":"b","reasoning_details":[{"type":"reasoning.encrypted","id":"rs_2","data":"gBBBB==","format":"openai-responses-v1"}]}]}
            """;
        byte[]? stripped = SignedToolCallIds.StripFromOpenAIRequest(Encoding.UTF8.GetBytes(json));
        Assert.NotNull(stripped);
        JsonNode body = JsonNode.Parse(stripped)!;
        Assert.DoesNotContain("gAAAA", body.ToJsonString());
        Assert.DoesNotContain("gBBBB", body.ToJsonString());
        Assert.Equal("kept", (string?)body["messages"]![1]!["reasoning_details"]![0]!["text"]);
        Assert.Null(body["messages"]![2]!["reasoning_details"]);
        Assert.Equal(1, (int?)body["custom"]);
        Assert.Null(SignedToolCallIds.StripFromOpenAIRequest("""{"messages":[{"role":"user","content":"plain"}]}"""u8));
    }

    [Fact]
    public void Responses_reasoning_is_dropped_toward_openai_chat_and_gemini_translations()
    {
        string anthropic = """
            {"model":"m","max_tokens":100,"messages":[{"role":"user","content":"q"},
              {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"openai-responses:rs_1:gAAAA=="},{"type":"text","text":"a"}]},
              {"role":"user","content":"again"}]}
            """;
        using var doc = System.Text.Json.JsonDocument.Parse(anthropic);
        foreach (var api in new[] { ApiFormat.OpenAI, ApiFormat.Gemini })
        {
            var target = new Switchboard.Protocols.TranslationTarget { ModelId = api == ApiFormat.Gemini ? "gemini-2.5-pro" : "gpt-4.1", Provider = "p", Api = api };
            string body = Encoding.UTF8.GetString(Switchboard.Protocols.ProtocolTranslation.TranslateRequest(ApiFormat.Anthropic, doc.RootElement, target).Body);
            Assert.DoesNotContain("gAAAA", body);
        }
    }

    private static ConfigLoadResult Load(string yaml) => ConfigLoader.LoadText(yaml, env: new EnvironmentSource(_ => "k"));

    [Fact]
    public void Provider_interface_openai_responses_and_responses_only_openai_models_speak_the_responses_api()
    {
        var result = Load("""
            model_providers:
              - model: openai/gpt-5.3-codex
                access_key: $OPENAI_API_KEY
                default: true
              - model: openai/o3-pro
                access_key: $OPENAI_API_KEY
              - model: openai/gpt-5.2-codex
                provider_interface: openai
                access_key: $OPENAI_API_KEY
              - model: openai/gpt-4.1
                access_key: $OPENAI_API_KEY
              - model: vllm/gpt-oss-120b
                provider_interface: openai_responses
                base_url: http://127.0.0.1:8000/v1
            """);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var apis = result.Config!.Providers.ToDictionary(p => p.Model, p => p.Interface);
        Assert.Equal(ApiFormat.Responses, apis["openai/gpt-5.3-codex"]);
        Assert.Equal(ApiFormat.Responses, apis["openai/o3-pro"]);
        Assert.Equal(ApiFormat.OpenAI, apis["openai/gpt-5.2-codex"]); // said explicitly: kept
        Assert.Equal(ApiFormat.OpenAI, apis["openai/gpt-4.1"]);
        Assert.Equal(ApiFormat.Responses, apis["vllm/gpt-oss-120b"]);
    }

    [Fact]
    public void Provider_interface_openai_responses_on_a_provider_without_it_is_an_error_with_its_line()
    {
        var result = Load("""
            model_providers:
              - model: openai/gpt-4.1
                default: true
              - model: anthropic/claude-sonnet-4-5
                provider_interface: openai_responses
              - model: x/y
                provider_interface: responsez
                base_url: http://127.0.0.1:1/v1
            """);
        Assert.False(result.Succeeded);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.Contains(errors, e => e.Line == 5 && e.Message.Contains("does not serve the OpenAI Responses API") && e.Fix!.Contains("openai_responses"));
        Assert.Contains(errors, e => e.Line == 7 && e.Message.Contains("'responsez'") && e.Fix!.Contains("'openai_responses'"));
    }
}
