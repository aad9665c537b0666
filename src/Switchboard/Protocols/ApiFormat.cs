namespace Switchboard;

/// <summary>A wire protocol: what a client speaks, or what an upstream speaks.</summary>
public enum ApiFormat
{
    /// <summary>OpenAI Chat Completions (and every OpenAI-compatible server).</summary>
    OpenAI,
    /// <summary>Anthropic Messages.</summary>
    Anthropic,
    /// <summary>Google Gemini generateContent (native).</summary>
    Gemini,
    /// <summary>OpenAI Responses (<c>POST /v1/responses</c>): a client API, translated through the Chat form; passed through to OpenAI itself.</summary>
    Responses,
}
