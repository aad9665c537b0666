namespace Switchboard.Pipeline;

/// <summary>The names of <see cref="Operation"/>s.</summary>
internal static class Operations
{
    /// <summary>The operation as logs and events name it.</summary>
    public static string Name(this Operation operation) => operation switch
    {
        Operation.Messages => "messages",
        Operation.ChatCompletions => "chat.completions",
        Operation.Responses => "responses",
        _ => "count_tokens",
    };
}
