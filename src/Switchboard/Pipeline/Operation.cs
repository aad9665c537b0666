namespace Switchboard.Pipeline;

/// <summary>The client-facing operations that carry a conversation.</summary>
// Public: test theories take it as a parameter, and xunit needs public test methods.
public enum Operation { Messages, ChatCompletions, CountTokens, Responses }
