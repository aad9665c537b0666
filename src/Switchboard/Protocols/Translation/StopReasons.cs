namespace Switchboard.Protocols.Translation;

/// <summary>Anthropic stop_reason ⇄ OpenAI finish_reason. Unknown values map to the plain "finished" value.</summary>
internal static class StopReasons
{
    public static string ToOpenAI(string? anthropicStopReason) => anthropicStopReason switch
    {
        "max_tokens" or "model_context_window_exceeded" => "length",
        "tool_use" => "tool_calls",
        "refusal" => "content_filter",
        _ => "stop", // end_turn, stop_sequence, pause_turn, null
    };

    public static string ToAnthropic(string? openAIFinishReason, bool sawToolCalls) => openAIFinishReason switch
    {
        "length" => "max_tokens",
        "tool_calls" or "function_call" => "tool_use",
        "content_filter" => "refusal",
        // Some OpenAI-compatible servers finish a tool-calling turn with "stop": the client must still run the tools.
        _ => sawToolCalls ? "tool_use" : "end_turn",
    };

    public static ReadOnlySpan<byte> ToAnthropicUtf8(string? openAIFinishReason, bool sawToolCalls) =>
        ToAnthropic(openAIFinishReason, sawToolCalls) switch
        {
            "max_tokens" => "max_tokens"u8,
            "tool_use" => "tool_use"u8,
            "refusal" => "refusal"u8,
            _ => "end_turn"u8,
        };
}
