using System.Text;
using System.Text.Json;
using Switchboard.Config;
using Switchboard.Hosting;
using Switchboard.Observability;

namespace Switchboard.Tests.Functional.Cli;

[Trait("Kind", "Functional")]
public sealed class WatchTests
{
    [Fact]
    public async Task Watch_json_prints_requests_made_after_it_started_and_only_those()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Yaml.TwoProviders(openAI.BaseUrl, anthropic.BaseUrl), Yaml.Keys);
        openAI.RespondJson(Canned.OpenAIChat());
        var before = await ChatAsync(gateway.Http);

        using var cli = new CliHarness();
        var live = new LiveOutput();
        using var stop = new CancellationTokenSource();
        var watch = cli.RunAsync(["watch", "--json", "--url", gateway.BaseUrl.ToString()], null, stop.Token, live);
        await LiveOutput.WaitUntilAsync(() => live.ErrorText.Contains("Watching"), "watch to connect");

        var after = await ChatAsync(gateway.Http);
        await LiveOutput.WaitUntilAsync(() => live.OutText.Contains(after), "the event of the request made after watch started");
        await stop.CancelAsync();
        var result = await watch;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain(before, result.Out);
        var line = Assert.Single(result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = JsonDocument.Parse(line);
        var e = json.RootElement;
        Assert.Equal(after, e.GetProperty("request_id").GetString());
        Assert.Equal("openai", e.GetProperty("client_api").GetString());
        Assert.Equal("gpt-4.1", e.GetProperty("requested_model").GetString());
        Assert.Equal("openai/gpt-4.1", e.GetProperty("model").GetString());
        Assert.Equal(200, e.GetProperty("status").GetInt32());
        Assert.Equal(11, e.GetProperty("input_tokens").GetInt64());
    }

    [Fact]
    public async Task Watch_prints_one_readable_line_per_request_and_reconnects_after_a_restart()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        openAI.RespondJson(Canned.OpenAIChat());
        var port = CliHarness.FreePort();
        var config = ConfigLoader.LoadText($"""
            model_providers:
              - model: openai/gpt-4.1
                access_key: sk-test
                base_url: {openAI.BaseUrl.ToString().TrimEnd('/')}/v1
                default: true
            """).Config!;
        var first = await StartGatewayAsync(config, port);

        using var cli = new CliHarness();
        var live = new LiveOutput();
        using var stop = new CancellationTokenSource();
        var url = $"http://127.0.0.1:{port}";
        var watch = cli.RunAsync(["watch", "--url", url], null, stop.Token, live);
        try
        {
            await LiveOutput.WaitUntilAsync(() => live.ErrorText.Contains("Watching"), "watch to connect");
            using (var http = new HttpClient { BaseAddress = new Uri(url) }) await ChatAsync(http, "claude-opus-4-1");
            await LiveOutput.WaitUntilAsync(() => live.OutText.Contains("claude-opus-4-1 → openai/gpt-4.1"), "the first request's line");

            await first.StopAsync();
            await first.DisposeAsync();
            await LiveOutput.WaitUntilAsync(() => live.ErrorText.Contains("went away"), "watch to notice the gateway stopped");

            await using var second = await StartGatewayAsync(config, port);
            await LiveOutput.WaitUntilAsync(() => live.ErrorText.Contains("Reconnected"), "watch to reconnect", TimeSpan.FromSeconds(15));
            using (var http = new HttpClient { BaseAddress = new Uri(url) }) await ChatAsync(http, "gpt-4.1");
            await LiveOutput.WaitUntilAsync(() => live.OutText.Contains("gpt-4.1 → openai/gpt-4.1"), "the second gateway's request line");
        }
        finally
        {
            await stop.CancelAsync();
        }
        var result = await watch;
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.True(System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d\d:\d\d:\d\d  openai +.* → openai/gpt-4\.1  none  openai  200  (\d+ ms|\d+\.\d\d s)  11 in / 5 out  \$0\.000062$"), l)); // the cost at gpt-4.1's list price
    }

    [Fact]
    public async Task Watch_without_a_gateway_fails_clearly()
    {
        using var cli = new CliHarness();
        cli.WriteConfig();
        var notRunning = await cli.RunAsync("watch");
        Assert.Equal(1, notRunning.ExitCode);
        Assert.Contains("not running", notRunning.Error);

        var unreachable = await cli.RunAsync("watch", "--url", $"http://127.0.0.1:{CliHarness.FreePort()}");
        Assert.Equal(1, unreachable.ExitCode);
        Assert.Contains("Cannot reach", unreachable.Error);
    }

    [Fact]
    public void A_line_shows_route_error_and_tokens()
    {
        var e = new RequestEvent("req-1", DateTimeOffset.Now, "anthropic", "claude-sonnet-4-5", "openai/gpt-4.1", "openai", "code generation",
            "route", 502, 1234.5, 100, true, 10, null, "upstream [closed] the connection");
        var line = Spectre.Console.Markup.Remove(Switchboard.Cli.WatchCommand.Format(e));

        Assert.Contains("anthropic  claude-sonnet-4-5 → openai/gpt-4.1  code generation  openai  502  1.23 s  10 in / - out", line);
        Assert.EndsWith("upstream [closed] the connection", line);
    }

    private static async Task<GatewayHost> StartGatewayAsync(GatewayConfig config, int port)
    {
        var host = GatewayHost.Create(config, new GatewayHostOptions { Port = port, ConfigureLogging = _ => { } });
        await host.StartAsync();
        return host;
    }

    /// <summary>Sends a chat completion and returns its request id.</summary>
    private static async Task<string> ChatAsync(HttpClient http, string model = "gpt-4.1")
    {
        using var content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/v1/chat/completions", content);
        Assert.Equal(200, (int)response.StatusCode);
        return response.Headers.GetValues("x-switchboard-request-id").Single();
    }
}
