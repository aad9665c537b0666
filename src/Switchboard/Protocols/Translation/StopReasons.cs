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
        "content_filter" => "refusal",
        // Tool calls decide, not the reason: some servers end a tool-calling turn with "stop" (the client must still
        // run the tools), and "tool_calls" without any call would leave a client waiting for tools that never came.
        _ => sawToolCalls ? "tool_use" : "end_turn",
    };
}
