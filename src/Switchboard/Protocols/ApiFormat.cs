namespace Switchboard;

/// <summary>A wire protocol: what a client speaks, or what an upstream speaks.</summary>
// Public: test theories take it as a parameter, and xunit needs public test methods.
public enum ApiFormat
{
    /// <summary>OpenAI Chat Completions (and every OpenAI-compatible server).</summary>
    OpenAI,
    /// <summary>Anthropic Messages.</summary>
    Anthropic,
    /// <summary>Google Gemini generateContent (native).</summary>
    Gemini,
    /// <summary>
    /// OpenAI Responses (<c>/v1/responses</c>). As a client API: translated to the other upstreams, passed through to
    /// OpenAI itself. As an upstream (<c>provider_interface: openai_responses</c>): models served only there (codex, o3-pro, …).
    /// </summary>
    Responses,
}
