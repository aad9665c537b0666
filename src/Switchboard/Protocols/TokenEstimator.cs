namespace Switchboard.Protocols;

/// <summary>
/// A tokenizer-free token estimate (no tokenizer package installs here): about four characters a token for
/// prose and code, counted as UTF-16 chars, rounded up. Used for router budgets and count_tokens toward
/// non-Anthropic targets, always documented as an estimate.
/// </summary>
internal static class TokenEstimator
{
    public const int CharsPerToken = 4;

    public static int Estimate(ReadOnlySpan<char> text) => (text.Length + CharsPerToken - 1) / CharsPerToken;

    public static int Estimate(string? text) => text is null ? 0 : Estimate(text.AsSpan());
}
