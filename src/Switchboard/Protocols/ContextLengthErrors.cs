using System.Globalization;
using System.Text.RegularExpressions;

namespace Switchboard.Protocols;

/// <summary>
/// "The conversation no longer fits the model's context", recognised in each provider's words and said again in the
/// client protocol's own: Claude Code compacts and retries on Anthropic's <c>prompt is too long: N tokens &gt; M maximum</c>
/// (and lowers max_tokens on <c>input length and `max_tokens` exceed context limit: N + C &gt; M</c>); OpenAI clients look
/// for <c>code: "context_length_exceeded"</c>. The token counts are kept whenever the provider gave them.
/// Runs only on error responses.
/// </summary>
internal static partial class ContextLengthErrors
{
    /// <summary>What the provider said about the overflow: prompt tokens, requested completion tokens, the context size.</summary>
    internal readonly record struct Overflow(long? Prompt, long? Completion, long? Maximum);

    private const string OpenAICode = "context_length_exceeded";

    /// <summary>
    /// The wordings with numbers: Anthropic (both), OpenAI (messages, or messages + completion), vLLM (input tokens, plus
    /// max_tokens; or max_tokens too large), SGLang, Gemini ("The input token count (N) exceeds the maximum number of
    /// tokens allowed (M)."), and any other "maximum context length is M".
    /// </summary>
    [GeneratedRegex("""
        prompt\ is\ too\ long:\s*(?<prompt>\d+)\ tokens?\s*>\s*(?<max>\d+)\ maximum
        | input\ length\ and\ `?max_tokens`?\ exceed\ context\ limit:\s*(?<prompt>\d+)\s*\+\s*(?<completion>\d+)\s*>\s*(?<max>\d+)
        | too\ large:\ (?<completion>\d+)\.\ This\ model's\ maximum\ context\ length\ is\ (?<max>\d+)\ tokens\ and\ your\ request\ has\ (?<prompt>\d+)\ input\ tokens
        | maximum\ context\ length\ is\ (?<max>\d+)\ tokens\.?\s*However,\s*
          (?: your\ messages\ resulted\ in\ (?<prompt>\d+)\ tokens
            | you\ requested\ \d+\ tokens\ \((?<prompt>\d+)\ in\ the\ messages,\ (?<completion>\d+)\ in\ the\ completion\)
            | your\ request\ has\ (?<prompt>\d+)\ input\ tokens(?:\ plus\ (?<completion>\d+))? )
        | maximum\ context\ length\ of\ (?<max>\d+)\ tokens\.\ You\ requested\ a\ total\ of\ \d+\ tokens:\ (?<prompt>\d+)\ tokens\ from\ the\ input\ messages\ and\ (?<completion>\d+)\ tokens\ for\ the\ completion
        | input\ token\ count\ \(?(?<prompt>\d+)\)?\ exceeds\ the\ maximum\ number\ of\ tokens\ allowed\ \(?(?<max>\d+)\)?
        | maximum\ context\ length\ (?:is|of)\ (?<max>\d+)
        """, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace | RegexOptions.ExplicitCapture)]
    private static partial Regex Numbers();

    /// <summary>Wordings without numbers (OpenAI's newer "Your input exceeds the context window of this model").</summary>
    [GeneratedRegex(@"prompt is too long|context[ _](?:length|window|limit)|maximum number of tokens allowed|input token count .* exceeds",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Wording();

    /// <summary>
    /// Whether an upstream error says the request does not fit the model's context. OpenAI's code decides alone; the
    /// wording counts only on a client-error status (never a 429: a tokens-per-minute limit is not a context limit).
    /// </summary>
    public static Overflow? Detect(int status, string message, string? code)
    {
        var coded = string.Equals(code, OpenAICode, StringComparison.OrdinalIgnoreCase);
        if (!coded && (status is < 400 or >= 500 or 429 || !Wording().IsMatch(message))) return null;
        var match = Numbers().Match(message);
        return match.Success
            ? new Overflow(Number(match, "prompt"), Number(match, "completion"), Number(match, "max"))
            : new Overflow(null, null, null);
    }

    /// <summary>The overflow as the client protocol's own context-length error (status 400).</summary>
    public static byte[] Format(ApiFormat client, Overflow overflow, string upstreamMessage) => client == ApiFormat.Anthropic
        ? ErrorFormats.Anthropic("invalid_request_error", AnthropicMessage(overflow, upstreamMessage))
        : ErrorFormats.OpenAI("invalid_request_error", OpenAIMessage(overflow, upstreamMessage), OpenAICode, param: "messages");

    private static string AnthropicMessage(Overflow o, string upstreamMessage) => o switch
    {
        // The prompt alone fits, prompt + max_tokens does not: Anthropic's wording for that (Claude Code lowers max_tokens).
        { Prompt: { } p, Completion: { } c, Maximum: { } m } when p <= m =>
            string.Create(CultureInfo.InvariantCulture, $"input length and `max_tokens` exceed context limit: {p} + {c} > {m}, decrease input length or `max_tokens` and try again"),
        { Prompt: { } p, Maximum: { } m } => string.Create(CultureInfo.InvariantCulture, $"prompt is too long: {p} tokens > {m} maximum"),
        _ when upstreamMessage.StartsWith("prompt is too long", StringComparison.OrdinalIgnoreCase) => upstreamMessage,
        _ => "prompt is too long: " + upstreamMessage,
    };

    private static string OpenAIMessage(Overflow o, string upstreamMessage) => o switch
    {
        { Prompt: { } p, Completion: { } c, Maximum: { } m } => string.Create(CultureInfo.InvariantCulture,
            $"This model's maximum context length is {m} tokens. However, you requested {p + c} tokens ({p} in the messages, {c} in the completion). Please reduce the length of the messages or completion."),
        { Prompt: { } p, Maximum: { } m } => string.Create(CultureInfo.InvariantCulture,
            $"This model's maximum context length is {m} tokens. However, your messages resulted in {p} tokens. Please reduce the length of the messages."),
        _ => upstreamMessage,
    };

    private static long? Number(Match match, string group) =>
        match.Groups[group] is { Success: true } g && long.TryParse(g.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}
