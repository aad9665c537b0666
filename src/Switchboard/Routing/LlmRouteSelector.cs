using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Switchboard.Config;

namespace Switchboard.Routing;

/// <summary>
/// The "llm" router: the Arch-Router protocol over any OpenAI-compatible chat completions endpoint (Ollama,
/// vLLM or llama.cpp serving Arch-Router-1.5B, or any other model). One user message holding the published
/// prompt, temperature 0.01 like archgw, a hard timeout. Never throws for routing failures: a failed or slow
/// router yields Timeout/Error and the gateway falls back to the requested or default model.
/// </summary>
internal sealed class LlmRouteSelector : IRouteSelector
{
    private const double Temperature = 0.01;
    private const int MaxDetailChars = 200;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly HttpClient _httpClient;
    private readonly Uri? _endpoint;
    private readonly string _model;
    private readonly string? _accessKey;
    private readonly TimeSpan _timeout;

    /// <param name="httpClient">Owned by the gateway (its handler, pooling and proxy settings); not disposed here.</param>
    /// <param name="config">Endpoint, model, access key and timeout of the router.</param>
    public LlmRouteSelector(HttpClient httpClient, RoutingConfig config)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(config);
        _httpClient = httpClient;
        _endpoint = config.BaseUrl is null ? null : ResolveEndpoint(config.BaseUrl);
        _model = config.Model;
        _accessKey = string.IsNullOrEmpty(config.AccessKey?.Value) ? null : config.AccessKey.Value;
        _timeout = TimeSpan.FromMilliseconds(config.TimeoutMs > 0 ? config.TimeoutMs : 1500);
    }

    public string Name => "llm";

    /// <summary>The chat completions URL the router calls.</summary>
    public Uri? Endpoint => _endpoint;

    /// <summary>
    /// The base_url convention (docs/configuration.md): a base URL with a path gets "/chat/completions" appended; one without
    /// a path gets the OpenAI default prefix first ("/v1/chat/completions").
    /// </summary>
    public static Uri ResolveEndpoint(Uri baseUrl)
    {
        var text = baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        var hasPath = baseUrl.AbsolutePath.Trim('/').Length > 0;
        return new Uri(text + (hasPath ? "/chat/completions" : "/v1/chat/completions") + baseUrl.Query);
    }

    public async ValueTask<RouteSelection> SelectAsync(RouterInput input, RoutePolicy policy, CancellationToken cancellationToken)
    {
        if (_endpoint is null) return new RouteSelection(null, RouteReason.Error, "routing.base_url is not set");
        if (policy.Routes.Count == 0) return new RouteSelection(null, RouteReason.Other, "no routes");
        if (input.Turns.Count == 0) return new RouteSelection(null, RouteReason.Other, "no user text");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint)
            {
                Content = CreateBody(ArchRouterPrompt.Build(policy, input)),
            };
            if (_accessKey is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _accessKey);

            using var response = await _httpClient
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token)
                .ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return new RouteSelection(null, RouteReason.Error, $"router returned HTTP {(int)response.StatusCode}");

            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            using var document = await JsonDocument.ParseAsync(stream, default, timeout.Token).ConfigureAwait(false);
            var content = ReadAnswerContent(document.RootElement);
            if (content is null) return new RouteSelection(null, RouteReason.Error, "router response has no message content");

            return Interpret(content, policy);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new RouteSelection(null, RouteReason.Timeout, $"router did not answer within {(int)_timeout.TotalMilliseconds} ms");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new RouteSelection(null, RouteReason.Error, $"{ex.GetType().Name}: {Truncate(ex.Message)}");
        }
    }

    /// <summary>Maps the model's answer onto the policy: a known route, "other", or an error for garbage.</summary>
    public static RouteSelection Interpret(string answer, RoutePolicy policy)
    {
        if (!RouteAnswerParser.TryParse(answer, out var routeName))
        {
            // No JSON: a bare route name is still an answer; anything else is garbage.
            var bare = RouteAnswerParser.BareName(answer);
            if (bare is not null && (policy.Find(bare) is not null || bare.Equals(ArchRouterPrompt.OtherRoute, StringComparison.OrdinalIgnoreCase)))
                routeName = bare;
            else
                return new RouteSelection(null, RouteReason.Error, "unparseable router answer: " + Truncate(answer));
        }
        if (routeName.Length == 0 || string.Equals(routeName, ArchRouterPrompt.OtherRoute, StringComparison.OrdinalIgnoreCase))
            return new RouteSelection(null, RouteReason.Other);
        var route = policy.Find(routeName);
        return route is null
            ? new RouteSelection(null, RouteReason.Other, "router answered unknown route: " + Truncate(routeName))
            : new RouteSelection(route.Name, RouteReason.Matched);
    }

    private ByteArrayContent CreateBody(string prompt)
    {
        var buffer = new ArrayBufferWriter<byte>(prompt.Length + 256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("model", _model);
            writer.WriteStartArray("messages");
            writer.WriteStartObject();
            writer.WriteString("role", "user");
            writer.WriteString("content", prompt);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteNumber("temperature", Temperature);
            writer.WriteBoolean("stream", false);
            writer.WriteEndObject();
        }
        var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    /// <summary><c>choices[0].message.content</c> as a string, or null.</summary>
    private static string? ReadAnswerContent(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("choices", out var choices)
            || choices.ValueKind != JsonValueKind.Array
            || choices.GetArrayLength() == 0)
        {
            return null;
        }
        var first = choices[0];
        if (first.ValueKind != JsonValueKind.Object
            || !first.TryGetProperty("message", out var message)
            || message.ValueKind != JsonValueKind.Object
            || !message.TryGetProperty("content", out var content)
            || content.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        return content.GetString();
    }

    private static string Truncate(string text) =>
        text.Length <= MaxDetailChars ? text : string.Concat(text.AsSpan(0, MaxDetailChars), "…");
}
