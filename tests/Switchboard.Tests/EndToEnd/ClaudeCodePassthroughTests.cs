
namespace Switchboard.Tests.EndToEnd;

/// <summary>The real Claude Code CLI through the gateway to an Anthropic-format upstream.</summary>
[Trait("Kind", "EndToEnd")]
public sealed class ClaudeCodePassthroughTests
{
    [Fact]
    public async Task Claude_code_prompt_is_answered_through_the_gateway()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Yaml.TwoProviders(openAI.BaseUrl, anthropic.BaseUrl, """
            model_aliases:
              claude-opus-5-5:
                target: anthropic/claude-sonnet-4-5
            """), Yaml.Keys);
        anthropic.RespondSse(Canned.AnthropicStream("claude-sonnet-4-5", "PONG", " via gateway"));

        var result = await ClaudeCli.RunAsync(gateway.BaseUrl, "say pong", ["--model", "claude-opus-5-5"]);

        Assert.True(result.ExitCode == 0, $"claude exited {result.ExitCode}: {result.Stdout}\n{result.Stderr}");
        Assert.Equal("PONG via gateway", result.Json.GetProperty("result").GetString());
        var upstream = Assert.Single(anthropic.Requests, r => r.Path == "/v1/messages");
        Assert.Equal("?beta=true", upstream.Query);
        Assert.Equal("sk-ant-test-SECRET-2222", upstream.Header("x-api-key"));
        Assert.Contains("claude-code-", upstream.Header("anthropic-beta"));
        Assert.Equal("claude-sonnet-4-5", upstream.Json.RootElement.GetProperty("model").GetString());
        var log = await gateway.Logs.WaitForLineAsync("requested=claude-opus-5-5");
        Assert.Contains("model=anthropic/claude-sonnet-4-5 provider=anthropic", log);
        Assert.Contains("status=200", log);
    }
}
