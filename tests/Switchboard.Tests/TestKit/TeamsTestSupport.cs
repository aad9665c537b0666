using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Switchboard.Tests.TestKit;

/// <summary>Requests and assertions shared by the team tests (named keys, limits, budgets, cache, Redis).</summary>
internal static class Team
{
    public static readonly IReadOnlyDictionary<string, string> Env = new Dictionary<string, string>(Yaml.Keys)
    {
        ["TEAM_A_KEY"] = "sb-team-a-SECRET",
        ["TEAM_B_KEY"] = "sb-team-b-SECRET",
        ["ADMIN_KEY"] = "sb-admin-SECRET",
    };

    /// <summary>One OpenAI-API and one Anthropic-API model at fakes, plus <paramref name="extra"/> config.</summary>
    public static string Config(FakeUpstream openAI, FakeUpstream anthropic, string openAIExtra = "", string extra = "") => $"""
        version: v1
        model_providers:
          - model: openai/gpt-4.1
            access_key: $OPENAI_API_KEY
            base_url: {openAI.BaseUrl.ToString().TrimEnd('/')}/v1
            default: true
            {Indent(openAIExtra, 4)}
          - model: anthropic/claude-sonnet-4-5
            access_key: $ANTHROPIC_API_KEY
            base_url: {anthropic.BaseUrl.ToString().TrimEnd('/')}
        {extra}
        """;

    private static string Indent(string text, int spaces) => string.Join("\n" + new string(' ', spaces), text.Split('\n'));

    public static HttpRequestMessage Chat(string key, string model = "openai/gpt-4.1", bool stream = false, string text = "hi", int? maxTokens = null)
    {
        var body = $$"""{"model":"{{model}}",{{(maxTokens is { } m ? $"\"max_tokens\":{m}," : "")}}"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"{{text}}"}]}""";
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key.Length > 0) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    public static HttpRequestMessage Messages(string key, string model = "anthropic/claude-sonnet-4-5", bool stream = false, string text = "hi", int maxTokens = 50)
    {
        var body = $$"""{"model":"{{model}}","max_tokens":{{maxTokens}},"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"{{text}}"}]}""";
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("anthropic-version", "2023-06-01");
        if (key.Length > 0) request.Headers.Add("x-api-key", key);
        return request;
    }

    /// <summary>The error's message, asserting the body is the client API's error shape.</summary>
    public static async Task<string> ErrorMessageAsync(HttpResponseMessage response, bool anthropic, string? expectedType = null)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        if (anthropic) Assert.Equal("error", root.GetProperty("type").GetString());
        else Assert.False(root.TryGetProperty("type", out _), "OpenAI's error has no top-level type");
        var error = root.GetProperty("error");
        if (expectedType is not null) Assert.Equal(expectedType, error.GetProperty("type").GetString());
        return error.GetProperty("message").GetString()!;
    }

    public static async Task<HttpStatusCode> StatusAsync(TestGateway gateway, HttpRequestMessage request)
    {
        using (request)
        using (var response = await gateway.Http.SendAsync(request))
        {
            await response.Content.ReadAsByteArrayAsync();
            return response.StatusCode;
        }
    }
}

/// <summary>
/// Base for the team tests: a fresh fake OpenAI-format and Anthropic-format upstream per test, answering canned JSON
/// until a test says otherwise; each test starts its own gateway on its own config (<see cref="Team.Config"/>).
/// </summary>
public abstract class TeamTest : IAsyncLifetime
{
    private protected FakeUpstream OpenAIUpstream { get; private set; } = null!;
    private protected FakeUpstream AnthropicUpstream { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        OpenAIUpstream = await FakeUpstream.StartAsync();
        AnthropicUpstream = await FakeUpstream.StartAsync();
        OpenAIUpstream.RespondJson(Canned.OpenAIChat());
        AnthropicUpstream.RespondJson(Canned.AnthropicMessage());
    }

    public virtual async Task DisposeAsync()
    {
        await OpenAIUpstream.DisposeAsync();
        await AnthropicUpstream.DisposeAsync();
    }
}
