using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Protocols;

namespace Switchboard.Tests.Unit.Protocols;

[Trait("Kind", "Unit")]
public sealed class ErrorFormatsTests
{
    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(401, "authentication_error")]
    [InlineData(403, "permission_error")]
    [InlineData(404, "not_found_error")]
    [InlineData(413, "request_too_large")]
    [InlineData(422, "invalid_request_error")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(500, "api_error")]
    [InlineData(502, "api_error")]
    [InlineData(503, "overloaded_error")]
    [InlineData(529, "overloaded_error")]
    public void Anthropic_type_follows_status(int status, string type) => Assert.Equal(type, ErrorFormats.AnthropicTypeForStatus(status));

    [Fact]
    public void Builders_produce_each_protocols_shape()
    {
        JsonNode a = JsonNode.Parse(ErrorFormats.Anthropic("not_found_error", "no \"such\" model"))!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"error","error":{"type":"not_found_error","message":"no \"such\" model"}}"""), a));
        JsonNode o = JsonNode.Parse(ErrorFormats.OpenAI("invalid_request_error", "bad", "model_not_found"))!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"error":{"message":"bad","type":"invalid_request_error","param":null,"code":"model_not_found"}}"""), o));
    }

    [Theory]
    [InlineData("""{"error":{"message":"Incorrect API key","type":"invalid_request_error","code":"invalid_api_key"}}""", 401, "authentication_error", "Incorrect API key")]
    [InlineData("""{"type":"error","error":{"type":"request_too_large","message":"too big"}}""", 400, "request_too_large", "too big")]
    [InlineData("""{"detail":"Not Found"}""", 404, "not_found_error", "Not Found")]
    [InlineData("""{"error":"model 'x' not found"}""", 404, "not_found_error", "model 'x' not found")]
    [InlineData("upstream connect error", 503, "overloaded_error", "Upstream returned HTTP 503: upstream connect error")]
    [InlineData("", 500, "api_error", "Upstream returned HTTP 500 with an empty body.")]
    [InlineData("{not json", 400, "invalid_request_error", "Upstream returned HTTP 400: {not json")]
    public void Upstream_errors_reach_an_Anthropic_client_with_their_message(string body, int status, string type, string message)
    {
        JsonNode error = JsonNode.Parse(ErrorFormats.FromUpstream(ApiFormat.Anthropic, status, Encoding.UTF8.GetBytes(body)))!;
        Assert.Equal("error", (string?)error["type"]);
        Assert.Equal(type, (string?)error["error"]!["type"]);
        Assert.Equal(message, (string?)error["error"]!["message"]);
    }

    [Fact]
    public void Upstream_errors_reach_an_OpenAI_client_with_their_message_and_code()
    {
        JsonNode fromOpenAI = JsonNode.Parse(ErrorFormats.FromUpstream(ApiFormat.OpenAI, 429,
            """{"error":{"message":"slow down","type":"tokens","code":"rate_limit_exceeded"}}"""u8))!;
        Assert.Equal("tokens", (string?)fromOpenAI["error"]!["type"]);
        Assert.Equal("rate_limit_exceeded", (string?)fromOpenAI["error"]!["code"]);

        JsonNode fromAnthropic = JsonNode.Parse(ErrorFormats.FromUpstream(ApiFormat.OpenAI, 401,
            """{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"""u8))!;
        Assert.Equal("invalid x-api-key", (string?)fromAnthropic["error"]!["message"]);
        Assert.Equal("authentication_error", (string?)fromAnthropic["error"]!["type"]);
        Assert.Equal(503, ErrorFormats.StatusForClient(ApiFormat.OpenAI, 529));
        Assert.Equal(529, ErrorFormats.StatusForClient(ApiFormat.Anthropic, 529));
    }
}

[Trait("Kind", "Unit")]
public sealed class CountTokensEstimatorTests
{
    private static int Estimate(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        return CountTokensEstimator.EstimateAnthropicRequest(doc.RootElement);
    }

    private static string Request(string content, string tools = "[]") =>
        "{ \"system\": \"" + Text400 + "\", \"messages\": [{ \"role\": \"user\", \"content\": " + content + " }], \"tools\": " + tools + " }";

    private static readonly string Text400 = new('a', 400);

    [Fact]
    public void Counts_system_messages_tools_and_images()
    {
        int baseline = Estimate(Request("\"" + Text400 + "\""));
        Assert.Equal(200 + CountTokensEstimator.TokensPerMessage, baseline);

        int withImage = Estimate(Request(
            "[{ \"type\": \"text\", \"text\": \"" + Text400 + "\" }, { \"type\": \"image\", \"source\": { \"type\": \"base64\", \"media_type\": \"image/png\", \"data\": \"AAAA\" } }]"));
        Assert.Equal(baseline + CountTokensEstimator.TokensPerImage, withImage);

        int withTool = Estimate(Request("\"" + Text400 + "\"",
            "[{ \"name\": \"Read\", \"description\": \"" + Text400 + "\", \"input_schema\": { \"type\": \"object\" } }]"));
        Assert.InRange(withTool - baseline, 100 + CountTokensEstimator.TokensPerTool, 110 + CountTokensEstimator.TokensPerTool);
    }

    [Fact]
    public void Tool_use_and_results_count_and_unknown_blocks_do_not_crash()
    {
        int n = Estimate("""
            { "messages": [
              { "role": "assistant", "content": [{ "type": "tool_use", "id": "t", "name": "Bash", "input": { "command": "ls -la /tmp" } }, { "type": "mystery" }] },
              { "role": "user", "content": [{ "type": "tool_result", "tool_use_id": "t", "content": [{ "type": "text", "text": "file1 file2 file3" }] }] }
            ] }
            """);
        Assert.InRange(n, 15, 30);
    }
}
