using System.Text.Json;

namespace Switchboard.Tests.EndToEnd;

/// <summary>
/// `switchboard claude -- -p … --output-format json` with the real Claude Code CLI: the gateway starts detached,
/// the request is routed to an OpenAI-compatible fake, and `switchboard statusline` shows the route that answered.
/// </summary>
[Trait("Kind", "EndToEnd")]
public sealed class ClaudeCommandEndToEndTests
{
    [Fact]
    public async Task Switchboard_claude_answers_through_the_gateway_and_the_statusline_shows_the_route()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        openAI.RespondSse([OpenAIChunks.Role(), OpenAIChunks.Text("def reverse(s): return s[::-1]"), OpenAIChunks.Finish("stop"), OpenAIChunks.Usage(500, 12), OpenAIChunks.Done]);
        var home = Directory.CreateTempSubdirectory("sb-cc-home-").FullName;
        var work = Directory.CreateTempSubdirectory("sb-cc-work-").FullName;
        var port = GatewayProcess.FreePort();
        var config = Path.Combine(work, "config.yaml");
        await File.WriteAllTextAsync(config, $"""
            listeners:
              - name: llm
                address: 127.0.0.1
                port: {port}
            model_providers:
              - model: openai/gpt-4.1
                access_key: sk-e2e-openai
                base_url: {openAI.BaseUrl}v1
                routing_preferences:
                  - name: code generation
                    description: generating new code snippets, functions, classes, scripts or boilerplate
              - model: anthropic/claude-sonnet-4-5
                access_key: sk-e2e-anthropic
                base_url: http://127.0.0.1:1
                default: true
                routing_preferences:
                  - name: code understanding
                    description: explaining, reviewing or analyzing existing code
            """);
        var env = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["SWITCHBOARD_STATE_DIR"] = Path.Combine(home, "state"),
            ["SWITCHBOARD_CLAUDE_BIN"] = ClaudeCli.Binary,
            ["ANTHROPIC_API_KEY"] = "must-be-removed-by-switchboard-claude",
            ["SWITCHBOARD_STATUSLINE_TIMEOUT_MS"] = "10000", // a loaded CI machine is slower than Claude Code's 300 ms budget
        };
        try
        {
            await using (var claude = GatewayProcess.Start(["claude", "--config", config, "--", "-p", "Write a Python function that reverses a string.", "--output-format", "json"], env, work))
            {
                claude.CloseInput();
                var exit = await claude.WaitForExitAsync(TimeSpan.FromMinutes(2));
                Assert.True(exit == 0, $"switchboard claude exited {exit}:\n{claude.Output}");
                var resultLine = claude.Output.Split('\n').Last(l => l.TrimStart().StartsWith("{\"") && l.Contains("\"result\""));
                using var result = JsonDocument.Parse(resultLine);
                Assert.Equal("def reverse(s): return s[::-1]", result.RootElement.GetProperty("result").GetString());
                var sessionId = result.RootElement.GetProperty("session_id").GetString();

                Assert.Contains(openAI.Requests, r => r.Header("authorization") == "Bearer sk-e2e-openai");

                await using var statusline = GatewayProcess.Start(["statusline"], env, work);
                statusline.WriteInput(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["session_id"] = sessionId!,
                    ["model"] = new Dictionary<string, string> { ["id"] = "claude-opus-5-5", ["display_name"] = "Opus" },
                    ["workspace"] = new Dictionary<string, string> { ["current_dir"] = work },
                }, TestJson.Options));
                Assert.Equal(0, await statusline.WaitForExitAsync(TimeSpan.FromSeconds(30)));
                Assert.Contains("code generation", statusline.Output);
                Assert.Contains("openai/gpt-4.1", statusline.Output);
            }
        }
        finally
        {
            await using var down = GatewayProcess.Start(["down"], env, work);
            await down.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }
    }
}
