using System.Net;
using System.Text;
using System.Text.Json;

namespace Switchboard.Tests.Functional.Gateway;

[Trait("Kind", "Functional")]
public sealed class SecretsAndInfoTests
{
    [Fact]
    public async Task No_key_appears_in_any_log_line_or_response()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        var keys = new Dictionary<string, string>(Yaml.Keys) { ["UNREACHABLE_KEY"] = "sk-unreachable-SECRET-3333" };
        await using var gateway = await TestGateway.StartAsync(Yaml.TwoProviders(openAI.BaseUrl, anthropic.BaseUrl, """
              - model: mistral/mistral-large
                access_key: $UNREACHABLE_KEY
                base_url: http://127.0.0.1:1/v1
            """), keys);

        var responses = new StringBuilder();
        async Task Call(string path, string json)
        {
            using var r = await gateway.Http.SendAsync(JsonPost(path, json));
            responses.Append(r.Headers).Append(r.Content.Headers).Append(await r.Content.ReadAsStringAsync());
        }

        openAI.RespondJson(Canned.OpenAIChat());
        await Call("/v1/chat/completions", """{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}""");
        openAI.RespondSse(Canned.OpenAIStream());
        await Call("/v1/chat/completions", """{"model":"gpt-4.1","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        anthropic.RespondJson(Canned.AnthropicMessage());
        await Call("/v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""");
        // Upstreams that echo what they got in their errors must not leak it either... they never get the client's key.
        anthropic.RespondJson("""{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}""", 401);
        await Call("/v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""");
        await Call("/v1/chat/completions", """{"model":"mistral/mistral-large","messages":[{"role":"user","content":"hi"}]}""");
        await Call("/v1/chat/completions", """{"model":"gpt-4.1","messages":[""");
        using (var models = await gateway.Http.GetAsync("/v1/models")) responses.Append(await models.Content.ReadAsStringAsync());
        using (var health = await gateway.Http.GetAsync("/healthz?verbose=true")) responses.Append(await health.Content.ReadAsStringAsync());
        await gateway.Logs.WaitForLineAsync("model=mistral/mistral-large");

        var everything = responses + string.Join("\n", gateway.Logs.Lines);
        Assert.True(gateway.Logs.Lines.Count >= 6, "expected request log lines");
        foreach (var secret in keys.Values)
        {
            Assert.DoesNotContain(secret, everything);
            Assert.DoesNotContain(secret[^8..], everything);
        }
        // And the configured keys did travel to the upstreams that needed them.
        Assert.Contains(openAI.Requests, r => r.Header("authorization") == "Bearer " + keys["OPENAI_API_KEY"]);
    }

    [Fact]
    public async Task Models_lists_literals_and_aliases_in_openai_or_anthropic_shape()
    {
        await using var gateway = await TestGateway.StartAsync("""
            model_providers:
              - model: openai/gpt-4.1
                access_key: k
                default: true
              - model: anthropic/claude-sonnet-4-5
                access_key: k
            model_aliases:
              fast-model:
                target: openai/gpt-4.1
            """);
        using var openAIList = JsonDocument.Parse(await gateway.Http.GetStringAsync("/v1/models"));
        Assert.Equal("list", openAIList.RootElement.GetProperty("object").GetString());
        string[] expected = ["openai/gpt-4.1", "anthropic/claude-sonnet-4-5", "fast-model"];
        Assert.Equal(expected, openAIList.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString() ?? "").ToArray());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Add("anthropic-version", "2023-06-01");
        using var response = await gateway.Http.SendAsync(request);
        using var anthropicList = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var first = anthropicList.RootElement.GetProperty("data")[0];
        Assert.Equal("model", first.GetProperty("type").GetString());
        Assert.Equal("openai/gpt-4.1", anthropicList.RootElement.GetProperty("first_id").GetString());
        Assert.False(anthropicList.RootElement.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task Healthz_answers_and_verbose_shows_providers_without_keys()
    {
        await using var gateway = await TestGateway.StartAsync("model_providers:\n  - model: openai/gpt-4.1\n    access_key: $NOT_SET_ANYWHERE\n    default: true\n");
        using var health = JsonDocument.Parse(await gateway.Http.GetStringAsync("/healthz?verbose=true"));
        Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
        var provider = health.RootElement.GetProperty("providers")[0];
        Assert.False(provider.GetProperty("key_set").GetBoolean());
        Assert.Equal("NOT_SET_ANYWHERE", provider.GetProperty("missing_key_variable").GetString());
        var runtime = health.RootElement.GetProperty("runtime");
        Assert.True(runtime.GetProperty("working_set_bytes").GetInt64() > 0);
        Assert.Equal(3, runtime.GetProperty("gc_collections").GetArrayLength());
        Assert.True(runtime.GetProperty("gc_pause_total_ms").GetDouble() >= 0);
        Assert.True(runtime.GetProperty("allocated_bytes").GetInt64() > 0);
    }
}
