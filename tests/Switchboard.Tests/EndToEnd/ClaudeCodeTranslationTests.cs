using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Tests.EndToEnd;

/// <summary>
/// The real Claude Code CLI, answered by an OpenAI-compatible upstream through the gateway: the upstream asks
/// for one Bash tool call, Claude Code runs it, sends the result back, and the upstream gives the final answer.
/// </summary>
[Trait("Kind", "EndToEnd")]
public sealed class ClaudeCodeTranslationTests
{
    [Fact]
    public async Task Claude_code_completes_a_bash_tool_call_answered_by_an_openai_compatible_upstream()
    {
        await using var openAI = await FakeUpstream.StartAsync();
        await using var anthropic = await FakeUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(Yaml.TwoProviders(openAI.BaseUrl, anthropic.BaseUrl), Yaml.Keys);
        var sawToolResult = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        openAI.Handler = async (context, request) =>
        {
            using var json = JsonDocument.Parse(request.Body);
            var root = json.RootElement;
            var messages = root.GetProperty("messages");
            var last = messages[messages.GetArrayLength() - 1];
            var hasBash = root.TryGetProperty("tools", out var tools) && tools.EnumerateArray().Any(t => t.GetProperty("function").GetProperty("name").GetString() == "Bash");
            string[] frames;
            if (last.GetProperty("role").GetString() == "tool")
            {
                sawToolResult.TrySetResult(last.GetProperty("content").ToString());
                frames = [OpenAIChunks.Role(), OpenAIChunks.Text("The file says: "), OpenAIChunks.Text("switchboard-e2e-ok"), OpenAIChunks.Finish("stop"), OpenAIChunks.Usage(900, 8), OpenAIChunks.Done];
            }
            else if (hasBash)
            {
                frames = [OpenAIChunks.Role(), OpenAIChunks.ToolStart(0, "call_bash_1", "Bash"),
                    OpenAIChunks.ToolArgs(0, "{\"command\": \"echo switchboard-e2e-ok > proof.txt && cat proof.txt\", "),
                    OpenAIChunks.ToolArgs(0, "\"description\": \"Write and read the proof file\"}"),
                    OpenAIChunks.Finish("tool_calls"), OpenAIChunks.Usage(800, 20), OpenAIChunks.Done];
            }
            else
            {
                // Side requests without tools (titles, summaries): a short plain answer.
                frames = [OpenAIChunks.Role(), OpenAIChunks.Text("ok"), OpenAIChunks.Finish("stop"), OpenAIChunks.Done];
            }
            if (root.TryGetProperty("stream", out var stream) && stream.GetBoolean())
            {
                context.Response.ContentType = "text/event-stream";
                foreach (var frame in frames)
                {
                    await context.Response.WriteAsync(frame);
                    await context.Response.Body.FlushAsync();
                }
            }
            else
            {
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync("{\"error\":{\"message\":\"this fake only streams\"}}");
            }
        };

        var result = await ClaudeCli.RunAsync(gateway.BaseUrl, "Write the proof file with the Bash tool and tell me what it says.",
            ["--model", "openai/gpt-4.1", "--allowedTools", "Bash"]);

        Assert.True(result.ExitCode == 0, $"claude exited {result.ExitCode}: {result.Stdout}\n{result.Stderr}\nupstream saw {openAI.Requests.Count} requests");
        var toolOutput = await sawToolResult.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains("switchboard-e2e-ok", toolOutput);
        Assert.Equal("switchboard-e2e-ok\n", File.ReadAllText(Path.Combine(result.WorkingDirectory, "proof.txt")));
        Assert.Equal("The file says: switchboard-e2e-ok", result.Json.GetProperty("result").GetString());
        Assert.False(result.Json.GetProperty("is_error").GetBoolean());

        // The tool call went up as an OpenAI tool message answering call_bash_1.
        var followUp = openAI.Requests.Last(r => r.Body.Contains("\"role\":\"tool\""));
        using var followUpJson = followUp.Json;
        var toolMessage = followUpJson.RootElement.GetProperty("messages").EnumerateArray().First(m => m.GetProperty("role").GetString() == "tool");
        Assert.Equal("call_bash_1", toolMessage.GetProperty("tool_call_id").GetString());
        Assert.All(openAI.Requests, r => Assert.Equal("Bearer " + Yaml.Keys["OPENAI_API_KEY"], r.Header("authorization")));
        Assert.Empty(anthropic.Requests);
        var log = await gateway.Logs.WaitForLineAsync("output_tokens=8");
        Assert.Contains("api=anthropic", log);
        Assert.Contains("model=openai/gpt-4.1 provider=openai", log);
    }
}
