using System.Collections.Concurrent;
using Switchboard.Config;
using Switchboard.Models;
using Switchboard.Protocols;

namespace Switchboard.Pipeline;

/// <summary>
/// A finished request's cost, computed once at completion: the answering entry's <c>pricing:</c>, else the built-in
/// <see cref="PriceTable"/>; null when the model has neither (unpriced, never $0). count_tokens costs nothing.
/// </summary>
internal static class RequestCost
{
    /// <summary>Table look-ups by model literal (a wildcard entry serves any id, so bounded).</summary>
    private static readonly ConcurrentDictionary<string, ModelPrice?> TablePrices = new(StringComparer.Ordinal);
    private const int MaxCached = 4096;

    public static ModelPrice? PriceOf(ModelEntry entry, string modelId)
    {
        if (entry.Pricing is { } configured) return configured;
        // A wildcard entry (provider/*) answers with the id asked for; any other entry with its own id.
        var literal = entry.ModelId == "*" ? null : entry.Model;
        if (literal is not null && TablePrices.TryGetValue(literal, out var cached)) return cached;
        var price = PriceTable.Find(entry.Provider, literal is null ? modelId : entry.ModelId);
        if (literal is not null && TablePrices.Count < MaxCached) TablePrices.TryAdd(literal, price);
        return price;
    }

    public static decimal? Of(ModelEntry? entry, string modelId, Operation operation, in TokenUsage usage)
    {
        if (entry is null || PriceOf(entry, modelId) is not { } price) return null;
        if (operation == Operation.CountTokens) return 0m;
        return price.CostOf(usage.InputTokens ?? 0, usage.CachedInputTokens ?? 0, usage.CacheWriteTokens ?? 0, usage.OutputTokens ?? 0);
    }
}
