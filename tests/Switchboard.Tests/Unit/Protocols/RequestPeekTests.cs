using System.Text;
using System.Text.Json;
using Switchboard.Models;
using Switchboard.Protocols;
using Switchboard.Providers;

namespace Switchboard.Tests.Unit.Protocols;

[Trait("Kind", "Unit")]
public sealed class RequestPeekTests
{
    [Fact]
    public void Reads_the_top_level_fields_and_ignores_nested_ones()
    {
        var body = Encoding.UTF8.GetBytes("""{"metadata":{"model":"nested","stream":true},"model":"claude-opus-5-5","max_tokens":128000,"stream":true,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"text","text":"x"}]}]}""");
        var peek = RequestPeek.Read(body);
        Assert.Equal(("claude-opus-5-5", true, true, 2, 128000L), (peek.Model, peek.Stream, peek.HasMessages, peek.MessageCount, peek.MaxTokens));
    }

    [Theory]
    [InlineData("""{"model":"a"} x""")]
    [InlineData("""{"model":"a",}""")]
    [InlineData("""[]""")]
    [InlineData("""{"model":"a" """)]
    public void Rejects_what_is_not_one_json_object(string json) =>
        Assert.ThrowsAny<JsonException>(() => RequestPeek.Read(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Splices_model_and_caps_max_tokens_keeping_every_other_byte()
    {
        var original = """{"max_tokens":  128000 ,"future":{"é":"\u00e9"},"model":"claude-opus-5-5","messages":[]}""";
        var body = Encoding.UTF8.GetBytes(original);
        var peek = RequestPeek.Read(body);
        var rewritten = Encoding.UTF8.GetString(peek.WithModel(body, "claude-sonnet-4-5", 64000));
        Assert.Equal("""{"max_tokens":  64000 ,"future":{"é":"\u00e9"},"model":"claude-sonnet-4-5","messages":[]}""", rewritten);
        Assert.Equal(original.Replace("claude-opus-5-5", "x\\\"y"), Encoding.UTF8.GetString(peek.WithModel(body, "x\"y", 200000)));
        Assert.Equal(original.Replace("claude-opus-5-5", "m"), Encoding.UTF8.GetString(peek.WithModel(body, "m")));
    }

    [Fact]
    public void A_capped_max_tokens_keeps_the_thinking_budget_below_it()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"claude-opus-4-1","max_tokens":32000,"thinking":{"type":"enabled","budget_tokens":31999},"messages":[]}""");
        var peek = RequestPeek.Read(body);
        Assert.Equal(31999, peek.ThinkingBudget);
        var capped = Encoding.UTF8.GetString(peek.WithModel(body, "claude-3-5-haiku", 8192));
        Assert.Equal("""{"model":"claude-3-5-haiku","max_tokens":8192,"thinking":{"type":"enabled","budget_tokens":4096},"messages":[]}""", capped);
        // Uncapped requests keep their budget byte for byte.
        Assert.Contains("\"budget_tokens\":31999", Encoding.UTF8.GetString(peek.WithModel(body, "claude-opus-4-1", 32000)));
    }

    [Theory]
    [InlineData("claude-sonnet-4-5", 64000)]
    [InlineData("claude-opus-4-1-20250805", 32000)]
    [InlineData("gpt-4.1", 32768)]
    [InlineData("gpt-4.1-mini", 32768)]
    [InlineData("gpt-4o-mini", 16384)]
    [InlineData("o4-mini", 100000)]
    [InlineData("deepseek-chat", 8192)]
    [InlineData("anthropic/claude-sonnet-4.5", 64000)]
    [InlineData("qwen2.5-coder:7b", null)]
    public void Knows_common_output_caps(string model, int? cap) => Assert.Equal(cap, ModelLimits.MaxOutputTokens(model));
}
