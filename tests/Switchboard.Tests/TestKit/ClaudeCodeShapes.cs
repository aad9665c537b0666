using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Switchboard.Tests.TestKit;

/// <summary>Requests shaped as Claude Code 2.1.330 sends them (its recorded request and headers), with the conversation and hint headers a test needs.</summary>
internal static class ClaudeCodeShapes
{
    public const string Debugging = "The test suite crashes with a NullReferenceException in the parser; find the bug and fix it.";
    public const string CodeGeneration = "Write a Python function that turns a title into a URL slug.";

    private static readonly JsonObject Recorded = JsonNode.Parse(File.ReadAllText(RepoPaths.Fixture("claude-code-2.1.330-request.json")))!.AsObject();

    /// <summary>A user turn as Claude Code writes it: its system reminder, then what the user typed.</summary>
    public static JsonObject User(string text) => new()
    {
        ["role"] = "user",
        ["content"] = new JsonArray(
            new JsonObject { ["type"] = "text", ["text"] = "<system-reminder>\nAttribution for git commits.\n</system-reminder>\n" },
            new JsonObject { ["type"] = "text", ["text"] = text }),
    };

    /// <summary>An assistant step: thinking (with <paramref name="signature"/>) and a tool call.</summary>
    public static JsonObject AssistantToolUse(string toolId, string signature, string thinking = "I should look at the files first.") => new()
    {
        ["role"] = "assistant",
        ["content"] = new JsonArray(
            new JsonObject { ["type"] = "thinking", ["thinking"] = thinking, ["signature"] = signature },
            new JsonObject { ["type"] = "tool_use", ["id"] = toolId, ["name"] = "Bash", ["input"] = new JsonObject { ["command"] = "ls" } }),
    };

    public static JsonObject AssistantText(string text, string? thinkingSignature = null)
    {
        var content = new JsonArray();
        if (thinkingSignature is not null) content.Add(new JsonObject { ["type"] = "thinking", ["thinking"] = "Done thinking.", ["signature"] = thinkingSignature });
        content.Add(new JsonObject { ["type"] = "text", ["text"] = text });
        return new JsonObject { ["role"] = "assistant", ["content"] = content };
    }

    /// <summary>A tool result turn, with the system reminder Claude Code adds to it (not text the user typed).</summary>
    public static JsonObject ToolResult(string toolId, string output = "src/ tests/ README.md") => new()
    {
        ["role"] = "user",
        ["content"] = new JsonArray(
            new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = toolId, ["content"] = output },
            new JsonObject { ["type"] = "text", ["text"] = "<system-reminder>\nThe task list is empty.\n</system-reminder>" }),
    };

    /// <summary>The recorded request (system prompt, tools, thinking, metadata) with these messages and Claude Code's trailing system message.</summary>
    public static string Body(string model, params JsonObject[] messages)
    {
        var body = Recorded.DeepClone().AsObject();
        body["model"] = model;
        body["stream"] = false;
        var list = new JsonArray();
        foreach (var message in messages) list.Add(message.DeepClone());
        var recorded = Recorded["messages"]!.AsArray();
        list.Add(recorded[recorded.Count - 1]!.DeepClone()); // 2.1.330 ends with a role "system" message (its environment)
        body["messages"] = list;
        return body.ToJsonString();
    }

    /// <summary>POST /v1/messages?beta=true with Claude Code's headers: its session, and the hints when a class is given.</summary>
    public static HttpRequestMessage Post(string body, string? session, string? requestClass = null, string? promptId = null, string? firstPartyClass = null, string? agentId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages?beta=true")
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("anthropic-version", "2023-06-01");
        request.Headers.Add("User-Agent", "claude-cli/2.1.330 (external, sdk-cli)");
        request.Headers.Add("x-app", "cli");
        if (session is not null) request.Headers.Add("X-Claude-Code-Session-Id", session);
        if (requestClass is not null) request.Headers.Add("x-claude-code-request-class", requestClass);
        if (firstPartyClass is not null) request.Headers.Add("x-claude-1p-request-class", firstPartyClass);
        if (promptId is not null) request.Headers.Add("x-claude-code-prompt-id", promptId);
        if (agentId is not null) request.Headers.Add("x-claude-code-agent-id", agentId);
        return request;
    }

    /// <summary>Two providers on fakes, one route each, a haiku-class model, and (optionally) claude_code naming it.</summary>
    public static string GatewayConfig(Uri openAI, Uri anthropic, bool smallFast) => $"""
        model_providers:
          - model: openai/gpt-4.1
            access_key: $OPENAI_API_KEY
            base_url: {openAI}v1
            default: true
            routing_preferences:
              - name: code generation
                description: generating new code snippets, functions, classes, scripts or boilerplate
          - model: anthropic/claude-sonnet-4-5
            access_key: $ANTHROPIC_API_KEY
            base_url: {anthropic}
            routing_preferences:
              - name: debugging
                description: finding and fixing bugs, errors, crashes, failing tests and performance problems
          - model: anthropic/claude-haiku-4-5
            access_key: $ANTHROPIC_API_KEY
            base_url: {anthropic}
        {(smallFast ? "claude_code:\n  haiku: anthropic/claude-haiku-4-5" : "")}
        """;
}
