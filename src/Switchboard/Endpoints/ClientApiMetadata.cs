using Microsoft.AspNetCore.Http;

namespace Switchboard.Endpoints;

/// <summary>
/// Endpoint metadata: the client API an endpoint answers in, so that a refused gateway key gets its 401 in that API's
/// format, and whether the endpoint answers that refusal itself (the completion pipeline does: it logs and counts it).
/// </summary>
internal sealed class ClientApiMetadata
{
    private readonly Func<HttpRequest, ApiFormat> _detect;

    private ClientApiMetadata(Func<HttpRequest, ApiFormat> detect, bool answersRefusal)
    {
        _detect = detect;
        AnswersRefusal = answersRefusal;
    }

    /// <summary>An endpoint of one client API (the completion endpoints), which answers a refused key itself.</summary>
    public static ClientApiMetadata Completions(ApiFormat api) => new(_ => api, answersRefusal: true);

    /// <summary>An endpoint either API's clients call: the API is told from the request.</summary>
    public static ClientApiMetadata Detected(Func<HttpRequest, ApiFormat> detect) => new(detect, answersRefusal: false);

    /// <summary>The endpoint handles a refused key itself; the filter only leaves its verdict on the request.</summary>
    public bool AnswersRefusal { get; }

    public ApiFormat For(HttpRequest request) => _detect(request);

    /// <summary>Anthropic when the client sends anthropic-version, else OpenAI.</summary>
    public static ApiFormat ByVersionHeader(HttpRequest request) =>
        request.Headers.ContainsKey("anthropic-version") ? ApiFormat.Anthropic : ApiFormat.OpenAI;
}
