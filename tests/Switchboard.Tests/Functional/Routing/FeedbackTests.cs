using System.Net;
using System.Text;
using System.Text.Json;
using Switchboard.Config;
using Switchboard.Routing;
using Switchboard.Routing.Feedback;

namespace Switchboard.Tests.Functional.Routing;

/// <summary>Corrections and ratings (issue #17): through the real gateway, across a restart, per policy.</summary>
[Trait("Kind", "Functional")]
public sealed class FeedbackTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("switchboard-feedback-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private static string Config(Uri openAI, Uri anthropic) => $"""
        model_providers:
          - model: openai/gpt-4.1
            access_key: $OPENAI_API_KEY
            base_url: {openAI}v1
            default: true
            routing_preferences:
              - name: flights
                description: booking, changing or cancelling flights, baggage allowance and seats
          - model: anthropic/claude-sonnet-4-5
            access_key: $ANTHROPIC_API_KEY
            base_url: {anthropic}
            routing_preferences:
              - name: hotels
                description: finding and booking hotels, apartments and places to stay
        """;

    private async Task<TestGateway> StartAsync(string configPath, string yaml)
    {
        var load = ConfigLoader.LoadText(yaml, sourcePath: configPath, env: new EnvironmentSource(name => Yaml.Keys.GetValueOrDefault(name)));
        Assert.True(load.Succeeded, string.Join("\n", load.Diagnostics));
        return await TestGateway.StartAsync(load.Config!);
    }

    internal static async Task<(string Id, string? Route)> AskAsync(TestGateway gateway, string prompt)
    {
        var body = JsonSerializer.Serialize(new { model = "auto", messages = new[] { new { role = "user", content = prompt } } });
        using var response = await gateway.Http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var route = response.Headers.TryGetValues("x-switchboard-route", out var values) ? values.Single() : null;
        return (response.Headers.GetValues("x-switchboard-request-id").Single(), route is "" or "none" ? null : route);
    }

    internal static async Task<(HttpStatusCode Status, JsonElement Body)> PostFeedbackAsync(TestGateway gateway, string json)
    {
        using var response = await gateway.Http.PostAsync("/switchboard/feedback", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private const string Prompt = "Where can we leave our suitcases for the afternoon before checking out";

    [Fact]
    public async Task A_correction_reroutes_the_same_and_close_prompts_and_survives_a_restart()
    {
        var configPath = Path.Combine(_directory, "config.yaml");
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        openAI.RespondJson(Canned.OpenAIChat("ok"));
        anthropic.RespondJson(Canned.AnthropicMessage("ok"));
        var yaml = Config(openAI.BaseUrl, anthropic.BaseUrl);

        await using (var gateway = await StartAsync(configPath, yaml))
        {
            var (id, routed) = await AskAsync(gateway, Prompt);
            var corrected = routed == "hotels" ? "flights" : "hotels";

            var (status, body) = await PostFeedbackAsync(gateway, $$"""{"request_id": "{{id}}", "route": "{{corrected}}"}""");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("correction", body.GetProperty("kind").GetString());
            Assert.Equal(routed ?? "other", body.GetProperty("routed").GetString());
            Assert.Equal(corrected, body.GetProperty("route").GetString());

            Assert.Equal(corrected, (await AskAsync(gateway, Prompt)).Route);                                   // the same prompt
            Assert.Equal(corrected, (await AskAsync(gateway, Prompt.ToUpperInvariant() + "?")).Route);          // written differently
            Assert.Equal(corrected, (await AskAsync(gateway, Prompt + " tomorrow")).Route);                      // close to it

            var (last, _) = await AskAsync(gateway, "Book me on the morning flight to Rome");
            var rating = await PostFeedbackAsync(gateway, """{"request_id": "last", "rating": "bad"}""");
            Assert.Equal(HttpStatusCode.OK, rating.Status);
            Assert.Equal(last, rating.Body.GetProperty("request_id").GetString());
            Assert.Equal("openai/gpt-4.1", rating.Body.GetProperty("model").GetString());
        }

        var lines = File.ReadAllLines(JsonlFeedbackStore.PathBeside(configPath));
        Assert.Equal(2, lines.Length);
        Assert.Contains("\"rating\":\"bad\"", lines[1]);
        Assert.DoesNotContain("SECRET", string.Join("\n", lines));

        // A restart: a new gateway process reads the corrections back from the file.
        SharedFeedbackStore.ForgetShared(configPath);
        await using (var restarted = await StartAsync(configPath, yaml))
        {
            var again = await AskAsync(restarted, Prompt);
            Assert.NotNull(again.Route);
            Assert.Equal(JsonDocument.Parse(lines[0]).RootElement.GetProperty("route").GetString(), again.Route);
        }
    }

    [Fact]
    public async Task Bad_feedback_gets_a_clear_error_in_the_openai_format()
    {
        var configPath = Path.Combine(_directory, "errors.yaml");
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        openAI.RespondJson(Canned.OpenAIChat("ok"));
        anthropic.RespondJson(Canned.AnthropicMessage("ok"));
        await using var gateway = await StartAsync(configPath, Config(openAI.BaseUrl, anthropic.BaseUrl));
        var (id, _) = await AskAsync(gateway, "Find a hotel near the Eiffel Tower under 150 a night");

        async Task Expect(HttpStatusCode expected, string json, string says)
        {
            var (status, body) = await PostFeedbackAsync(gateway, json);
            Assert.Equal(expected, status);
            Assert.Contains(says, body.GetProperty("error").GetProperty("message").GetString());
        }
        await Expect(HttpStatusCode.BadRequest, """{"route": "hotels"}""", "\"request_id\" is required");
        await Expect(HttpStatusCode.BadRequest, $$"""{"request_id": "{{id}}"}""", "either \"route\"");
        await Expect(HttpStatusCode.BadRequest, $$"""{"request_id": "{{id}}", "route": "hotels", "rating": "good"}""", "not both");
        await Expect(HttpStatusCode.BadRequest, $$"""{"request_id": "{{id}}", "rating": "meh"}""", "\"good\" or \"bad\"");
        await Expect(HttpStatusCode.BadRequest, $$"""{"request_id": "{{id}}", "route": "trains"}""", "its routes are: flights, hotels");
        await Expect(HttpStatusCode.NotFound, """{"request_id": "nope", "route": "hotels"}""", "no recent routed request 'nope'");
        await Expect(HttpStatusCode.BadRequest, "{not json", "not a JSON object");
        Assert.False(File.Exists(JsonlFeedbackStore.PathBeside(configPath)));
    }

    [Fact]
    public async Task A_gateway_without_a_config_file_says_it_cannot_keep_feedback()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        openAI.RespondJson(Canned.OpenAIChat("ok"));
        anthropic.RespondJson(Canned.AnthropicMessage("ok"));
        await using var gateway = await TestGateway.StartAsync(Config(openAI.BaseUrl, anthropic.BaseUrl), Yaml.Keys);
        var (id, _) = await AskAsync(gateway, "Find a hotel near the Eiffel Tower under 150 a night");

        var (status, body) = await PostFeedbackAsync(gateway, $$"""{"request_id": "{{id}}", "route": "flights"}""");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("without a config file", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_feedback_command_corrects_the_last_request()
    {
        var configPath = Path.Combine(_directory, "cli.yaml");
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        openAI.RespondJson(Canned.OpenAIChat("ok"));
        anthropic.RespondJson(Canned.AnthropicMessage("ok"));
        await using var gateway = await StartAsync(configPath, Config(openAI.BaseUrl, anthropic.BaseUrl));
        var (id, _) = await AskAsync(gateway, "What should we pack for a week in Iceland in winter");
        using var cli = new CliHarness();

        var result = await cli.RunAsync("feedback", "last", "--route", "other", "--url", gateway.BaseUrl.ToString());
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"Request {id} went to", result.Out);
        Assert.Contains("go to other", result.Out);
        Assert.Null((await AskAsync(gateway, "What should we pack for a week in Iceland in winter")).Route);

        var usage = await cli.RunAsync("feedback", "last", "--good", "--bad", "--url", gateway.BaseUrl.ToString());
        Assert.Equal(2, usage.ExitCode);
        var unknown = await cli.RunAsync("feedback", "last", "--route", "trains", "--url", gateway.BaseUrl.ToString());
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("its routes are: flights, hotels", unknown.Error);
    }

    private static readonly RoutePolicy Travel = new(
    [
        new RouteDefinition("flights", "booking, changing or cancelling flights", "m1"),
        new RouteDefinition("hotels", "finding and booking hotels", "m2"),
        new RouteDefinition("itinerary", "planning what to see and do", "m3"),
    ]);

    private static FeedbackRecord Correction(RoutePolicy policy, string prompt, string route) => new()
    {
        Kind = FeedbackRecord.CorrectionKind, Time = DateTimeOffset.UnixEpoch, RequestId = "r", Policy = PolicyKey.Of(policy),
        PolicyRoutes = policy.Routes.Select(r => r.Name).ToArray(), Prompt = prompt, Route = route,
    };

    private static RouterInput Input(string text) => new([new RouterTurn(TurnRole.User, text)]);

    [Fact]
    public void Corrections_never_cross_policies_and_retire_with_their_route()
    {
        var store = new JsonlFeedbackStore(path: null);
        store.Append(Correction(Travel, "where do we leave the luggage before check out", "itinerary"));
        store.Append(Correction(Travel, "is there a lounge pass for the layover", "flights"));
        var router = new LearningRouteSelector(new EmbeddedRouteSelector(), store);

        Assert.Equal("itinerary", router.TrySelect(Input("Where do we leave the luggage before check-out?"), Travel)?.Route);
        // A reworded description or another model is the same policy.
        var reworded = new RoutePolicy([.. Travel.Routes.Select(r => r with { Description = r.Description + " and more", Model = "x" })]);
        Assert.Equal("itinerary", router.TrySelect(Input("where do we leave the luggage before check out"), reworded)?.Route);
        // Another policy that happens to have a route of the same name: nothing crosses.
        var other = new RoutePolicy([new RouteDefinition("itinerary", "planning", "m"), new RouteDefinition("billing", "invoices", "m")]);
        Assert.Null(router.TrySelect(Input("where do we leave the luggage before check out"), other));
        // The policy without "itinerary": that route's corrections retire, the others still hold.
        var fewer = new RoutePolicy([Travel.Routes[0], Travel.Routes[1]]);
        Assert.Null(router.TrySelect(Input("where do we leave the luggage before check out"), fewer));
        Assert.Equal("flights", router.TrySelect(Input("is there a lounge pass for the layover"), fewer)?.Route);
    }

    [Fact]
    public void Short_elliptical_turns_are_never_matched_by_a_correction()
    {
        var store = new JsonlFeedbackStore(path: null);
        store.Append(Correction(Travel, "and the other one", "hotels"));
        var router = new LearningRouteSelector(new EmbeddedRouteSelector(), store);
        Assert.Null(router.TrySelect(Input("and the other one"), Travel));
    }

    [Fact]
    public void A_torn_line_in_the_store_is_skipped_and_the_rest_read()
    {
        var path = Path.Combine(_directory, "torn.feedback.jsonl");
        var store = new JsonlFeedbackStore(path);
        store.Append(Correction(Travel, "where do we leave the luggage before check out", "itinerary"));
        File.AppendAllText(path, "{\"kind\":\"correc");
        var reread = new JsonlFeedbackStore(path);
        Assert.Single(reread.ReadAll());
        Assert.Equal(1, reread.SkippedLines);
    }

    [Fact]
    public async Task A_failing_store_answers_503_and_never_repeats_its_message()
    {
        var decisions = new RecentDecisions(capacity: 4);
        decisions.Add(new RecentDecision("r1", Travel, "p", null, "embedded", "m", DateTimeOffset.UnixEpoch));
        var outcome = await FeedbackService.ApplyAsync(new FeedbackRequest("r1", "hotels", null), decisions, new FailingStore(), TimeProvider.System, CancellationToken.None);
        Assert.Null(outcome.Record);
        Assert.Equal(503, outcome.Status);
        Assert.Contains("nothing was recorded", outcome.Error);
        Assert.DoesNotContain("hunter2", outcome.Error);
    }

    private sealed class FailingStore : IFeedbackStore
    {
        public long Version => 0;
        public ValueTask AppendAsync(FeedbackRecord record, CancellationToken cancellationToken) => throw new InvalidOperationException("Host=db;Password=hunter2");
        public IReadOnlyList<FeedbackRecord> ReadAll() => [];
    }

    [Fact]
    public void Recent_decisions_are_bounded_and_last_is_the_latest()
    {
        var decisions = new RecentDecisions(capacity: 2);
        foreach (var id in new[] { "a", "b", "c" })
            decisions.Add(new RecentDecision(id, Travel, "p", null, "embedded", "m", DateTimeOffset.UnixEpoch));
        Assert.Null(decisions.Find("a"));
        Assert.Equal("b", decisions.Find("b")?.RequestId);
        Assert.Equal("c", decisions.Find("last")?.RequestId);
        Assert.Equal(2, decisions.Count);
    }
}
