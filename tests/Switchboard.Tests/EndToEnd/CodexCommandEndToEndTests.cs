using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Tests.EndToEnd;

/// <summary>
/// `switchboard codex -- exec …` with the real Codex CLI (npm @openai/codex, pinned in tests/e2e/package.json): the
/// gateway starts detached, Codex speaks the Responses API to it, and a scripted fake upstream (OpenAI-compatible Chat,
/// or Anthropic) answers with a shell call, then an apply_patch call, then a final message. Codex really runs both:
/// the files appear in the working directory, and each tool's output reaches the upstream on the next turn.
/// </summary>
[Trait("Kind", "EndToEnd")]
public sealed class CodexCommandEndToEndTests
{
    private const string ShellCommand = "printf shell-ran > shell.txt && cat shell.txt";
    private const string Patch = "*** Begin Patch\n*** Add File: hello.txt\n+hello from apply_patch\n*** End Patch\n";

    [Fact]
    public async Task Codex_runs_a_shell_call_and_an_apply_patch_through_a_chat_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var turns = new List<JsonElement>();
        upstream.Handler = (context, recorded) =>
        {
            var body = recorded.Json.RootElement.Clone();
            lock (turns) turns.Add(body);
            var toolResults = body.GetProperty("messages").EnumerateArray().Count(m => m.GetProperty("role").GetString() == "tool");
            string[] chunks = toolResults switch
            {
                0 => [OpenAIChunks.Role(), OpenAIChunks.ToolStart(0, "call_sh1", "exec_command"), OpenAIChunks.ToolArgs(0, JsonSerializer.Serialize(new { cmd = ShellCommand })), OpenAIChunks.Finish("tool_calls"), OpenAIChunks.Usage(100, 10), OpenAIChunks.Done],
                1 => [OpenAIChunks.Role(), OpenAIChunks.ToolStart(0, "call_ap1", "apply_patch"), OpenAIChunks.ToolArgs(0, JsonSerializer.Serialize(new { input = Patch })), OpenAIChunks.Finish("tool_calls"), OpenAIChunks.Usage(120, 12), OpenAIChunks.Done],
                _ => [OpenAIChunks.Role(), OpenAIChunks.Text("All done: hello.txt created."), OpenAIChunks.Finish("stop"), OpenAIChunks.Usage(140, 8), OpenAIChunks.Done],
            };
            return WriteSseAsync(context, chunks);
        };
        var work = await RunCodexAsync($"""
              - model: deepseek/deepseek-chat
                access_key: sk-e2e-chat
                base_url: {upstream.BaseUrl}v1
                default: true
            """);

        Assert.Equal("hello from apply_patch\n", await File.ReadAllTextAsync(Path.Combine(work, "hello.txt")));
        Assert.Equal("shell-ran", await File.ReadAllTextAsync(Path.Combine(work, "shell.txt")));
        Assert.True(turns.Count >= 3, $"expected three turns, got {turns.Count}");
        var afterShell = turns.First(t => t.GetProperty("messages").EnumerateArray().Any(m => m.GetProperty("role").GetString() == "tool"));
        var shellResult = afterShell.GetProperty("messages").EnumerateArray().First(m => m.GetProperty("role").GetString() == "tool");
        Assert.Equal("call_sh1", shellResult.GetProperty("tool_call_id").GetString());
        Assert.Contains("shell-ran", shellResult.GetProperty("content").GetString());
        var last = turns[^1].GetProperty("messages").EnumerateArray().Where(m => m.GetProperty("role").GetString() == "tool").ToList();
        Assert.Equal("call_ap1", last[^1].GetProperty("tool_call_id").GetString());
        Assert.Contains("hello.txt", last[^1].GetProperty("content").GetString());
        // apply_patch went upstream as a function with one string parameter.
        var applyPatch = turns[0].GetProperty("tools").EnumerateArray().Single(t => t.GetProperty("function").GetProperty("name").GetString() == "apply_patch");
        Assert.Equal("string", applyPatch.GetProperty("function").GetProperty("parameters").GetProperty("properties").GetProperty("input").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Codex_runs_a_shell_call_and_an_apply_patch_through_an_anthropic_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var turns = new List<JsonElement>();
        upstream.Handler = (context, recorded) =>
        {
            var body = recorded.Json.RootElement.Clone();
            lock (turns) turns.Add(body);
            var toolResults = body.GetProperty("messages").EnumerateArray()
                .Sum(m => m.GetProperty("content").ValueKind == JsonValueKind.Array ? m.GetProperty("content").EnumerateArray().Count(b => b.GetProperty("type").GetString() == "tool_result") : 0);
            var chunks = toolResults switch
            {
                0 => AnthropicToolUse("toolu_sh1", "exec_command", JsonSerializer.Serialize(new { cmd = ShellCommand })),
                1 => AnthropicToolUse("toolu_ap1", "apply_patch", JsonSerializer.Serialize(new { input = Patch })),
                _ => Canned.AnthropicStream("claude-sonnet-4-5", "All done."),
            };
            return WriteSseAsync(context, chunks);
        };
        var work = await RunCodexAsync($"""
              - model: anthropic/claude-sonnet-4-5
                access_key: sk-e2e-anthropic
                base_url: {upstream.BaseUrl.ToString().TrimEnd('/')}
                default: true
            """);

        Assert.Equal("hello from apply_patch\n", await File.ReadAllTextAsync(Path.Combine(work, "hello.txt")));
        Assert.Equal("shell-ran", await File.ReadAllTextAsync(Path.Combine(work, "shell.txt")));
        var results = turns[^1].GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("content").ValueKind == JsonValueKind.Array)
            .SelectMany(m => m.GetProperty("content").EnumerateArray())
            .Where(b => b.GetProperty("type").GetString() == "tool_result").ToList();
        Assert.Equal("toolu_sh1", results[0].GetProperty("tool_use_id").GetString());
        Assert.Contains("shell-ran", results[0].GetRawText());
        Assert.Equal("toolu_ap1", results[1].GetProperty("tool_use_id").GetString());
        Assert.Contains("hello.txt", results[1].GetRawText());
    }

    private static IEnumerable<string> AnthropicToolUse(string id, string name, string inputJson)
    {
        yield return "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_t\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":50,\"output_tokens\":1}}}\n\n";
        yield return "event: content_block_start\ndata: " + JsonSerializer.Serialize(new { type = "content_block_start", index = 0, content_block = new { type = "tool_use", id, name, input = new { } } }) + "\n\n";
        yield return "event: content_block_delta\ndata: " + JsonSerializer.Serialize(new { type = "content_block_delta", index = 0, delta = new { type = "input_json_delta", partial_json = inputJson } }) + "\n\n";
        yield return "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";
        yield return "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":20}}\n\n";
        yield return "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    }

    private static async Task WriteSseAsync(HttpContext context, IEnumerable<string> chunks)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        foreach (var chunk in chunks)
        {
            await context.Response.WriteAsync(chunk, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    /// <summary>Runs `switchboard codex -- exec …` with the given providers; returns the working directory.</summary>
    private static async Task<string> RunCodexAsync(string providers)
    {
        var home = Directory.CreateTempSubdirectory("sb-codex-home-").FullName;
        var work = Directory.CreateTempSubdirectory("sb-codex-work-").FullName;
        var port = GatewayProcess.FreePort();
        var config = Path.Combine(home, "config.yaml");
        await File.WriteAllTextAsync(config, $"""
            listeners:
              - name: llm
                address: 127.0.0.1
                port: {port}
            model_providers:
            {providers}
            model_aliases:
              fast:
                target: {(providers.Contains("anthropic/") ? "anthropic/claude-sonnet-4-5" : "deepseek/deepseek-chat")}
            """);
        var env = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["CODEX_HOME"] = Path.Combine(home, ".codex"),
            ["SWITCHBOARD_STATE_DIR"] = Path.Combine(home, "state"),
            ["SWITCHBOARD_CODEX_BIN"] = CodexCli.Binary,
            ["OPENAI_API_KEY"] = "must-not-be-used",
        };
        Directory.CreateDirectory(env["CODEX_HOME"]);
        try
        {
            await using var codex = GatewayProcess.Start(["codex", "--config", config, "--", "exec", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox",
                "-m", "fast", "Create hello.txt with apply_patch after running the shell command."], env, work);
            codex.CloseInput();
            var exit = await codex.WaitForExitAsync(TimeSpan.FromMinutes(3));
            Assert.True(exit == 0, $"switchboard codex exited {exit}:\n{codex.Output}");
            Assert.Contains("All done", codex.Output);
            Assert.DoesNotContain("Model metadata for `fast` not found", codex.Output); // the gateway's catalog was read
            return work;
        }
        finally
        {
            await using var down = GatewayProcess.Start(["down"], env, work);
            await down.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }
    }
}

/// <summary>The real Codex CLI (npm @openai/codex, pinned in tests/e2e/package.json; its Linux binary ships inside the package).</summary>
public static class CodexCli
{
    public static string Binary
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("SWITCHBOARD_CODEX_BIN");
            if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
            var pinned = Path.Combine(RepoPaths.Root, "tests", "e2e", "node_modules", ".bin", "codex");
            if (File.Exists(pinned)) return pinned;
            throw new Xunit.Sdk.XunitException($"The Codex CLI is not installed at {pinned}: run `npm ci --prefix tests/e2e` (./test.sh and .ci/run do this).");
        }
    }
}
