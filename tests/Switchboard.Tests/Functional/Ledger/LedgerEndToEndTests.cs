using System.ClientModel;
using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;
using OpenAI;
using OpenAI.Chat;

namespace Switchboard.Tests.Functional.Ledger;

/// <summary>
/// The measure: the official SDKs of both client APIs, streamed and not, same API and translated, with cache
/// tokens, against fake upstreams; then `switchboard usage --json` (the real CLI command, over HTTP) must say exactly
/// the upstreams' tokens × the configured prices.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class LedgerEndToEndTests : LedgerGatewayTest
{
    // OpenAI upstream: prompt 1200 (cached 200), completion 80. Anthropic upstream: 30 uncached + 900 read + 100 written, 70 out.
    private const string OpenAIBody = """
        {"id":"c1","object":"chat.completion","created":1,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":1200,"completion_tokens":80,"total_tokens":1280,"prompt_tokens_details":{"cached_tokens":200}}}
        """;

    private const string AnthropicBody = """
        {"id":"m1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","stop_sequence":null,
         "usage":{"input_tokens":30,"cache_read_input_tokens":900,"cache_creation_input_tokens":100,"output_tokens":70}}
        """;

    private static IEnumerable<string> OpenAIStream() =>
    [
        """data: {"id":"s","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":"hi"},"finish_reason":null}]}""" + "\n\n",
        """data: {"id":"s","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""" + "\n\n",
        """data: {"id":"s","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":1200,"completion_tokens":80,"total_tokens":1280,"prompt_tokens_details":{"cached_tokens":200}}}""" + "\n\n",
        "data: [DONE]\n\n",
    ];

    private static IEnumerable<string> AnthropicStream() =>
    [
        "event: message_start\n" + """data: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":30,"cache_read_input_tokens":900,"cache_creation_input_tokens":100,"output_tokens":1}}}""" + "\n\n",
        "event: content_block_start\n" + """data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""" + "\n\n",
        "event: content_block_delta\n" + """data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}""" + "\n\n",
        "event: content_block_stop\n" + """data: {"type":"content_block_stop","index":0}""" + "\n\n",
        "event: message_delta\n" + """data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":70}}""" + "\n\n",
        "event: message_stop\n" + """data: {"type":"message_stop"}""" + "\n\n",
    ];

    private const decimal OpenAICost = (1000 * 2m + 200 * 0.5m + 80 * 8m) / 1_000_000m;
    private const decimal AnthropicCost = (30 * 3m + 900 * 0.3m + 100 * 3.75m + 70 * 15m) / 1_000_000m;

    [Fact]
    public async Task Usage_json_totals_match_the_upstreams_tokens_times_the_prices_for_both_sdks_streamed_and_not()
    {
        var config = $"""
            version: v1
            model_providers:
              - model: openai/gpt-4.1
                access_key: $OPENAI_API_KEY
                base_url: {OpenAIUpstream.BaseUrl.ToString().TrimEnd('/')}/v1
                default: true
                pricing: {"{"}input: 2, output: 8, cache_read: 0.5{"}"}
              - model: anthropic/claude-sonnet-4-5
                access_key: $ANTHROPIC_API_KEY
                base_url: {AnthropicUpstream.BaseUrl.ToString().TrimEnd('/')}
                pricing: {"{"}input: 3, output: 15, cache_read: 0.3, cache_write: 3.75{"}"}
            ledger:
              path: {Path.Combine(StateDir, "ledger.db")}
            """;
        await using var gateway = await TestGateway.StartAsync(config, Yaml.Keys);
        var openAI = new OpenAIClient(new ApiKeyCredential("client"), new OpenAIClientOptions { Endpoint = new Uri(gateway.BaseUrl, "/v1") });
        var anthropic = new AnthropicClient { ApiKey = "client", BaseUrl = gateway.BaseUrl.ToString().TrimEnd('/'), MaxRetries = 0 };
        MessageCreateParams Ask(string model) => new() { Model = model, MaxTokens = 100, Messages = [new UserMessageParam { Content = "hi" }] };

        var expected = 0m;
        var requests = 0;
        foreach (var model in (string[])["openai/gpt-4.1", "anthropic/claude-sonnet-4-5"])
        {
            var cost = model.StartsWith("openai", StringComparison.Ordinal) ? OpenAICost : AnthropicCost;
            OpenAIUpstream.RespondJson(OpenAIBody);
            AnthropicUpstream.RespondJson(AnthropicBody);
            // The OpenAI SDK, not streamed; the Anthropic SDK, not streamed (one of each is translated).
            await openAI.GetChatClient(model).CompleteChatAsync([new UserChatMessage("hi")]);
            await anthropic.Messages.Create(Ask(model));
            OpenAIUpstream.RespondSse(OpenAIStream());
            AnthropicUpstream.RespondSse(AnthropicStream());
            await foreach (var _ in openAI.GetChatClient(model).CompleteChatStreamingAsync([new UserChatMessage("hi")])) { }
            await foreach (var _ in anthropic.Messages.CreateStreaming(Ask(model))) { }
            expected += 4 * cost;
            requests += 4;
        }
        await LiveOutput.WaitUntilAsync(() => gateway.Logs.Lines.Count(l => l.Contains(" request sb_", StringComparison.Ordinal)) >= requests, "every request's log line");

        using var cli = new CliHarness();
        var result = await cli.RunAsync(["usage", "--since", "1h", "--by", "model", "--json", "--url", gateway.BaseUrl.ToString()], null, CancellationToken.None);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var total = json.RootElement.GetProperty("total");
        Assert.Equal(requests, total.GetProperty("requests").GetInt64());
        Assert.Equal(0, total.GetProperty("errors").GetInt64());
        Assert.Equal(4 * (1200 + 1030), total.GetProperty("input_tokens").GetInt64());
        Assert.Equal(4 * (200 + 900), total.GetProperty("cache_read_tokens").GetInt64());
        Assert.Equal(4 * 100, total.GetProperty("cache_write_tokens").GetInt64());
        Assert.Equal(4 * (80 + 70), total.GetProperty("output_tokens").GetInt64());
        Assert.Equal(expected, total.GetProperty("cost_usd").GetDecimal());
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("key").GetString()!, r => r.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(4 * OpenAICost, rows["openai/gpt-4.1"]);
        Assert.Equal(4 * AnthropicCost, rows["anthropic/claude-sonnet-4-5"]);

        // The table form says the same total.
        var table = await cli.RunAsync(["usage", "--since", "1h", "--url", gateway.BaseUrl.ToString()], null, CancellationToken.None);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("anthropic/claude-sonnet-4-5", table.Out);
    }
}
