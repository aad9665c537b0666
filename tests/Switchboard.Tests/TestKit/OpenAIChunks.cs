using System.Text.Json;

namespace Switchboard.Tests.TestKit;

/// <summary>Builds OpenAI chat.completion.chunk SSE frames, including tool-call fragments keyed by index.</summary>
internal static class OpenAIChunks
{
    private static string Frame(object delta, string? finish = null) =>
        "data: " + JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = "chatcmpl-tool",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1700000000,
            ["model"] = "gpt-4.1",
            ["choices"] = new object[] { new Dictionary<string, object?> { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish } },
        }, TestJson.Options) + "\n\n";

    public static string Role() => Frame(new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = null });
    public static string Text(string text) => Frame(new Dictionary<string, object?> { ["content"] = text });

    public static string ToolStart(int index, string id, string name) => Frame(new Dictionary<string, object?>
    {
        ["tool_calls"] = new object[] { new Dictionary<string, object?> { ["index"] = index, ["id"] = id, ["type"] = "function", ["function"] = new Dictionary<string, object?> { ["name"] = name, ["arguments"] = "" } } },
    });

    public static string ToolArgs(int index, string fragment) => Frame(new Dictionary<string, object?>
    {
        ["tool_calls"] = new object[] { new Dictionary<string, object?> { ["index"] = index, ["function"] = new Dictionary<string, object?> { ["arguments"] = fragment } } },
    });

    public static string Finish(string reason) => Frame(new Dictionary<string, object?>(), reason);

    public static string Usage(int prompt, int completion) =>
        "data: {\"id\":\"chatcmpl-tool\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4.1\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion + ",\"total_tokens\":" + (prompt + completion) + "}}\n\n";

    public const string Done = "data: [DONE]\n\n";
}
