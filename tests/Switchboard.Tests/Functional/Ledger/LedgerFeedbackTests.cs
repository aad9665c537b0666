using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.Config;
using Switchboard.Ledger.Storage;
using Switchboard.Routing.Feedback;

namespace Switchboard.Tests.Functional.Ledger;

/// <summary>
/// Routing feedback kept in the ledger (issue #17 on the ledger of #15): a feedback file from before the ledger is
/// imported once, corrections and ratings then go to the ledger's database, survive a restart, reach another replica
/// of a PostgreSQL ledger, and the ratings show per model in /switchboard/usage and the dashboard.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class LedgerFeedbackTests : LedgerGatewayTest
{
    private const string Prompt = "Where can we leave our suitcases for the afternoon before checking out";

    private string Yaml(string? ledger) => $"""
        model_providers:
          - model: openai/gpt-4.1
            access_key: $OPENAI_API_KEY
            base_url: {OpenAIUpstream.BaseUrl}v1
            default: true
            routing_preferences:
              - name: flights
                description: booking, changing or cancelling flights, baggage allowance and seats
          - model: anthropic/claude-sonnet-4-5
            access_key: $ANTHROPIC_API_KEY
            base_url: {AnthropicUpstream.BaseUrl}
            routing_preferences:
              - name: hotels
                description: finding and booking hotels, apartments and places to stay
        # These tests are about where feedback is kept: the lexical router decides the same from the first request,
        # where the semantic stage would change its answers once its encoder has loaded in the background.
        routing:
          semantic: off
        {ledger}
        """;

    private async Task<TestGateway> StartAsync(string configPath, string yaml)
    {
        await File.WriteAllTextAsync(configPath, yaml);
        SharedFeedbackStore.ForgetShared(configPath); // a new process
        var load = ConfigLoader.LoadText(yaml, sourcePath: configPath, env: new EnvironmentSource(name => TestKit.Yaml.Keys.GetValueOrDefault(name)));
        Assert.True(load.Succeeded, string.Join("\n", load.Diagnostics));
        return await TestGateway.StartAsync(load.Config!);
    }

    private static Task<(string Id, string? Route)> AskAsync(TestGateway gateway, string prompt) => Routing.FeedbackTests.AskAsync(gateway, prompt);

    private static async Task<JsonElement> FeedbackAsync(TestGateway gateway, string json)
    {
        var (status, body) = await Routing.FeedbackTests.PostFeedbackAsync(gateway, json);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        return body;
    }

    private void Answer()
    {
        OpenAIUpstream.RespondJson(Canned.OpenAIChat("ok"));
        AnthropicUpstream.RespondJson(Canned.AnthropicMessage("ok"));
    }

    [Fact]
    public async Task Feedback_moves_into_the_sqlite_ledger_once_and_survives_a_restart()
    {
        Answer();
        var configPath = Path.Combine(StateDir, "team.yaml");
        var ledgerPath = Path.Combine(StateDir, "ledger.db");
        var filePath = JsonlFeedbackStore.PathBeside(configPath);

        // Before the ledger: a correction lands in the file beside the config.
        string corrected;
        await using (var before = await StartAsync(configPath, Yaml(ledger: null)))
        {
            var (id, routed) = await AskAsync(before, Prompt);
            corrected = routed == "hotels" ? "flights" : "hotels";
            await FeedbackAsync(before, $$"""{"request_id": "{{id}}", "route": "{{corrected}}"}""");
        }
        Assert.Single(File.ReadAllLines(filePath));

        var withLedger = Yaml($"ledger:\n  path: {ledgerPath}");
        await using (var gateway = await StartAsync(configPath, withLedger))
        {
            await gateway.Logs.WaitForLineAsync("feedback: kept in the ledger");
            Assert.Contains(gateway.Logs.Lines, line => line.Contains("1 record(s), 1 imported from"));
            Assert.Equal(corrected, (await AskAsync(gateway, Prompt)).Route); // the imported correction decides

            var (flightId, _) = await AskAsync(gateway, "Book me on the morning flight to Rome");
            var rating = await FeedbackAsync(gateway, $$"""{"request_id": "{{flightId}}", "rating": "bad"}""");
            Assert.Equal("openai/gpt-4.1", rating.GetProperty("model").GetString());
            var (hotelId, _) = await AskAsync(gateway, "Find a hotel near the Eiffel Tower under 150 a night");
            await FeedbackAsync(gateway, $$"""{"request_id": "{{hotelId}}", "route": "flights"}""");

            var usage = await gateway.Http.GetFromJsonAsync<JsonElement>("/switchboard/usage?by=model&since=1h");
            var gpt = usage.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("key").GetString() == "openai/gpt-4.1");
            Assert.Equal(1, gpt.GetProperty("rated_bad").GetInt64());
            Assert.False(gpt.TryGetProperty("rated_good", out _)); // none: omitted
            Assert.Equal(1, usage.GetProperty("total").GetProperty("rated_bad").GetInt64());
            var byRoute = await gateway.Http.GetFromJsonAsync<JsonElement>("/switchboard/usage?by=route&since=1h");
            Assert.False(byRoute.GetProperty("total").TryGetProperty("rated_bad", out _)); // ratings are per model
        }
        Assert.Single(File.ReadAllLines(filePath)); // the ledger keeps them now; the file is left as it was

        // A restart: everything comes back from the ledger, and importing the file again adds nothing.
        await using (var restarted = await StartAsync(configPath, withLedger))
        {
            await restarted.Logs.WaitForLineAsync("feedback: kept in the ledger");
            Assert.Contains(restarted.Logs.Lines, line => line.Contains("3 record(s), 0 imported from"));
            Assert.Equal(corrected, (await AskAsync(restarted, Prompt)).Route);
            Assert.Equal("flights", (await AskAsync(restarted, "Find a hotel near the Eiffel Tower under 150 a night")).Route);
        }
        await using var store = new SqliteLedgerStore(ledgerPath);
        var kept = new List<FeedbackRecord>();
        await foreach (var record in store.ReadFeedbackAsync(long.MinValue, CancellationToken.None)) kept.Add(record);
        Assert.Equal(["correction", "rating", "correction"], kept.Select(r => r.Kind));
    }

    [PostgresFact]
    public async Task Two_replicas_of_one_postgres_ledger_learn_from_each_others_corrections()
    {
        Answer();
        var connection = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        var yaml = Yaml($"ledger:\n  postgres: \"{connection}\"");
        // Two machines: the same config, each in its own folder.
        Directory.CreateDirectory(Path.Combine(StateDir, "a"));
        Directory.CreateDirectory(Path.Combine(StateDir, "b"));
        await using var a = await StartAsync(Path.Combine(StateDir, "a", "config.yaml"), yaml);
        await using var b = await StartAsync(Path.Combine(StateDir, "b", "config.yaml"), yaml);

        // A prompt of this test's own: routing decisions are cached per process by policy and conversation, and the
        // other tests here (same routes) correct Prompt itself.
        const string prompt = Prompt + " with the children";
        var (id, routed) = await AskAsync(a, prompt);
        Assert.Equal(routed, (await AskAsync(b, prompt)).Route);
        Assert.Equal(routed, (await AskAsync(b, prompt + " today")).Route); // B has this decision cached before the correction
        var corrected = routed == "hotels" ? "flights" : "hotels";
        await FeedbackAsync(a, $$"""{"request_id": "{{id}}", "route": "{{corrected}}"}""");
        await FeedbackAsync(a, $$"""{"request_id": "{{id}}", "rating": "good"}""");

        // B reads A's correction within its refresh interval (5 s).
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string? seen;
        while ((seen = (await AskAsync(b, prompt + " today")).Route) != corrected && DateTime.UtcNow < deadline) await Task.Delay(250);
        Assert.Equal(corrected, seen);
        var usage = await b.Http.GetFromJsonAsync<JsonElement>("/switchboard/usage?by=model&since=1h");
        Assert.Equal(1, usage.GetProperty("total").GetProperty("rated_good").GetInt64());
    }

    [ChromiumFact]
    public async Task The_dashboard_shows_each_models_ratings()
    {
        Answer();
        var configPath = Path.Combine(StateDir, "ui.yaml");
        await using var gateway = await StartAsync(configPath, Yaml($"ledger:\n  path: {Path.Combine(StateDir, "ui.db")}"));
        foreach (var rating in new[] { "good", "good", "good", "bad" })
        {
            var (id, _) = await AskAsync(gateway, "Book me on the morning flight to Rome " + rating);
            await FeedbackAsync(gateway, $$"""{"request_id": "{{id}}", "rating": "{{rating}}"}""");
        }

        await using var browser = await HeadlessChromium.StartAsync();
        await browser.NavigateAsync(new Uri(gateway.BaseUrl, "/switchboard/ui"));
        await browser.WaitForAsync("document.body?.dataset.state === 'ready'", "document.getElementById('error')?.textContent", TimeSpan.FromSeconds(30));
        var row = (await browser.EvaluateAsync("document.querySelector('#by-model tr[data-key=\"openai/gpt-4.1\"] td:last-child')?.textContent ?? 'missing'")).GetString();
        Assert.Equal("75% good (3 good / 1 bad)", row);
        Assert.Equal("rated", (await browser.EvaluateAsync("document.querySelector('#by-model th:last-child').textContent")).GetString());
        Assert.Equal("", await browser.ClippedSectionsAsync()); // the ratings are seen, not scrolled out of the table
    }
}
