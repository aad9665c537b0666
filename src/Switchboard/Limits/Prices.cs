using Switchboard.Config;

namespace Switchboard.Limits;

/// <summary>US dollars per million tokens: a token costs <c>price</c> micro-dollars.</summary>
internal readonly record struct ModelPrice(double InputPerMillion, double OutputPerMillion)
{
    /// <summary>What <paramref name="input"/> and <paramref name="output"/> tokens cost, in micro-dollars, rounded up.</summary>
    public long Micros(long input, long output) => (long)Math.Ceiling(input * InputPerMillion + output * OutputPerMillion);
}

/// <summary>
/// Where budgets get prices. The seam for the usage ledger's price table (issue #18 builds on it once it lands); until
/// then, the model entry's own <c>pricing</c>.
/// </summary>
internal interface IPriceLookup
{
    bool TryGet(ModelEntry entry, string model, out ModelPrice price);
}

/// <summary>Prices from the model entry's <c>pricing:</c>.</summary>
internal sealed class ConfigPriceLookup : IPriceLookup
{
    public static readonly ConfigPriceLookup Instance = new();

    public bool TryGet(ModelEntry entry, string model, out ModelPrice price)
    {
        price = entry.Pricing is { } p ? new ModelPrice((double)p.InputPerMillion, (double)p.OutputPerMillion) : default;
        return entry.Pricing is not null;
    }
}
