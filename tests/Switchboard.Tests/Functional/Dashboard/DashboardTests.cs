using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Tests.Functional.Dashboard;

/// <summary>
/// GET /switchboard/ui in a real headless Chromium: a real gateway with a SQLite ledger and fake upstreams, requests to
/// two priced models and one unpriced, then the page must show them (per model, per route, spend, sessions) and take
/// in a new request live, from /switchboard/events, without a reload.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class DashboardTests : LedgerGatewayTest
{
    private string Config() => $"""
        version: v1
        model_providers:
          - model: openai/gpt-4.1
            access_key: $OPENAI_API_KEY
            base_url: {OpenAIUpstream.BaseUrl.ToString().TrimEnd('/')}/v1
            default: true
            pricing: {"{"}input: 2, output: 8{"}"}
          - model: anthropic/claude-sonnet-4-5
            access_key: $ANTHROPIC_API_KEY
            base_url: {AnthropicUpstream.BaseUrl.ToString().TrimEnd('/')}
            pricing: {"{"}input: 3, output: 15{"}"}
          - model: ollama/llama3
            base_url: {OpenAIUpstream.BaseUrl.ToString().TrimEnd('/')}/v1
        ledger:
          path: {Path.Combine(StateDir, "ledger.db")}
        """;

    private static Task<HttpResponseMessage> Anthropic(TestGateway gateway, string session) =>
        LedgerUsageTests.PostJson(gateway.Http, "/v1/messages", """{"model":"anthropic/claude-sonnet-4-5","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}""",
            ("anthropic-version", "2023-06-01"), ("x-claude-code-session-id", session));

    [Fact]
    public async Task The_page_is_self_contained_and_locked_down()
    {
        await using var gateway = await TestGateway.StartAsync(Config(), Yaml.Keys);
        var response = await gateway.Http.GetAsync("/switchboard/ui");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("connect-src 'self'", csp);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", ""));
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("innerHTML", html);
    }

    [ChromiumFact]
    public async Task The_dashboard_shows_the_traffic_and_updates_live_in_headless_chromium()
    {
        OpenAIUpstream.Handler = (context, request) => // gpt-4.1: 1000 in / 200 out; llama3 (unpriced): 10 in / 5 out
            WriteJson(context, request.Body.Contains("llama3") ? Canned.OpenAIChat(model: "llama3", prompt: 10, completion: 5) : Canned.OpenAIChat(prompt: 1000, completion: 200));
        AnthropicUpstream.RespondJson(Canned.AnthropicMessage(input: 100, output: 300));
        await using var gateway = await TestGateway.StartAsync(Config(), Yaml.Keys);

        var a = await LedgerUsageTests.PostJson(gateway.Http, "/v1/chat/completions", """{"model":"openai/gpt-4.1","messages":[{"role":"user","content":"hi"}]}""", ("x-claude-code-session-id", "sess-dash"));
        var b = await Anthropic(gateway, "sess-dash");
        var c = await LedgerUsageTests.PostJson(gateway.Http, "/v1/chat/completions", """{"model":"ollama/llama3","messages":[{"role":"user","content":"hi"}]}""", ("x-claude-code-session-id", "<img id=pwn src=x>"));
        Assert.All([a, b, c], r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var routes = (await gateway.Http.GetFromJsonAsync<JsonElement>("/switchboard/usage?by=route&since=1h")).GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("key").GetString()!).ToList();
        Assert.NotEmpty(routes);

        await using var browser = await HeadlessChromium.StartAsync();
        await browser.NavigateAsync(new Uri(gateway.BaseUrl, "/switchboard/ui"));
        await browser.WaitForAsync("document.body?.dataset.state === 'ready' && document.body?.dataset.live === 'open'", "document.body?.dataset.state + ' ' + document.body?.dataset.live + ' ' + document.getElementById('error')?.textContent", TimeSpan.FromSeconds(30));

        string Row(string table, string key) => $"document.querySelector('#{table} tr[data-key=\"{key}\"]')?.textContent ?? 'missing'";
        var gpt = (await browser.EvaluateAsync(Row("by-model", "openai/gpt-4.1"))).GetString()!;
        Assert.Contains("$0.00360", gpt); // (1000 × 2 + 200 × 8) / 1e6
        var claude = (await browser.EvaluateAsync(Row("by-model", "anthropic/claude-sonnet-4-5"))).GetString()!;
        Assert.Contains("$0.00480", claude); // (100 × 3 + 300 × 15) / 1e6
        var llama = (await browser.EvaluateAsync(Row("by-model", "ollama/llama3"))).GetString()!;
        Assert.Contains("unpriced", llama);
        Assert.DoesNotContain("$0", llama);
        foreach (var route in routes)
            Assert.NotEqual("missing", (await browser.EvaluateAsync(Row("by-route", route))).GetString());

        Assert.Equal(1, (await browser.EvaluateAsync("document.querySelectorAll('#spend-chart svg rect.bar').length")).GetInt32());
        Assert.Contains("$0.00840", (await browser.EvaluateAsync("document.querySelector('#spend-chart svg').textContent")).GetString());
        var sessions = (await browser.EvaluateAsync("document.querySelector('#sessions').textContent")).GetString()!;
        Assert.Contains("sess-dash", sessions);
        Assert.Contains("anthropic/claude-sonnet-4-5, openai/gpt-4.1", sessions);
        Assert.Contains("<img id=pwn src=x>", sessions); // shown as text...
        Assert.Equal(JsonValueKind.True, (await browser.EvaluateAsync("document.getElementById('pwn') === null")).ValueKind); // ...never as markup
        Assert.Equal(3, (await browser.EvaluateAsync("document.querySelectorAll('#live tbody tr').length")).GetInt32());

        // Live: a request made after the page loaded arrives through /switchboard/events, and the tables follow.
        var d = await Anthropic(gateway, "sess-live");
        Assert.Equal(HttpStatusCode.OK, d.StatusCode);
        var id = d.Headers.GetValues("x-switchboard-request-id").Single();
        await browser.WaitForAsync($"document.querySelector('#live tr[data-request-id=\"{id}\"]') !== null", "document.querySelector('#live').textContent");
        await browser.WaitForAsync($"document.querySelector('#by-model tr[data-key=\"anthropic/claude-sonnet-4-5\"] td:nth-child(2)')?.textContent === '2'",
            Row("by-model", "anthropic/claude-sonnet-4-5"));
        await browser.WaitForAsync("document.querySelector('#sessions').textContent.includes('sess-live')", "document.querySelector('#sessions').textContent");

        Assert.Equal("", await browser.ClippedSectionsAsync()); // at 1400 px every column shows, "rated" too

        var png = await browser.ScreenshotAsync();
        Assert.True(png.Length > 10_000, $"screenshot is only {png.Length} bytes");
        if (Environment.GetEnvironmentVariable("SWITCHBOARD_DASHBOARD_SCREENSHOT") is { Length: > 0 } path) await File.WriteAllBytesAsync(path, png);
    }

    private static async Task WriteJson(HttpContext context, string json)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }
}
