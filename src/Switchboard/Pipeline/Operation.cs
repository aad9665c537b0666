namespace Switchboard.Pipeline;

/// <summary>The client-facing operations that carry a conversation.</summary>
public enum Operation { Messages, ChatCompletions, CountTokens }

public static class Operations
{
    /// <summary>The operation as logs and events name it.</summary>
    public static string Name(this Operation operation) => operation switch
    {
        Operation.Messages => "messages",
        Operation.ChatCompletions => "chat.completions",
        _ => "count_tokens",
    };
}
