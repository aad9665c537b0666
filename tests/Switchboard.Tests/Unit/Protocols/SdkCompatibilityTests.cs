using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.ClientModel;
using System.ClientModel.Primitives;
using Anthropic;
using Anthropic.Models.Messages;
using OpenAI;
using OpenAI.Chat;
using Switchboard.Protocols;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.OpenAIChat;

namespace Switchboard.Tests.Unit.Protocols;

/// <summary>
/// The official Anthropic and OpenAI .NET SDKs read what the translators produce, as real clients would: a format
/// mistake that our own validators share would still fail here.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class SdkCompatibilityTests
{
    private static readonly string GoldenDir = Path.Combine(AppContext.BaseDirectory, "TestData", "Golden");

    private static async Task<byte[]> TranslateStreamAsync(IStreamTranslator translator, string goldenInput)
    {
        var output = new MemoryStream();
        await SseEventPump.PumpAsync(new MemoryStream(File.ReadAllBytes(Path.Combine(GoldenDir, goldenInput))), translator,
            (bytes, _) => { output.Write(bytes.Span); return ValueTask.CompletedTask; }, CancellationToken.None);
        return output.ToArray();
    }

    private static AnthropicClient AnthropicClientFor(byte[] body, string mediaType) => new()
    {
        ApiKey = "test-key",
        BaseUrl = "http://gateway.test",
        MaxRetries = 0,
        ResponseValidation = true,
        HttpClient = new HttpClient(new CannedResponse(body, mediaType)),
    };

    private static ChatClient OpenAIClientFor(byte[] body, string mediaType) => new("gpt-4.1", new ApiKeyCredential("test-key"), new OpenAIClientOptions
    {
        Endpoint = new Uri("http://gateway.test/v1"),
        Transport = new HttpClientPipelineTransport(new HttpClient(new CannedResponse(body, mediaType))),
        RetryPolicy = new ClientRetryPolicy(0),
    });

    private static MessageCreateParams AnyAnthropicRequest => new()
    {
        MaxTokens = 1024,
        Messages = [new UserMessageParam("hi")],
        Model = "claude-sonnet-4-5",
    };

    [Fact]
    public async Task Anthropic_SDK_reads_a_translated_stream_with_thinking_text_and_tool_use()
    {
        var sb = new StringBuilder();
        foreach (string input in new[] { "thinking.stream.in.sse", "tool.stream.in.sse" })
        {
            byte[] sse = await TranslateStreamAsync(new OpenAIToAnthropicStream("claude-sonnet-4-5", "msg_sdk"), Path.Combine("anthropic-client.openai-upstream", input));
            AnthropicClient client = AnthropicClientFor(sse, "text/event-stream");
            await foreach (RawMessageStreamEvent e in client.Messages.CreateStreaming(AnyAnthropicRequest))
            {
                e.Validate();
                if (e.TryPickContentBlockStart(out RawContentBlockStartEvent? start))
                {
                    if (start!.ContentBlock.TryPickThinking(out ThinkingBlock? thinking)) sb.Append($"[thinking sig='{thinking!.Signature}']");
                    if (start.ContentBlock.TryPickToolUse(out ToolUseBlock? tool)) sb.Append($"[tool {tool!.ID} {tool.Name}]");
                }
                else if (e.TryPickContentBlockDelta(out RawContentBlockDeltaEvent? delta))
                {
                    if (delta!.Delta.TryPickText(out TextDelta? text)) sb.Append(text!.Text);
                    if (delta.Delta.TryPickThinking(out ThinkingDelta? think)) sb.Append(think!.Thinking);
                    if (delta.Delta.TryPickInputJson(out InputJsonDelta? json)) sb.Append(json!.PartialJson);
                }
                else if (e.TryPickDelta(out RawMessageDeltaEvent? messageDelta))
                {
                    sb.Append($"[stop {messageDelta!.Delta.StopReason!.Value()} out={messageDelta.Usage.OutputTokens}]");
                }
            }
            sb.Append('|');
        }
        Assert.Equal(
            "[thinking sig='']Compare 9.11 and 9.8.9.8 is larger.[stop EndTurn out=40]|" +
            "Let me read it.[tool call_Xy9 Read]{\"file_path\":\"a \\\"quoted\\\" {name}.txt\"}[stop ToolUse out=25]|",
            sb.ToString());
    }

    [Fact]
    public async Task Anthropic_SDK_reads_a_translated_message()
    {
        using JsonDocument upstream = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(GoldenDir, "anthropic-client.openai-upstream", "thinking.response.in.json")));
        byte[] body = OpenAIToAnthropicResponse.Translate(upstream.RootElement, "claude-sonnet-4-5", out _);
        Message message = await AnthropicClientFor(body, "application/json").Messages.Create(AnyAnthropicRequest);
        message.Validate();
        Assert.True(message.Content[0].TryPickThinking(out ThinkingBlock? thinking));
        Assert.Equal("", thinking!.Signature);
        Assert.True(message.Content[1].TryPickText(out TextBlock? text));
        Assert.Equal("9.8 is larger.", text!.Text);
        Assert.Equal(StopReason.MaxTokens, message.StopReason!.Value());
    }

    [Fact]
    public async Task OpenAI_SDK_reads_a_translated_stream_with_tool_calls_and_usage()
    {
        byte[] sse = await TranslateStreamAsync(new AnthropicToOpenAIStream("claude-sonnet-4-5", includeUsage: true),
            Path.Combine("openai-client.anthropic-upstream", "tool.stream.in.sse"));
        var text = new StringBuilder();
        var arguments = new StringBuilder();
        string? toolId = null, toolName = null;
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (StreamingChatCompletionUpdate update in OpenAIClientFor(sse, "text/event-stream").CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            foreach (ChatMessageContentPart part in update.ContentUpdate) text.Append(part.Text);
            foreach (StreamingChatToolCallUpdate call in update.ToolCallUpdates)
            {
                Assert.Equal(0, call.Index);
                toolId ??= call.ToolCallId;
                toolName ??= call.FunctionName;
                arguments.Append(call.FunctionArgumentsUpdate?.ToString());
            }
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }
        Assert.Equal("Checking.", text.ToString());
        Assert.Equal("toolu_01T1x1fJ34qAmk2tNTrN7Up6", toolId);
        Assert.Equal("get_weather", toolName);
        Assert.Equal("{\"city\": \"Paris\"}", arguments.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.Equal(472, usage!.InputTokenCount);
        Assert.Equal(89, usage.OutputTokenCount);
    }

    [Fact]
    public async Task OpenAI_SDK_reads_a_translated_completion()
    {
        using JsonDocument upstream = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(GoldenDir, "openai-client.anthropic-upstream", "parallel.response.in.json")));
        byte[] body = AnthropicToOpenAIResponse.Translate(upstream.RootElement, "claude-sonnet-4-5", out _);
        ChatCompletion completion = await OpenAIClientFor(body, "application/json").CompleteChatAsync([new UserChatMessage("hi")]);
        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        Assert.Equal(["toolu_A", "toolu_B"], completion.ToolCalls.Select(c => c.Id));
        Assert.Equal("Oslo", JsonDocument.Parse(completion.ToolCalls[1].FunctionArguments).RootElement.GetProperty("city").GetString());
        Assert.Equal(480, completion.Usage.TotalTokenCount);
    }

    /// <summary>Answers every request with the same body, as the gateway would after translation.</summary>
    private sealed class CannedResponse(byte[] body, string mediaType) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }
    }
}
