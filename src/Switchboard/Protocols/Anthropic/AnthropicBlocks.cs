using System.Text.Json;

namespace Switchboard.Protocols.Anthropic;

/// <summary>Fields current Anthropic responses always carry, which strict clients (the official SDKs) require.</summary>
internal static class AnthropicBlocks
{
    /// <summary>
    /// <c>"caller": {"type": "direct"}</c> on a tool_use block: the model called the tool itself (not from code
    /// execution). Anthropic sends it on every tool_use; the official SDKs reject a tool_use block without it.
    /// </summary>
    public static void WriteDirectCaller(Utf8JsonWriter json)
    {
        json.WriteStartObject("caller"u8);
        json.WriteString("type"u8, "direct"u8);
        json.WriteEndObject();
    }
}
