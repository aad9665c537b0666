using System.Buffers;
using System.Text.Json;

namespace Switchboard.Protocols;

/// <summary>
/// What a translator needs to know about the model that will answer: its id, what it accepts, and caps.
/// Built by the gateway from the resolved provider.
/// </summary>
internal sealed record TranslationTarget
{
    /// <summary>The model id the upstream expects ("gpt-4.1", "claude-sonnet-4-5").</summary>
    public required string ModelId { get; init; }
    /// <summary>Provider name ("openai", "deepseek", "ollama", "anthropic", …): some quirks are per provider.</summary>
    public required string Provider { get; init; }
    /// <summary>The upstream's wire protocol.</summary>
    public required ApiFormat Api { get; init; }
    /// <summary>Cap for max_tokens toward this model, when known.</summary>
    public int? MaxOutputTokens { get; init; }
}

/// <summary>
/// Translates one streamed response, event by event, from the upstream's protocol to the client's.
/// Stateful and single-use: one instance per response. Output is complete SSE frames written to the writer.
/// </summary>
internal interface IStreamTranslator
{
    /// <summary>One upstream SSE event (its "event:" type, or null; its "data:" payload).</summary>
    void OnEvent(string? eventType, ReadOnlySpan<byte> data, IBufferWriter<byte> output);

    /// <summary>
    /// The upstream stream ended. When its protocol's final event had come (<see cref="StreamEnd"/>), writes whatever
    /// closing events the client protocol still needs and returns true. When it had not, the stream was cut short:
    /// writes an error event instead (never a clean finish, which would pass a partial answer off as whole) and
    /// returns false.
    /// </summary>
    bool OnCompleted(IBufferWriter<byte> output);

    /// <summary>The upstream failed mid-stream: closes the client stream with a well-formed error event.</summary>
    void OnFailed(string message, IBufferWriter<byte> output);

    /// <summary>Usage seen so far (for logs), when the upstream reported it.</summary>
    TokenUsage Usage { get; }
}

/// <summary>
/// A request's usage, every token kind, as a provider reported it; nulls where it did not say. Read by each protocol's
/// readers (<see cref="UsageReader"/> on passing bytes, <c>Translation/UsageMapping</c> and <c>GeminiWire</c> when
/// translating), carried by the request to the completion sinks (log, metrics, ledger, cost).
/// <see cref="InputTokens"/> is the whole input, cached tokens included (OpenAI's prompt_tokens; Anthropic's input +
/// cache read + cache write; Gemini's promptTokenCount); <see cref="CachedInputTokens"/> is its cache-read part and
/// <see cref="CacheWriteTokens"/> its cache-write part (Anthropic's cache_creation_input_tokens).
/// <see cref="OutputTokens"/> is the whole output, reasoning included (how every provider bills it);
/// <see cref="ReasoningTokens"/> is its reasoning part (OpenAI's completion_tokens_details.reasoning_tokens, Gemini's
/// thoughtsTokenCount; Anthropic does not say it apart).
/// </summary>
internal readonly record struct TokenUsage(long? InputTokens, long? OutputTokens, long? CachedInputTokens = null, long? CacheWriteTokens = null, long? ReasoningTokens = null);

/// <summary>
/// A request or response that is valid JSON but not of the shape its protocol defines (a string where an array
/// belongs, a required field missing), so it cannot be translated. A client's request gets a 400 in its own format;
/// an upstream's response a 502.
/// </summary>
internal sealed class TranslationException(string message, Exception? inner = null) : JsonException(message, inner);

/// <summary>
/// A valid request that asks for something the target API cannot give (OpenAI's <c>n</c> &gt; 1 toward Anthropic): the
/// gateway tries the next fallback candidate, and with none left the client gets a 400 saying what to change.
/// </summary>
internal sealed class UnsupportedByTargetException(string message) : JsonException(message);
