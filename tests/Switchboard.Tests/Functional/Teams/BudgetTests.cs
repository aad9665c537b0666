using Microsoft.AspNetCore.Http;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Switchboard.Tests.Functional.Teams;

/// <summary>Budgets reserve the worst case before sending and settle to the real cost: concurrency cannot overrun them.</summary>
[Trait("Kind", "Functional")]
public sealed class BudgetTests : TeamTest
{

    internal const int MaxTokens = 40;

    /// <summary>The tokens a request reserves: its body at 3 bytes a token, plus its max_tokens.</summary>
    internal static int ReservedTokens(HttpRequestMessage request) => (int)request.Content!.Headers.ContentLength!.Value / 3 + 1 + MaxTokens;

    /// <summary>Priced at $1 per million tokens (a token is a micro-dollar), a budget of <paramref name="fits"/> worst cases.</summary>
    internal static string Config(FakeUpstream openAI, FakeUpstream anthropic, int reserved, int fits, string stateExtra = "") => Team.Config(openAI, anthropic,
        openAIExtra: "pricing: {input: 1, output: 1}",
        extra: $"""
            gateway_keys:
              - name: team-b
                key: $TEAM_B_KEY
                budget:
                  usd: {(fits * reserved / 1e6m).ToString(CultureInfo.InvariantCulture)}
                  period: day
              - name: ops
                key: $ADMIN_KEY
                admin: true
            llm_providers:
              - model: anthropic/house-model-without-a-price
                access_key: $ANTHROPIC_API_KEY
                base_url: {anthropic.BaseUrl.ToString().TrimEnd('/')}
            {stateExtra}
            """);

    /// <summary>Answers slowly (so requests overlap), reporting usage that costs exactly the worst case.</summary>
    internal static void SlowWorstCase(FakeUpstream upstream, int reserved) => upstream.Handler = async (c, _) =>
    {
        await Task.Delay(300);
        c.Response.ContentType = "application/json";
        await c.Response.WriteAsync(Canned.OpenAIChat(prompt: reserved - MaxTokens, completion: MaxTokens));
    };

    [Fact]
    public async Task Thirty_concurrent_requests_against_a_budget_that_fits_five_never_spend_more()
    {
        var reserved = ReservedTokens(Team.Chat("sb-team-b-SECRET", maxTokens: MaxTokens));
        SlowWorstCase(OpenAIUpstream, reserved);
        await using var gateway = await TestGateway.StartAsync(Config(OpenAIUpstream, AnthropicUpstream, reserved, fits: 5), Team.Env);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => Team.StatusAsync(gateway, Team.Chat("sb-team-b-SECRET", maxTokens: MaxTokens))));

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(25, statuses.Count(s => s == (HttpStatusCode)429));
        Assert.Equal(5, OpenAIUpstream.Requests.Count);
        var budget = await BudgetOfAsync(gateway, "team-b");
        Assert.Equal(5 * reserved / 1e6, budget.GetProperty("spent_usd").GetDouble(), 9);
        Assert.Equal(0, budget.GetProperty("remaining_usd").GetDouble(), 9);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_refusal_names_the_budget_and_what_is_spent_in_the_clients_format(bool anthropic)
    {
        OpenAIUpstream.RespondJson(Canned.OpenAIChat(prompt: 10, completion: 5));
        AnthropicUpstream.RespondJson(Canned.AnthropicMessage());
        var reserved = ReservedTokens(Team.Chat("sb-team-b-SECRET", maxTokens: MaxTokens));
        await using var gateway = await TestGateway.StartAsync(Config(OpenAIUpstream, AnthropicUpstream, reserved, fits: 1), Team.Env);
        // The first costs 15 tokens of its reservation; the second's worst case no longer fits. A model neither the price table nor the config prices: refused outright.
        Assert.Equal(HttpStatusCode.OK, await Team.StatusAsync(gateway, Team.Chat("sb-team-b-SECRET", maxTokens: MaxTokens)));
        using var refused = await gateway.Http.SendAsync(anthropic ? Team.Messages("sb-team-b-SECRET", model: "openai/gpt-4.1", maxTokens: MaxTokens) : Team.Chat("sb-team-b-SECRET", maxTokens: MaxTokens));
        Assert.Equal((HttpStatusCode)429, refused.StatusCode);
        var message = await Team.ErrorMessageAsync(refused, anthropic, "rate_limit_error");
        Assert.Matches(@"budget of team-b exhausted: \$0\.000015 of \$0\.0\d+ this day", message);
        Assert.NotNull(refused.Headers.RetryAfter);
        using var unpriced = await gateway.Http.SendAsync(Team.Messages("sb-team-b-SECRET", model: "anthropic/house-model-without-a-price"));
        Assert.Equal(HttpStatusCode.Forbidden, unpriced.StatusCode);
        Assert.Contains("has no price", await Team.ErrorMessageAsync(unpriced, anthropic: true));
    }

    internal static async Task<JsonElement> BudgetOfAsync(TestGateway gateway, string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/switchboard/keys");
        request.Headers.Authorization = new("Bearer", "sb-admin-SECRET");
        using var response = await gateway.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("name").GetString() == name).GetProperty("budget").Clone();
    }
}
