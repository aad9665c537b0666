namespace Switchboard.Models;

/// <summary>
/// What a model costs, in USD per million tokens of each kind. Input is the uncached input; cache reads and cache writes
/// have their own prices (a provider that charges nothing extra for writing its cache has the input price there).
/// </summary>
internal sealed record ModelPrice(decimal Input, decimal Output, decimal CacheRead, decimal CacheWrite)
{
    private const decimal PerMillion = 1_000_000m;

    /// <summary>Costs are kept to the nano-dollar: exact for every price with up to three decimals, and summed as integers.</summary>
    public const int Decimals = 9;

    /// <summary>
    /// The cost of one request in USD, rounded to <see cref="Decimals"/>. <paramref name="input"/> is the whole input
    /// (cache reads and writes included, as usage reports it); the part that is neither is billed at the input price.
    /// Reasoning tokens are part of <paramref name="output"/> (every provider bills them as output).
    /// </summary>
    public decimal CostOf(long input, long cacheRead, long cacheWrite, long output)
    {
        var uncached = Math.Max(0, input - cacheRead - cacheWrite);
        var cost = (uncached * Input + cacheRead * CacheRead + cacheWrite * CacheWrite + output * Output) / PerMillion;
        return Math.Round(cost, Decimals, MidpointRounding.ToEven);
    }
}
