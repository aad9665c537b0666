using System.Net;
using System.Text.Json;
using Switchboard.Endpoints;
using Switchboard.Observability;

namespace Switchboard.Cli;

/// <summary>What GET /healthz?verbose=true says about a running gateway.</summary>
internal sealed record GatewayHealth(int Pid, long UptimeSeconds, long Requests, long FailedRequests, string? ConfigPath, IReadOnlyList<ProviderHealth> Providers);

/// <param name="Circuit">The model's own circuit breaker.</param>
/// <param name="EndpointCircuit">The breaker its provider and base URL share (only failures to connect open it).</param>
/// <param name="CooldownSeconds">Time left of a 429's retry-after, while the model cools down.</param>
internal sealed record ProviderHealth(string Model, string Provider, string Api, bool KeySet, string? MissingKeyVariable, string Circuit = "closed",
    string EndpointCircuit = "closed", double? CooldownSeconds = null);

/// <summary>Talks to a running gateway's local endpoints. Never through a proxy: the gateway is on this machine.</summary>
internal sealed class GatewayClient : IDisposable
{
    private readonly HttpClient _http;

    /// <param name="gatewayKey">Sent as a Bearer token when the gateway requires gateway_keys.</param>
    public GatewayClient(Uri baseUrl, TimeSpan timeout, string? gatewayKey = null)
    {
        BaseUrl = baseUrl;
        var handler = new SocketsHttpHandler { UseProxy = false, ConnectTimeout = timeout == Timeout.InfiniteTimeSpan ? TimeSpan.FromSeconds(5) : timeout };
        _http = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = timeout };
        if (!string.IsNullOrEmpty(gatewayKey)) _http.DefaultRequestHeaders.Authorization = new("Bearer", gatewayKey);
    }

    public Uri BaseUrl { get; }

    /// <summary>POST /switchboard/feedback: whether the gateway took it, and a sentence saying what happened.</summary>
    public async Task<(bool Ok, string Message)> SendFeedbackAsync(Routing.Feedback.FeedbackRequest request, CancellationToken cancellationToken = default)
    {
        try
        {
            using var content = System.Net.Http.Json.JsonContent.Create(request, Routing.Feedback.FeedbackJsonContext.Default.FeedbackRequest);
            using var response = await _http.PostAsync(Endpoints.FeedbackEndpoint.Path, content, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            using var json = JsonDocument.Parse(body.Length == 0 ? "{}" : body);
            var root = json.RootElement;
            if (!response.IsSuccessStatusCode)
            {
                var message = root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object ? String(error, "message") : null;
                return (false, $"The gateway refused the feedback ({(int)response.StatusCode}): {message ?? body}");
            }
            var id = String(root, "request_id");
            return String(root, "kind") == "rating"
                ? (true, $"Rated request {id} ({String(root, "model")}) {String(root, "rating")}.")
                : (true, $"Request {id} went to {String(root, "routed")}; from now on prompts like it go to {String(root, "route")}.");
        }
        catch (Exception ex) when (IsUnreachable(ex, cancellationToken) || ex is JsonException)
        {
            return (false, $"Cannot reach Switchboard at {BaseUrl.ToString().TrimEnd('/')}: {ex.Message}");
        }
    }

    /// <summary>The gateway's health, or null when nothing (or something else) answers there.</summary>
    public async Task<GatewayHealth?> GetHealthAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await _http.GetAsync("/healthz?verbose=true", cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return null;
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || String(root, "status") != "ok" || !root.TryGetProperty("pid", out _)) return null; // not a Switchboard
            var providers = new List<ProviderHealth>();
            if (root.TryGetProperty("providers", out var list) && list.ValueKind == JsonValueKind.Array)
                foreach (var p in list.EnumerateArray())
                    providers.Add(new ProviderHealth(
                        String(p, "model") ?? "?", String(p, "provider") ?? "?", String(p, "api") ?? "?",
                        p.TryGetProperty("key_set", out var keySet) && keySet.ValueKind == JsonValueKind.True,
                        String(p, "missing_key_variable"), String(p, "circuit") ?? "closed", String(p, "endpoint_circuit") ?? "closed",
                        p.TryGetProperty("cooldown_seconds", out var cooldown) && cooldown.ValueKind == JsonValueKind.Number && cooldown.TryGetDouble(out var seconds) ? seconds : null));
            return new GatewayHealth(
                (int)Number(root, "pid"), Number(root, "uptime_seconds"), Number(root, "requests"), Number(root, "failed_requests"),
                String(root, "config"), providers);
        }
        catch (Exception ex) when (IsUnreachable(ex, cancellationToken) || ex is JsonException)
        {
            return null;
        }
    }

    /// <summary>The latest request of a session (without one, the latest overall); null when there is none.</summary>
    public async Task<RequestEvent?> GetLastAsync(string? sessionId, CancellationToken cancellationToken = default)
    {
        var path = AdminEndpoints.LastPath + (string.IsNullOrEmpty(sessionId) ? "" : "?session=" + Uri.EscapeDataString(sessionId));
        using var response = await _http.GetAsync(path, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        if (response.StatusCode == HttpStatusCode.NoContent) return null;
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize(bytes, AdminJsonContext.Default.RequestEvent);
    }

    /// <summary>Every model literal and alias the gateway serves (GET /v1/models).</summary>
    public async Task<IReadOnlyList<string>> GetModelIdsAsync(CancellationToken cancellationToken = default)
    {
        await using var body = await _http.GetStreamAsync("/v1/models", cancellationToken).ConfigureAwait(false);
        using var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        return json.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
            ? data.EnumerateArray().Select(m => String(m, "id")).OfType<string>().ToList()
            : [];
    }

    /// <summary>Opens the live event stream (the caller reads it; headers arrive once the subscription is in place).</summary>
    public async Task<Stream> OpenEventStreamAsync(CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, AdminEndpoints.EventsPath);
        request.Headers.Accept.ParseAdd("text/event-stream");
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new HttpRequestException($"{AdminEndpoints.EventsPath} answered {(int)response.StatusCode} {response.ReasonPhrase}: is this a Switchboard gateway?", null, response.StatusCode);
        }
        return await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Connection refused, reset, timed out: what "not running" looks like from here.</summary>
    public static bool IsUnreachable(Exception ex, CancellationToken cancellationToken) =>
        ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetInt64(out var n) ? n : 0;

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// A gateway the CLI can talk to: its address, its state record when it is the background one, and whether the
/// address is only a guess (the config's listener, where a foreground gateway would be) that nothing vouches for.
/// </summary>
internal sealed record LocatedGateway(Uri BaseUrl, GatewayState? State, bool IsGuess = false);

/// <summary>
/// Finds the gateway a command means: --url, else $SWITCHBOARD_URL, else the background gateway's state file,
/// else a guess: the listener of the config `up` would use (./config.yaml, else 127.0.0.1:12000), where a
/// gateway started in the foreground listens.
/// </summary>
internal static class GatewayLocator
{
    public const string UrlVariable = "SWITCHBOARD_URL";

    public static LocatedGateway? Find(CliContext context, Uri? explicitUrl, string? configPath = null)
    {
        if (explicitUrl is not null) return new LocatedGateway(explicitUrl, null);
        if (context.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } fromEnvironment && TryParseUrl(fromEnvironment, out var url))
            return new LocatedGateway(url, null);
        if (GatewayStateStore.For(context).ReadLive() is { } state) return new LocatedGateway(state.BaseUrl, state);
        return ConfiguredListener(context, configPath) is { } guess ? new LocatedGateway(guess, null, IsGuess: true) : null;
    }

    private static Uri? ConfiguredListener(CliContext context, string? configPath)
    {
        var config = ConfigSource.Resolve(configPath, context).Config;
        if (config is null) return null;
        var listener = config.Listeners[0];
        var host = listener.Address is "*" or "+" or "0.0.0.0" ? "127.0.0.1"
            : listener.Address is "::" ? "[::1]"
            : listener.Address.Contains(':') ? $"[{listener.Address}]"
            : listener.Address;
        return Uri.TryCreate($"http://{host}:{listener.Port}", UriKind.Absolute, out var url) ? url : null;
    }

    public static bool TryParseUrl(string text, out Uri url)
    {
        if (Uri.TryCreate(text.TrimEnd('/'), UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https")
        {
            url = parsed;
            return true;
        }
        url = null!;
        return false;
    }
}
