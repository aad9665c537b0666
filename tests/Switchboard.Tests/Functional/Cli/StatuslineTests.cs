using System.Text;
using Switchboard.Observability;

namespace Switchboard.Tests.Functional.Cli;

[Trait("Kind", "Functional")]
public sealed class StatuslineTests
{
    private const string Providers = """
        model_providers:
          - model: openai/gpt-4.1
            access_key: sk-test
            base_url: %URL%
            default: true
        """;

    /// <summary>Claude Code sends its session id as x-claude-code-session-id and passes the same id to the status line.</summary>
    [Fact]
    public async Task Shows_the_model_that_answered_this_sessions_latest_request()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        openAI.RespondJson(Canned.OpenAIChat());
        await using var gateway = await TestGateway.StartAsync(Providers.Replace("%URL%", openAI.BaseUrl + "v1"));
        using var cli = new CliHarness
        {
            [Switchboard.Cli.GatewayLocator.UrlVariable] = gateway.BaseUrl.ToString(),
            // The first in-process call pays for JIT on a machine busy with other tests; 300 ms is for a warm path.
            [Switchboard.Cli.StatuslineCommand.TimeoutVariable] = "5000",
        };
        const string Stdin = """{"session_id":"0b6d2d3e-1111-2222-3333-444455556666","model":{"id":"claude-sonnet-4-5","display_name":"Sonnet"},"workspace":{"current_dir":"/tmp"}}""";

        var before = await cli.RunAsync(["statusline"], Stdin, CancellationToken.None);
        Assert.Equal("⇄ switchboard: no request yet in this session", before.Out.Trim());

        var request = TestRequests.JsonPost("/v1/chat/completions", """{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}""");
        request.Headers.Add("x-claude-code-session-id", "0b6d2d3e-1111-2222-3333-444455556666");
        using (await gateway.Http.SendAsync(request)) { }
        // The gateway publishes a request's event just after the response is complete.
        await LiveOutput.WaitUntilAsync(() => gateway.Host.Events.Latest is not null, "the request's event");

        var after = await cli.RunAsync(["statusline"], Stdin, CancellationToken.None);
        Assert.Equal(0, after.ExitCode);
        // The session's spend so far: 11 input and 5 output tokens at gpt-4.1's list price ($2 and $8 per million).
        Assert.Equal("⇄ openai/gpt-4.1 · $0.000062", after.Out.Trim());
        var anotherSession = await cli.RunAsync(["statusline"], """{"session_id":"9f9f9f9f-new-session"}""", CancellationToken.None);
        Assert.Equal("⇄ switchboard: no request yet in this session", anotherSession.Out.Trim());
    }

    /// <summary>With gateway keys, /switchboard/last needs an admin key: the status line sends $SWITCHBOARD_ADMIN_KEY.</summary>
    [Fact]
    public async Task With_gateway_keys_the_status_line_sends_the_admin_key()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        openAI.RespondJson(Canned.OpenAIChat());
        await using var gateway = await TestGateway.StartAsync(Providers.Replace("%URL%", openAI.BaseUrl + "v1") + """

            gateway_keys:
              - name: ops
                key: sb-admin-statusline
                admin: true
            """);
        const string Stdin = """{"session_id":"keyed-session"}""";
        var request = TestRequests.JsonPost("/v1/chat/completions", """{"model":"openai/gpt-4.1","messages":[{"role":"user","content":"hi"}]}""");
        request.Headers.Add("x-claude-code-session-id", "keyed-session");
        request.Headers.Authorization = new("Bearer", "sb-admin-statusline");
        using (await gateway.Http.SendAsync(request)) { }
        await LiveOutput.WaitUntilAsync(() => gateway.Host.Events.Latest is not null, "the request's event");

        using var withoutKey = new CliHarness
        {
            [Switchboard.Cli.GatewayLocator.UrlVariable] = gateway.BaseUrl.ToString(),
            [Switchboard.Cli.StatuslineCommand.TimeoutVariable] = "5000",
        };
        Assert.DoesNotContain("openai/gpt-4.1", (await withoutKey.RunAsync(["statusline"], Stdin, CancellationToken.None)).Out);

        using var withKey = new CliHarness
        {
            [Switchboard.Cli.GatewayLocator.UrlVariable] = gateway.BaseUrl.ToString(),
            [Switchboard.Cli.StatuslineCommand.TimeoutVariable] = "5000",
            [Switchboard.Cli.KeysCommand.KeyVariable] = "sb-admin-statusline",
        };
        Assert.StartsWith("⇄ openai/gpt-4.1", (await withKey.RunAsync(["statusline"], Stdin, CancellationToken.None)).Out.Trim());
    }

    /// <summary>Without the header, the session inside metadata.user_id (Claude Code 2.1.330's JSON form) keys the request.</summary>
    [Fact]
    public async Task A_new_session_shows_nothing_of_another_sessions_requests()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        openAI.RespondJson(Canned.OpenAIChat());
        await using var gateway = await TestGateway.StartAsync(Providers.Replace("%URL%", openAI.BaseUrl + "v1"));
        using var cli = new CliHarness { [Switchboard.Cli.StatuslineCommand.TimeoutVariable] = "5000" };
        var url = gateway.BaseUrl.ToString();

        using (await gateway.Http.SendAsync(TestRequests.JsonPost("/v1/messages", """
            {"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}],
             "metadata":{"user_id":"{\"device_id\":\"d\",\"account_uuid\":\"\",\"session_id\":\"old-session\"}"}}
            """))) { }
        await LiveOutput.WaitUntilAsync(() => gateway.Host.Events.Latest is not null, "the request's event");

        var fresh = await cli.RunAsync(["statusline", "--url", url], """{"session_id":"fresh-session","model":{"id":"claude-sonnet-4-5"}}""", CancellationToken.None);
        Assert.Equal("⇄ switchboard: no request yet in this session", fresh.Out.Trim());
        var old = await cli.RunAsync(["statusline", "--url", url], """{"session_id":"old-session"}""", CancellationToken.None);
        Assert.Equal("⇄ openai/gpt-4.1 · $0.000062", old.Out.Trim());
    }

    [Fact]
    public async Task Shows_the_route_and_model_of_that_session_and_without_one_the_latest_overall()
    {
        await using var gateway = await TestGateway.StartAsync(Providers.Replace("%URL%", "http://127.0.0.1:9/v1"));
        gateway.Host.Events.Publish(Event("session-a", "openai/gpt-4.1", "code generation"));
        gateway.Host.Events.Publish(Event("session-b", "anthropic/claude-haiku-4-5", "none"));
        using var cli = new CliHarness { [Switchboard.Cli.StatuslineCommand.TimeoutVariable] = "5000" };
        var url = gateway.BaseUrl.ToString();

        var a = await cli.RunAsync(["statusline", "--url", url], """{"session_id":"session-a"}""", CancellationToken.None);
        Assert.Equal("⇄ code generation → openai/gpt-4.1", a.Out.Trim());
        var b = await cli.RunAsync(["statusline", "--url", url], """{"session_id":"session-b"}""", CancellationToken.None);
        Assert.Equal("⇄ anthropic/claude-haiku-4-5", b.Out.Trim());
        var unknown = await cli.RunAsync(["statusline", "--url", url], """{"session_id":"session-z"}""", CancellationToken.None);
        Assert.Equal("⇄ switchboard: no request yet in this session", unknown.Out.Trim());
        var garbage = await cli.RunAsync(["statusline", "--url", url], "not json", CancellationToken.None);
        Assert.Equal("⇄ anthropic/claude-haiku-4-5", garbage.Out.Trim());
    }

    [Fact]
    public async Task Says_not_running_quickly_when_no_gateway_answers()
    {
        // A refused connection is immediate; the generous budget only keeps a starved CI thread pool from reading as "not answering".
        using var cli = new CliHarness(new Dictionary<string, string?> { [Switchboard.Cli.StatuslineCommand.TimeoutVariable] = "5000" });
        cli.WriteConfig();
        var noGateway = await cli.RunAsync(["statusline"], """{"session_id":"x"}""", CancellationToken.None);
        Assert.Equal(0, noGateway.ExitCode);
        Assert.Equal("⇄ switchboard: not running", noGateway.Out.Trim());

        var started = DateTime.UtcNow;
        var closedPort = await cli.RunAsync(["statusline", "--url", $"http://127.0.0.1:{CliHarness.FreePort()}"], "{}", CancellationToken.None);
        Assert.Equal("⇄ switchboard: not running", closedPort.Out.Trim());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "a closed port must be answered at once, not waited on");
    }

    [Fact]
    public void A_failed_request_says_so()
    {
        var line = Switchboard.Cli.StatuslineCommand.Format(Event("s", "openai/gpt-4.1", "debugging") with { Status = 429 });
        Assert.Equal("⇄ debugging → openai/gpt-4.1 (error 429)", line);
    }

    [Fact]
    public void The_sessions_spend_follows_the_model()
    {
        var line = Switchboard.Cli.StatuslineCommand.Format(Event("s", "openai/gpt-4.1", "debugging") with { SessionCostUsd = 0.4213m });
        Assert.Equal("⇄ debugging → openai/gpt-4.1 · $0.42", line);
    }

    private static RequestEvent Event(string session, string model, string route) =>
        new("req-" + session, DateTimeOffset.UtcNow, "anthropic", "claude-sonnet-4-5", model, model.Split('/')[0], route, route == "none" ? "default" : "route",
            200, 10, 5, false, 1, 1, null, session);
}
