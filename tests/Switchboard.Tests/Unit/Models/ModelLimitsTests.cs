using Switchboard.Models;

namespace Switchboard.Tests.Unit.Models;

[Trait("Kind", "Unit")]
public sealed class ModelLimitsTests
{
    [Theory]
    [InlineData("claude-sonnet-4-5", 64_000)]
    [InlineData("anthropic/claude-sonnet-4.5", 64_000)]        // a vendor prefix, dots for dashes
    [InlineData("openrouter/openai/GPT-4.1-mini", 32_768)]     // case aside; the longest prefix (gpt-4.1, not gpt-4)
    [InlineData("gpt-4-1", 32_768)]                            // a dash where the table has a dot
    [InlineData("gpt-4", 8_192)]
    [InlineData("o1-mini-2024", 65_536)]                       // o1-mini over o1
    [InlineData("o1", 100_000)]
    [InlineData("claude-opus-4-5-20251101", 64_000)]           // claude-opus-4-5 over claude-opus-4
    [InlineData("claude-opus-4-9", 32_000)]
    public void The_longest_known_prefix_gives_the_cap(string model, int cap) => Assert.Equal(cap, ModelLimits.MaxOutputTokens(model));

    [Theory]
    [InlineData("my-own-model")]
    [InlineData("gpt")]                                        // shorter than every prefix it begins
    [InlineData("")]
    [InlineData("vendor/")]
    public void Unknown_models_are_not_capped(string model) => Assert.Null(ModelLimits.MaxOutputTokens(model));
}
