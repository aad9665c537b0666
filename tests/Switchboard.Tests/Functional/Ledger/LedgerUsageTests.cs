using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Switchboard.Tests.Functional.Ledger;

/// <summary>
/// The ledger end to end on SQLite: a real gateway with fake upstreams in both wire formats, requests in both client
/// APIs (streamed and not, cache tokens included), and /switchboard/usage's totals checked against the upstreams'
/// tokens × the configured prices, exactly.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class LedgerUsageTests : LedgerGatewayTest
{
    private string Config(string extra = "") => $"""
        version: v1
        model_providers:
          - model: openai/gpt-4.1
            access_key: $OPENAI_API_KEY
            base_url: {OpenAIUpstream.BaseUrl.ToString().TrimEnd('/')}/v1
            default: true
            pricing: {"{"}input: 2, output: 8, cache_read: 0.5{"}"}
          - model: anthropic/claude-sonnet-4-5
            access_key: $ANTHROPIC_API_KEY
            base_url: {AnthropicUpstream.BaseUrl.ToString().TrimEnd('/')}
            pricing: {"{"}input: 3, output: 15, cache_read: 0.3, cache_write: 3.75{"}"}
          - model: ollama/llama3
            base_url: {OpenAIUpstream.BaseUrl.ToString().TrimEnd('/')}/v1
        ledger:
          path: {Path.Combine(StateDir, "ledger.db")}
        {extra}
        """;

    internal static Task<HttpResponseMessage> PostJson(HttpClient http, string path, string json, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return http.SendAsync(request);
    }

    [Fact]
    public async Task Usage_totals_are_the_upstreams_tokens_times_the_configured_prices()
    {
        // OpenAI: 1000 prompt tokens of which 400 cached, 200 completion (50 of them reasoning).
        OpenAIUpstream.RespondJson("""
            {"id":"c1","object":"chat.completion","created":1,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":1000,"completion_tokens":200,"total_tokens":1200,"prompt_tokens_details":{"cached_tokens":400},"completion_tokens_details":{"reasoning_tokens":50}}}
            """);
        // Anthropic: 100 uncached + 2000 cache read + 500 cache write, 300 output.
        AnthropicUpstream.RespondJson("""
            {"id":"m1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","stop_sequence":null,
             "usage":{"input_tokens":100,"cache_read_input_tokens":2000,"cache_creation_input_tokens":500,"output_tokens":300}}
            """);
        await using var gateway = await TestGateway.StartAsync(Config(), Yaml.Keys);

        var a = await PostJson(gateway.Http, "/v1/chat/completions", """{"model":"openai/gpt-4.1","messages":[{"role":"user","content":"hi"}]}""", ("x-claude-code-session-id", "sess-1"));
        Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        var b = await PostJson(gateway.Http, "/v1/messages", """{"model":"anthropic/claude-sonnet-4-5","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}""",
            ("anthropic-version", "2023-06-01"), ("x-claude-code-session-id", "sess-1"), ("user-agent", "claude-cli/2.0.14 (external, cli)"));
        Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        await gateway.Logs.WaitForLineAsync($"request {b.Headers.GetValues("x-switchboard-request-id").Single()}");

        var usage = await gateway.Http.GetFromJsonAsync<JsonElement>("/switchboard/usage?since=1h&by=model");
        var total = usage.GetProperty("total");
        Assert.Equal(2, total.GetProperty("requests").GetInt64());
        Assert.Equal(1000 + 2600, total.GetProperty("input_tokens").GetInt64());
        Assert.Equal(400 + 2000, total.GetProperty("cache_read_tokens").GetInt64());
        Assert.Equal(500, total.GetProperty("cache_write_tokens").GetInt64());
        Assert.Equal(500, total.GetProperty("output_tokens").GetInt64());
        Assert.Equal(50, total.GetProperty("reasoning_tokens").GetInt64());
        var openAICost = (600 * 2m + 400 * 0.5m + 200 * 8m) / 1_000_000m;
        var anthropicCost = (100 * 3m + 2000 * 0.3m + 500 * 3.75m + 300 * 15m) / 1_000_000m;
        Assert.Equal(openAICost + anthropicCost, total.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(0, total.GetProperty("unpriced_requests").GetInt64());

        var rows = usage.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("key").GetString()!);
        Assert.Equal(anthropicCost, rows["anthropic/claude-sonnet-4-5"].GetProperty("cost_usd").GetDecimal());
        Assert.Equal(openAICost, rows["openai/gpt-4.1"].GetProperty("cost_usd").GetDecimal());

        var byAgent = await gateway.Http.GetFromJsonAsync<JsonElement>("/switchboard/usage?by=agent");
        Assert.Contains(byAgent.GetProperty("rows").EnumerateArray(), r => r.GetProperty("key").GetString() == "claude-code/2.0.14");

        var sessions = await gateway.Http.GetFromJsonAsync<JsonElement>("/switchboard/usage/sessions?since=1d");
        var session = Assert.Single(sessions.GetProperty("sessions").EnumerateArray());
        Assert.Equal("sess-1", session.GetProperty("session").GetString());
        Assert.Equal(openAICost + anthropicCost, session.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(["anthropic/claude-sonnet-4-5", "openai/gpt-4.1"], session.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task An_unpriced_model_is_reported_unpriced_never_free()
    {
        OpenAIUpstream.RespondJson(Canned.OpenAIChat(prompt: 10, completion: 5));
        await using var gateway = await TestGateway.StartAsync(Config(), Yaml.Keys);
        var response = await PostJson(gateway.Http, "/v1/chat/completions", """{"model":"ollama/llama3","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await gateway.Logs.WaitForLineAsync($"request {response.Headers.GetValues("x-switchboard-request-id").Single()}");

        var usage = await gateway.Http.GetFromJsonAsync<JsonElement>("/switchboard/usage");
        var total = usage.GetProperty("total");
        Assert.Equal(1, total.GetProperty("unpriced_requests").GetInt64());
        Assert.Equal(JsonValueKind.Null, total.GetProperty("cost_usd").ValueKind);
        var recent = await gateway.Http.GetFromJsonAsync<JsonElement>("/switchboard/usage/requests?limit=5");
        var row = Assert.Single(recent.GetProperty("requests").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("cost_usd").ValueKind);
        Assert.Equal(10, row.GetProperty("input_tokens").GetInt64());
    }

    [Fact]
    public async Task The_sqlite_ledger_survives_a_restart()
    {
        OpenAIUpstream.RespondJson(Canned.OpenAIChat(prompt: 1000, completion: 100));
        await using (var first = await TestGateway.StartAsync(Config(), Yaml.Keys))
        {
            var response = await PostJson(first.Http, "/v1/chat/completions", """{"model":"openai/gpt-4.1","messages":[{"role":"user","content":"hi"}]}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await first.Logs.WaitForLineAsync($"request {response.Headers.GetValues("x-switchboard-request-id").Single()}");
        }
        await using var second = await TestGateway.StartAsync(Config(), Yaml.Keys);
        var usage = await second.Http.GetFromJsonAsync<JsonElement>("/switchboard/usage?since=1h");
        Assert.Equal(1, usage.GetProperty("total").GetProperty("requests").GetInt64());
        Assert.Equal((1000 * 2m + 100 * 8m) / 1_000_000m, usage.GetProperty("total").GetProperty("cost_usd").GetDecimal());
    }

    [Fact]
    public async Task Bad_queries_get_a_clear_error()
    {
        await using var gateway = await TestGateway.StartAsync(Config(), Yaml.Keys);
        var response = await gateway.Http.GetAsync("/switchboard/usage?by=colour");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("model, route, key, session, day, provider, agent", await response.Content.ReadAsStringAsync());
        response = await gateway.Http.GetAsync("/switchboard/usage?since=yesterdayish");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("7d", await response.Content.ReadAsStringAsync());
    }
}
