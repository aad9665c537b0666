namespace Switchboard.Models;

/// <summary>
/// Which OpenAI-protocol targets take <c>reasoning_effort</c>, and which are "reasoning models" with OpenAI's
/// parameter restrictions. Decided by model family, because the same model is served by many providers:
/// <list type="bullet">
/// <item>OpenAI o1/o3/o4*/gpt-5* (any provider, including "openai/…" ids on OpenRouter): reasoning_effort
///   low|medium|high; max_completion_tokens instead of max_tokens; no temperature/top_p/stop.</item>
/// <item>gpt-oss (Groq, vLLM, Ollama, …): reasoning_effort low|medium|high.</item>
/// <item>xAI grok-3-mini: reasoning_effort low|high only (grok-4 rejects the parameter).</item>
/// <item>Gemini 2.5+/3 on Google's OpenAI-compatible endpoint: reasoning_effort low|medium|high.</item>
/// <item>Everything else (DeepSeek, Qwen, Llama, Mistral, …): not sent. deepseek-reasoner always reasons and
///   rejects nothing, but ignores the field, so sending it would only mislead logs.</item>
/// </list>
/// </summary>
internal static class ReasoningSupport
{
    public static bool IsOpenAIReasoningModel(string modelId)
    {
        ReadOnlySpan<char> m = BareModel(modelId);
        return m.StartsWith("o1", StringComparison.OrdinalIgnoreCase)
            || m.StartsWith("o3", StringComparison.OrdinalIgnoreCase)
            || m.StartsWith("o4", StringComparison.OrdinalIgnoreCase)
            || m.StartsWith("gpt-5", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The reasoning_effort value to send a provider's model for an effort level, or null to send none.</summary>
    public static string? EffortFor(string provider, string modelId, string effort)
    {
        ReadOnlySpan<char> m = BareModel(modelId);
        if (IsOpenAIReasoningModel(modelId) || m.Contains("gpt-oss", StringComparison.OrdinalIgnoreCase))
        {
            return effort;
        }
        if (m.StartsWith("grok-3-mini", StringComparison.OrdinalIgnoreCase))
        {
            return effort == "low" ? "low" : "high";
        }
        if (string.Equals(provider, "gemini", StringComparison.OrdinalIgnoreCase)
            && (m.StartsWith("gemini-2.5", StringComparison.OrdinalIgnoreCase) || m.StartsWith("gemini-3", StringComparison.OrdinalIgnoreCase)))
        {
            return effort;
        }
        return null;
    }

    /// <summary>Anthropic thinking budget → effort: under 4k tokens low, under 16k medium, else high.</summary>
    public static string EffortForBudget(long budgetTokens) => budgetTokens switch
    {
        < 4096 => "low",
        < 16384 => "medium",
        _ => "high",
    };

    /// <summary>OpenAI reasoning_effort → Anthropic thinking budget (Anthropic's minimum is 1024).</summary>
    public static int BudgetForEffort(string effort) => effort switch
    {
        "minimal" => 1024,
        "low" => 2048,
        "medium" => 8192,
        _ => 16384, // high, xhigh, max
    };

    /// <summary>"openai/gpt-5" (OpenRouter style) → "gpt-5".</summary>
    private static ReadOnlySpan<char> BareModel(string modelId)
    {
        int slash = modelId.LastIndexOf('/');
        return slash >= 0 ? modelId.AsSpan(slash + 1) : modelId.AsSpan();
    }
}
