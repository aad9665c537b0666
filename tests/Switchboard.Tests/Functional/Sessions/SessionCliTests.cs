using System.Text;
using System.Text.Json;

namespace Switchboard.Tests.Functional.Sessions;

/// <summary>The CLI, per session: `watch --session ID`, and what `switchboard claude` tells Claude Code from the claude_code config.</summary>
[Trait("Kind", "Functional")]
public sealed class SessionCliTests
{
    [Fact]
    public async Task Watch_session_prints_only_that_sessions_requests()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Yaml.TwoProviders(openAI.BaseUrl, anthropic.BaseUrl), Yaml.Keys);
        openAI.RespondJson(Canned.OpenAIChat());

        using var cli = new CliHarness();
        var live = new LiveOutput();
        using var stop = new CancellationTokenSource();
        var watch = cli.RunAsync(["watch", "--json", "--session", "mine", "--url", gateway.BaseUrl.ToString()], null, stop.Token, live);
        await LiveOutput.WaitUntilAsync(() => live.ErrorText.Contains("Watching"), "watch to connect");

        var other = await ChatAsync(gateway.Http, "theirs");
        var none = await ChatAsync(gateway.Http, null);
        var mine = await ChatAsync(gateway.Http, "mine");
        await LiveOutput.WaitUntilAsync(() => live.OutText.Contains(mine), "the event of this session's request");
        await stop.CancelAsync();
        var result = await watch;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain(other, result.Out);
        Assert.DoesNotContain(none, result.Out);
        using var json = JsonDocument.Parse(Assert.Single(result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal("mine", json.RootElement.GetProperty("session_id").GetString());
    }

    private static async Task<string> ChatAsync(HttpClient http, string? session)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        if (session is not null) request.Headers.Add("x-claude-code-session-id", session);
        using var response = await http.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        return response.Headers.GetValues("x-switchboard-request-id").Single();
    }
}
