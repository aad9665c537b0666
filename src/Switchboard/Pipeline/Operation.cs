namespace Switchboard.Pipeline;

/// <summary>The client-facing operations that carry a conversation.</summary>
public enum Operation { Messages, ChatCompletions, CountTokens, Responses }
