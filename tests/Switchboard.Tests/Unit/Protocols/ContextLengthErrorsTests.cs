using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Protocols;

namespace Switchboard.Tests.Unit.Protocols;

/// <summary>Providers' real context-length wordings, recognised with their numbers and said again in each client's words.</summary>
[Trait("Kind", "Unit")]
public sealed class ContextLengthErrorsTests
{
    [Theory]
    // OpenAI, both wordings, and its newer one without numbers.
    [InlineData(400, "This model's maximum context length is 8192 tokens. However, your messages resulted in 8227 tokens. Please reduce the length of the messages.", "context_length_exceeded", 8227L, null, 8192L)]
    [InlineData(400, "This model's maximum context length is 4097 tokens. However, you requested 4268 tokens (4012 in the messages, 256 in the completion). Please reduce the length of the messages or completion.", "context_length_exceeded", 4012L, 256L, 4097L)]
    [InlineData(400, "Your input exceeds the context window of this model. Please adjust your input and try again.", "context_length_exceeded", null, null, null)]
    // vLLM: input tokens (plus max_tokens), and max_tokens too large.
    [InlineData(400, "This model's maximum context length is 2048 tokens. However, your request has 3000 input tokens. Please reduce the length of the input messages.", "400", 3000L, null, 2048L)]
    [InlineData(400, "This model's maximum context length is 2048 tokens. However, your request has 8 input tokens plus 2045 'max_tokens'. Please reduce one or the other.", "400", 8L, 2045L, 2048L)]
    [InlineData(400, "'max_tokens' or 'max_completion_tokens' is too large: 4096. This model's maximum context length is 8192 tokens and your request has 5000 input tokens (4096 > 8192 - 5000).", null, 5000L, 4096L, 8192L)]
    // SGLang.
    [InlineData(400, "Requested token count exceeds the model's maximum context length of 202752 tokens. You requested a total of 202941 tokens: 170941 tokens from the input messages and 32000 tokens for the completion. Please reduce the number of tokens in the input messages or the completion to fit within the limit.", null, 170941L, 32000L, 202752L)]
    // Gemini.
    [InlineData(400, "The input token count (1200293) exceeds the maximum number of tokens allowed (1048576).", "INVALID_ARGUMENT", 1200293L, null, 1048576L)]
    // Anthropic, both wordings.
    [InlineData(400, "prompt is too long: 210118 tokens > 200000 maximum", null, 210118L, null, 200000L)]
    [InlineData(400, "input length and `max_tokens` exceed context limit: 187254 + 20000 > 204798, decrease input length or `max_tokens` and try again", null, 187254L, 20000L, 204798L)]
    public void Recognises_each_providers_wording_with_its_numbers(int status, string message, string? code, long? prompt, long? completion, long? maximum)
    {
        var overflow = ContextLengthErrors.Detect(status, message, code);
        Assert.Equal(new ContextLengthErrors.Overflow(prompt, completion, maximum), overflow);
    }

    [Theory]
    [InlineData(429, "Rate limit reached for gpt-4.1 on tokens per min (TPM): Limit 30000, Used 29000, Requested 2000.", "rate_limit_exceeded")]
    [InlineData(400, "Invalid 'messages[1].content': string too long.", "string_above_max_length")]
    [InlineData(400, "max_tokens is too large: 100000. This model supports at most 16384 completion tokens.", "invalid_value")]
    [InlineData(500, "The server had an error processing the maximum context length check.", null)]
    public void Other_errors_are_not_context_length_errors(int status, string message, string? code) =>
        Assert.Null(ContextLengthErrors.Detect(status, message, code));

    [Fact]
    public void Without_numbers_the_wording_still_leads_with_prompt_is_too_long()
    {
        var body = ErrorFormats.FromUpstream(ApiFormat.Anthropic, 400, Encoding.UTF8.GetBytes(
            """{"error":{"message":"Your input exceeds the context window of this model.","type":"invalid_request_error","param":"input","code":"context_length_exceeded"}}"""));
        var error = JsonNode.Parse(body)!["error"]!;
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.Equal("prompt is too long: Your input exceeds the context window of this model.", (string?)error["message"]);
    }

    [Fact]
    public void A_cross_protocol_context_error_is_a_400_whatever_status_the_provider_used()
    {
        var error = ErrorFormats.ForClient(ApiFormat.Anthropic, ApiFormat.OpenAI, 413,
            Encoding.UTF8.GetBytes("""{"error":{"message":"maximum context length is 4096 tokens. However, your messages resulted in 5000 tokens.","code":"context_length_exceeded"}}"""));
        Assert.Equal(400, error.Status);
        Assert.Equal("prompt is too long: 5000 tokens > 4096 maximum", (string?)JsonNode.Parse(error.Body)!["error"]!["message"]);
    }

    [Fact]
    public void A_same_protocol_error_in_another_shape_is_rewrapped_in_the_clients()
    {
        var error = ErrorFormats.ForClient(ApiFormat.OpenAI, ApiFormat.OpenAI, 400, Encoding.UTF8.GetBytes("""{"detail":"This model's maximum context length is 4096 tokens. However, your messages resulted in 5000 tokens."}"""));
        Assert.Equal(400, error.Status);
        Assert.Equal("context_length_exceeded", (string?)JsonNode.Parse(error.Body)!["error"]!["code"]);
        var html = ErrorFormats.ForClient(ApiFormat.OpenAI, ApiFormat.OpenAI, 502, "<html>Bad Gateway</html>"u8);
        Assert.Equal(502, html.Status);
        Assert.Equal("Upstream returned HTTP 502: <html>Bad Gateway</html>", (string?)JsonNode.Parse(html.Body)!["error"]!["message"]);
    }
}
