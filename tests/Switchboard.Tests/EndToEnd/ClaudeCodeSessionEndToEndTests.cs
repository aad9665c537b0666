using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Tests.EndToEnd;

/// <summary>
/// The real Claude Code CLI through `switchboard claude` (hint headers on): a two-turn task whose first turn runs a tool
/// loop. Every request of a turn reaches the model its turn was routed to; background calls reach the small/fast model,
/// never the routed ones; checked in the fake upstreams' logs. And the status line of a fresh session.
/// </summary>
[Trait("Kind", "EndToEnd")]
public sealed class ClaudeCodeSessionEndToEndTests
{
    private static string Sse(params string[] events) => string.Concat(events.Select(e => $"event: {JsonDocument.Parse(e).RootElement.GetProperty("type").GetString()}\ndata: {e}\n\n"));

    private static string ToolUse(string path) => Sse(
        """{"type":"message_start","message":{"id":"msg_t","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":1}}}""",
        """{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_e2e_1","name":"Read","input":{}}}""",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":" + JsonSerializer.Serialize(JsonSerializer.Serialize(new { file_path = path })) + "}}",
        """{"type":"content_block_stop","index":0}""",
        """{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":9}}""",
        """{"type":"message_stop"}""");

    private static void Answer(FakeUpstream upstream, Func<RecordedRequest, string> sse) => upstream.Handler = async (c, recorded) =>
    {
        c.Response.StatusCode = 200;
        c.Response.ContentType = "text/event-stream";
        await c.Response.WriteAsync(sse(recorded), c.RequestAborted);
    };

    [Fact]
    public async Task A_tool_loop_stays_on_its_turns_model_while_background_calls_go_to_the_small_fast_model()
    {
        await using var main = await FakeUpstream.StartAsync();
        await using var small = await FakeUpstream.StartAsync();
        await using var openAI = await FakeUpstream.StartAsync();
        var home = Directory.CreateTempSubdirectory("sb-cc-home-").FullName;
        var work = Directory.CreateTempSubdirectory("sb-cc-work-").FullName;
        var notes = Path.Combine(work, "notes.txt");
        await File.WriteAllTextAsync(notes, "parser.cs line 12: value.Length where value may be null");
        Answer(main, r => r.Body.Contains("\"tool_result\"") ? string.Concat(Canned.AnthropicStream("claude-sonnet-4-5", "Fixed: check value for null.")) : ToolUse(notes));
        Answer(small, _ => string.Concat(Canned.AnthropicStream("claude-haiku-4-5", "Fix the parser crash")));
        var port = GatewayProcess.FreePort();
        var config = Path.Combine(work, "config.yaml");
        await File.WriteAllTextAsync(config, $"""
            listeners:
              - name: llm
                address: 127.0.0.1
                port: {port}
            model_providers:
              - model: anthropic/claude-sonnet-4-5
                access_key: sk-e2e-main
                base_url: {main.BaseUrl}
                default: true
                routing_preferences:
                  - name: debugging
                    description: finding and fixing bugs, errors, crashes, failing tests and performance problems
              - model: openai/gpt-4.1
                access_key: sk-e2e-openai
                base_url: {openAI.BaseUrl}v1
                routing_preferences:
                  - name: code generation
                    description: generating new code snippets, functions, classes, scripts or boilerplate
              - model: anthropic/claude-haiku-4-5
                access_key: sk-e2e-small
                base_url: {small.BaseUrl}
            claude_code:
              haiku: anthropic/claude-haiku-4-5
            """);
        var env = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["SWITCHBOARD_STATE_DIR"] = Path.Combine(home, "state"),
            ["SWITCHBOARD_CLAUDE_BIN"] = ClaudeCli.Binary,
            ["SWITCHBOARD_STATUSLINE_TIMEOUT_MS"] = "10000",
        };
        try
        {
            // A fresh session's status line shows nothing of any other.
            await using (var fresh = GatewayProcess.Start(["statusline"], env, work))
            {
                fresh.WriteInput("""{"session_id":"fresh-session-without-requests"}""");
                Assert.Equal(0, await fresh.WaitForExitAsync(TimeSpan.FromSeconds(30)));
                Assert.Contains("not running", fresh.Output); // no gateway yet
            }

            string sessionId;
            await using (var turn1 = GatewayProcess.Start(["claude", "--config", config, "--", "-p", "The tests crash with a NullReferenceException in the parser; read notes.txt, find the bug and fix it.",
                "--output-format", "json", "--allowedTools", "Read"], env, work))
            {
                turn1.CloseInput();
                var exit = await turn1.WaitForExitAsync(TimeSpan.FromMinutes(2));
                Assert.True(exit == 0, $"switchboard claude exited {exit}:\n{turn1.Output}");
                using var result = JsonDocument.Parse(turn1.Output.Split('\n').Last(l => l.TrimStart().StartsWith("{\"") && l.Contains("\"result\"")));
                Assert.Contains("Fixed", result.RootElement.GetProperty("result").GetString());
                sessionId = result.RootElement.GetProperty("session_id").GetString()!;
            }

            // The gateway keeps Claude Code's hint headers to itself, so the upstreams see the outcome: the routed model got
            // exactly the turn (its first request and the tool loop's), nothing else; background calls, if Claude Code
            // made any, went to the small/fast model.
            var turn = main.Requests.ToList();
            Assert.True(turn.Count >= 2, "the tool loop: " + Describe(main, small, openAI));
            Assert.Contains(turn, r => r.Body.Contains("\"tool_result\""));
            Assert.All(turn, r => Assert.Equal("claude-sonnet-4-5", r.Json.RootElement.GetProperty("model").GetString()));
            Assert.All(turn, r => Assert.Contains("NullReferenceException", r.Body));
            Assert.Empty(openAI.Requests);
            Assert.All(small.Requests, r => Assert.Equal("claude-haiku-4-5", r.Json.RootElement.GetProperty("model").GetString()));

            // The session's status line: its turn's route and model.
            await using (var line = GatewayProcess.Start(["statusline"], env, work))
            {
                line.WriteInput(JsonSerializer.Serialize(new Dictionary<string, string> { ["session_id"] = sessionId }));
                Assert.Equal(0, await line.WaitForExitAsync(TimeSpan.FromSeconds(30)));
                Assert.Contains("debugging → anthropic/claude-sonnet-4-5", line.Output);
            }
            await using (var fresh = GatewayProcess.Start(["statusline"], env, work))
            {
                fresh.WriteInput("""{"session_id":"fresh-session-without-requests"}""");
                Assert.Equal(0, await fresh.WaitForExitAsync(TimeSpan.FromSeconds(30)));
                Assert.Contains("no request yet in this session", fresh.Output);
            }
        }
        finally
        {
            await using var down = GatewayProcess.Start(["down"], env, work);
            await down.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }
    }

    private static string Describe(params FakeUpstream[] upstreams) => string.Join("\n", upstreams.SelectMany((u, i) => u.Requests.Select(r =>
        $"upstream {i}: model={r.Json.RootElement.GetProperty("model").GetString()} tool_result={r.Body.Contains("\"tool_result\"")}")));
}
