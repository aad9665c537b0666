using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Switchboard.Tests.Functional.Ledger;

/// <summary>Two gateways (replicas) write one PostgreSQL ledger: each sees the other's requests.</summary>
[Trait("Kind", "Functional")]
public sealed class SharedPostgresLedgerTests
{
    [PostgresFact]
    public async Task Two_gateways_share_one_postgres_ledger()
    {
        var connection = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        await using var openAI = await FakeUpstream.StartAsync();
        openAI.RespondJson(Canned.OpenAIChat(prompt: 1000, completion: 100));
        var config = $"""
            version: v1
            model_providers:
              - model: openai/gpt-4.1
                access_key: $OPENAI_API_KEY
                base_url: {openAI.BaseUrl.ToString().TrimEnd('/')}/v1
                default: true
            ledger:
              postgres: "{connection}"
            """;
        await using var a = await TestGateway.StartAsync(config, Yaml.Keys);
        await using var b = await TestGateway.StartAsync(config, Yaml.Keys);
        foreach (var gateway in (TestGateway[])[a, b, b])
        {
            var response = await LedgerUsageTests.PostJson(gateway.Http, "/v1/chat/completions", """{"model":"openai/gpt-4.1","messages":[{"role":"user","content":"hi"}]}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await gateway.Logs.WaitForLineAsync($"request {response.Headers.GetValues("x-switchboard-request-id").Single()}");
        }
        // Each gateway's query flushes its own queue; ask A (its row), then B sees all three.
        await a.Http.GetFromJsonAsync<JsonElement>("/switchboard/usage");
        var usage = await b.Http.GetFromJsonAsync<JsonElement>("/switchboard/usage?since=1h");
        Assert.Equal(3, usage.GetProperty("total").GetProperty("requests").GetInt64());
        Assert.Equal(3 * (1000 * 2m + 100 * 8m) / 1_000_000m, usage.GetProperty("total").GetProperty("cost_usd").GetDecimal()); // gpt-4.1's list price
        await b.Http.GetFromJsonAsync<JsonElement>("/switchboard/usage");
        var fromA = await a.Http.GetFromJsonAsync<JsonElement>("/switchboard/usage/requests?limit=10");
        Assert.Equal(3, fromA.GetProperty("requests").GetArrayLength());
    }
}
