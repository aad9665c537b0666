using Switchboard.Config;
using Switchboard.Pipeline;

namespace Switchboard.Limits;

/// <summary>US dollars per million tokens: a token costs <c>price</c> micro-dollars.</summary>
internal readonly record struct BudgetPrice(double InputPerMillion, double OutputPerMillion)
{
    /// <summary>What <paramref name="input"/> and <paramref name="output"/> tokens cost, in micro-dollars, rounded up.</summary>
    public long Micros(long input, long output) => (long)Math.Ceiling(input * InputPerMillion + output * OutputPerMillion);
}

/// <summary>Where budgets get prices (a seam, so tests can price models their own way).</summary>
internal interface IPriceLookup
{
    bool TryGet(ModelEntry entry, string model, out BudgetPrice price);
}

/// <summary>The ledger's prices: the model entry's <c>pricing:</c>, else the built-in price table (Models/PriceTable).</summary>
internal sealed class ConfigPriceLookup : IPriceLookup
{
    public static readonly ConfigPriceLookup Instance = new();

    public bool TryGet(ModelEntry entry, string model, out BudgetPrice price)
    {
        var known = RequestCost.PriceOf(entry, model);
        price = known is { } p ? new BudgetPrice((double)p.Input, (double)p.Output) : default;
        return known is not null;
    }
}
