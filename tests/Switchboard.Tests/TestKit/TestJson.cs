using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Protocols;

namespace Switchboard.Tests.TestKit;

internal static class TestJson
{
    /// <summary>Reflection-based serialization is on for tests only (the product uses source-generated JSON).</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };

    public static JsonNode Run(Func<JsonElement, TranslationTarget, byte[]> translate, string json, TranslationTarget target)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        return JsonNode.Parse(translate(doc.RootElement, target))!;
    }

    public static string Text(byte[] utf8) => Encoding.UTF8.GetString(utf8);

    public static TranslationTarget OpenAITarget(string model, int? maxOutput = null, string provider = "openai") =>
        new() { ModelId = model, Provider = provider, Api = ApiFormat.OpenAI, MaxOutputTokens = maxOutput };

    public static TranslationTarget AnthropicTarget(string model = "claude-sonnet-4-5", int? maxOutput = null) =>
        new() { ModelId = model, Provider = "anthropic", Api = ApiFormat.Anthropic, MaxOutputTokens = maxOutput };
}
