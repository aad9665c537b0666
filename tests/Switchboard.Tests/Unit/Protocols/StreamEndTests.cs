using System.Text;
using Switchboard.Protocols;

namespace Switchboard.Tests.Unit.Protocols;

/// <summary>The passthrough check for a protocol's final event: found where it is, never inside a string.</summary>
[Trait("Kind", "Unit")]
public sealed class StreamEndTests
{
    [Theory]
    [InlineData(ApiFormat.OpenAI, """{"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]}""", false)]
    [InlineData(ApiFormat.OpenAI, """{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""", true)]
    [InlineData(ApiFormat.OpenAI, """{"choices":[{"index":0,"delta":{},"finish_reason" : "length"}]}""", true)]
    [InlineData(ApiFormat.OpenAI, """{"choices":[{"index":0,"delta":{},"native_finish_reason":"STOP","finish_reason":null}]}""", false)]
    [InlineData(ApiFormat.OpenAI, """{"choices":[{"index":0,"delta":{"content":"say \"finish_reason\":\"stop\""},"finish_reason":null}]}""", false)]
    [InlineData(ApiFormat.OpenAI, "[DONE]", true)]
    [InlineData(ApiFormat.OpenAI, """ {"error":{"message":"overloaded"}}""", true)]
    [InlineData(ApiFormat.Anthropic, """{"type": "ping"}""", false)]
    [InlineData(ApiFormat.Anthropic, """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\"type\":\"message_stop\""}}""", false)]
    [InlineData(ApiFormat.Anthropic, """{"type":"message_delta","delta":{"stop_reason":"end_turn"}}""", false)]
    [InlineData(ApiFormat.Anthropic, """{"type":"message_stop"}""", true)]
    [InlineData(ApiFormat.Anthropic, """{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}""", true)]
    public void Finds_the_final_event_only_where_it_is(ApiFormat api, string data, bool final) =>
        Assert.Equal(final, StreamEnd.IsFinalEvent(api, Encoding.UTF8.GetBytes(data)));
}
