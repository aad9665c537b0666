using System.Buffers;
using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Switchboard.FakeUpstream;

/// <summary>The fake LLM's answers: fixed JSON, or an SSE stream of timestamped token chunks (see Program.cs).</summary>
public static class FakeLlm
{
    private static readonly byte[] OpenAIResponse = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-bench","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the fake upstream: a short answer of about twenty tokens, as a small completion would be."},"finish_reason":"stop"}],"usage":{"prompt_tokens":42,"completion_tokens":21,"total_tokens":63}}""");

    private static readonly byte[] AnthropicResponse = Encoding.UTF8.GetBytes(
        """{"id":"msg_bench","type":"message","role":"assistant","model":"claude-bench","content":[{"type":"text","text":"Hello from the fake upstream: a short answer of about twenty tokens, as a small completion would be."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":42,"output_tokens":21}}""");

    private static readonly byte[] OpenAIChunk = Encoding.UTF8.GetBytes(
        "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-bench\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"~tk");
    private static readonly byte[] OpenAIFirst = Encoding.UTF8.GetBytes(
        "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-bench\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"~tk");
    private static readonly byte[] OpenAIChunkEnd = Encoding.UTF8.GetBytes(" \"},\"finish_reason\":null}]}\n\n");
    private static readonly byte[] OpenAIEnd = Encoding.UTF8.GetBytes(
        "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-bench\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
        + "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-bench\",\"choices\":[],\"usage\":{\"prompt_tokens\":42,\"completion_tokens\":21,\"total_tokens\":63}}\n\n"
        + "data: [DONE]\n\n");

    private static readonly byte[] AnthropicStart = Encoding.UTF8.GetBytes(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_bench\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-bench\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":42,\"output_tokens\":1}}}\n\n"
        + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
    private static readonly byte[] AnthropicChunk = Encoding.UTF8.GetBytes(
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"~tk");
    private static readonly byte[] AnthropicChunkEnd = Encoding.UTF8.GetBytes(" \"}}\n\n");
    private static readonly byte[] AnthropicEnd = Encoding.UTF8.GetBytes(
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
        + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":21}}\n\n"
        + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");

    public static async Task HandleAsync(HttpContext context, int defaultLatency)
    {
        var path = context.Request.Path.Value ?? "";
        var anthropic = path.EndsWith("/messages", StringComparison.Ordinal);
        if (!anthropic && !path.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }
        int chunks = 10, gapMs = 0, latency = defaultLatency;
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment.Length > 1 && segment[0] == 's' && segment.IndexOf('x') is var x and > 1
                && int.TryParse(segment.AsSpan(1, x - 1), out var n) && int.TryParse(segment.AsSpan(x + 1), out var m))
            { chunks = n; gapMs = m; }
            else if (segment.Length > 1 && segment[0] == 'l' && int.TryParse(segment.AsSpan(1), out var l)) latency = l;
        }

        // Read the body (a real upstream would) and look for "stream":true without a full parse. Each read is scanned
        // and released at once: holding a 214 KB body to its end and copying it out cost ~2.3 ms of CPU per request
        // and capped the fake at ~350 req/s, below the gateway (now ~0.45 ms; ~0.1 ms with the 64 KB read blocks).
        var stream = await StreamFlag.ReadAsync(context.Request.BodyReader, context.RequestAborted);

        if (latency > 0) await Task.Delay(latency, context.RequestAborted);
        var response = context.Response;
        response.Headers["x-request-id"] = "req_fake";
        if (!stream)
        {
            var body = anthropic ? AnthropicResponse : OpenAIResponse;
            response.ContentType = "application/json";
            response.ContentLength = body.Length;
            await response.Body.WriteAsync(body, context.RequestAborted);
            return;
        }

        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var writer = response.BodyWriter;
        var ct = context.RequestAborted;
        try
        {
            var start = Stopwatch.GetTimestamp();
            if (anthropic) writer.Write(AnthropicStart);
            for (var i = 0; i < chunks; i++)
            {
                if (i > 0 && gapMs > 0)
                {
                    var due = TimeSpan.FromMilliseconds((double)i * gapMs) - Stopwatch.GetElapsedTime(start);
                    if (due > TimeSpan.Zero) await Task.Delay(due, ct);
                }
                writer.Write(anthropic ? AnthropicChunk : i == 0 ? OpenAIFirst : OpenAIChunk);
                var digits = writer.GetSpan(20);
                Stopwatch.GetTimestamp().TryFormat(digits, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
                writer.Advance(written);
                writer.Write(anthropic ? AnthropicChunkEnd : OpenAIChunkEnd);
                await writer.FlushAsync(ct);
            }
            writer.Write(anthropic ? AnthropicEnd : OpenAIEnd);
            await writer.FlushAsync(ct);
        }
        catch (OperationCanceledException)
        {
            // the client went away
        }
    }

}
