
namespace Switchboard.Pipeline;

/// <summary>A wire protocol's short name, as logs, events, metrics, /healthz and the CLI show it.</summary>
internal static class ApiNames
{
    public static string Of(ApiFormat api) => api switch
    {
        ApiFormat.Anthropic => "anthropic",
        ApiFormat.OpenAI => "openai",
        ApiFormat.Responses => "responses",
        _ => "gemini",
    };
}
