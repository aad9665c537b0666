using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Switchboard.Protocols;
using Switchboard.Providers;
using Switchboard.Routing;

namespace Switchboard.Server;

/// <summary>The client-facing operations that carry a conversation.</summary>
public enum Operation { Messages, ChatCompletions, CountTokens }

/// <summary>
/// Where a request enters: read and check the body, choose the model, then relay it to the provider —
/// byte for byte when client and provider speak the same API, translated otherwise.
/// </summary>
internal sealed class CompletionPipeline(
    GatewayRuntime runtime,
    RequestEventHub events,
    ILogger<CompletionPipeline> logger)
{
    public const string ModelHeader = "x-switchboard-model";
    public const string ProviderHeader = "x-switchboard-provider";
    public const string RouteHeader = "x-switchboard-route";
    public const string RequestIdHeader = "x-switchboard-request-id";

    public async Task HandleAsync(HttpContext context, ApiFormat client, Operation operation)
    {
        var snapshot = runtime.Lease();
        var record = new RequestRecord(RequestIds.Next(), client, operation, Stopwatch.GetTimestamp());
        var response = context.Response;
        response.Headers[RequestIdHeader] = record.RequestId;
        var aborted = context.RequestAborted;
        using var activity = GatewayMetrics.StartRequestActivity(context.Request.Headers);
        activity?.SetTag("switchboard.request_id", record.RequestId);
        try
        {
            await HandleCoreAsync(context, snapshot, record, aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            record.Status = 499; // client closed the connection: the upstream call was cancelled with it
            record.Error = "client disconnected";
        }
        catch (UpstreamException ex)
        {
            GatewayLog.UpstreamFailed(logger, record.RequestId, ex.Provider, ex.Message);
            record.Error = ex.Message;
            record.Status = ex.ClientStatus;
            if (ex.RetryAfter is { } retryAfter && !response.HasStarted)
                response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await ClientErrors.WriteAsync(context, client, ex.ClientStatus, "Switchboard: " + ex.Message).ConfigureAwait(false);
        }
        catch (TranslationException ex) when (!response.HasStarted)
        {
            record.Status = 400; // valid JSON, but not the client protocol's shape: the client's error, not ours
            record.Error = ex.Message;
            await ClientErrors.WriteAsync(context, client, 400, "Switchboard: " + ex.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (!response.HasStarted)
        {
            record.Status = ex.StatusCode; // Kestrel's verdict on the request: a body arriving too slowly (408), a broken chunk (400)
            record.Error = ex.Message;
            await ClientErrors.WriteAsync(context, client, ex.StatusCode, ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex) when (!response.HasStarted)
        {
            GatewayLog.Unhandled(logger, record.RequestId, ex);
            record.Status = 500;
            record.Error = ex.GetType().Name;
            await ClientErrors.WriteAsync(context, client, 500, $"Switchboard: internal error (request {record.RequestId}).").ConfigureAwait(false);
        }
        finally
        {
            snapshot.ReleaseLease();
            if (record.Status == 0) record.Status = response.StatusCode;
            Complete(record);
            if (activity is not null)
            {
                activity.SetTag("switchboard.model", record.Model);
                activity.SetTag("switchboard.route", record.Route);
                activity.SetTag("http.response.status_code", record.Status);
            }
        }
    }

    private async Task HandleCoreAsync(HttpContext context, GatewaySnapshot snapshot, RequestRecord record, CancellationToken aborted)
    {
        var request = context.Request;
        var client = record.Client;
        if (!GatewayKeys.IsAuthorized(request, snapshot.GatewayKeyHashes))
        {
            await Reject(context, record, 401, "Switchboard: a gateway key is required (send it as `Authorization: Bearer KEY` or `x-api-key: KEY`).").ConfigureAwait(false);
            return;
        }
        if (!IsJsonContentType(request.ContentType))
        {
            await Reject(context, record, 400, $"Content-Type must be application/json (got '{request.ContentType ?? "none"}').").ConfigureAwait(false);
            return;
        }

        var limit = snapshot.Config.Limits.MaxRequestBodyBytes;
        using var body = await RequestBody.ReadAsync(request.Body, request.ContentLength, limit, aborted).ConfigureAwait(false);
        if (body is null)
        {
            await Reject(context, record, 413, $"request body is larger than the gateway's limit of {limit} bytes (limits.max_request_body_bytes).").ConfigureAwait(false);
            return;
        }
        // With inline socket I/O this handler runs on a socket thread. Parsing, routing and translating a large body (a
        // long Claude Code conversation) costs milliseconds, which the thread's other connections would wait out: such
        // requests move to the thread pool first. Small ones, the common case, stay inline.
        if (body.Length > InlineSocketIo.LargeBodyBytes && !Thread.CurrentThread.IsThreadPoolThread) await Task.Yield();

        RequestPeek peek;
        try
        {
            peek = RequestPeek.Read(body.Span);
        }
        catch (JsonException ex)
        {
            await Reject(context, record, 400, $"request body is not valid JSON: {ex.Message}").ConfigureAwait(false);
            return;
        }
        record.RequestedModel = peek.Model ?? "";
        record.SessionId = ClientSession.From(request.Headers[ClientSession.Header].ToString(), peek.UserId);
        record.Stream = peek.Stream && record.Operation != Operation.CountTokens;
        if (string.IsNullOrWhiteSpace(peek.Model))
        {
            await Reject(context, record, 400, peek.ModelNotString ? "'model' must be a string." : "'model' is required.").ConfigureAwait(false);
            return;
        }
        if (!peek.HasMessages)
        {
            await Reject(context, record, 400, "'messages' is required and must be an array.").ConfigureAwait(false);
            return;
        }
        if (peek.MessageCount == 0)
        {
            await Reject(context, record, 400, "'messages' must contain at least one message.").ConfigureAwait(false);
            return;
        }
        if (peek.MaxTokens is <= 0)
        {
            await Reject(context, record, 400, $"max_tokens must be at least 1 (got {peek.MaxTokens}).").ConfigureAwait(false);
            return;
        }

        var bodyMemory = body.Memory;
        var selection = await snapshot.Selector.SelectAsync(
            peek.Model, request.Headers[ModelSelector.RouteHeader].ToString(),
            () => BuildRouterInput(bodyMemory, client, snapshot.Config.Routing), aborted).ConfigureAwait(false);
        if (selection is null)
        {
            await Reject(context, record, 404,
                $"model '{peek.Model}' is not configured, and no default model is set. Available models: {string.Join(", ", snapshot.Selector.AvailableModels)}.",
                code: "model_not_found").ConfigureAwait(false);
            return;
        }
        record.Apply(selection);
        LogSelection(record, selection);

        SetSelectionHeaders(context.Response, selection);
        var candidates = snapshot.Selector.FallbacksFor(selection) is { Count: > 0 } fallbacks ? [selection, .. fallbacks] : new[] { selection };
        using var parsed = new UpstreamPlan.ParsedBody(body.Memory);
        string? missingKey = null;
        // The first 429 a candidate answered (or is cooling down after): what the client gets when nothing else answers.
        RateLimited? rateLimited = null;
        for (var i = 0; i < candidates.Length; i++)
        {
            var candidate = candidates[i];
            var isLast = i == candidates.Length - 1;
            var endpoint = snapshot.Providers.Get(candidate.Provider);
            if (endpoint.MissingKeyVariable is { } variable)
            {
                missingKey ??= $"Switchboard: provider '{endpoint.Name}' (model {candidate.Model}) has no API key: set the environment variable {variable} (or put it in a .env file beside the config) and restart the gateway.";
                if (!isLast || rateLimited is not null)
                {
                    if (await NextCandidateAsync(context, record, candidates, i, $"{variable} is not set", rateLimited).ConfigureAwait(false)) continue;
                    return;
                }
                await Reject(context, record, 400, missingKey).ConfigureAwait(false);
                return;
            }
            if (record.Operation == Operation.CountTokens && endpoint.Api != ApiFormat.Anthropic)
            {
                record.Apply(candidate);
                SetSelectionHeaders(context.Response, candidate);
                await CountTokensLocally(context, record, parsed.Root).ConfigureAwait(false);
                return;
            }

            UpstreamPlan plan;
            try
            {
                plan = UpstreamPlan.Create(client, record.Operation, candidate, endpoint, body.Span, peek, parsed, request.QueryString.Value);
            }
            catch (UnsupportedByTargetException ex) when (!isLast || rateLimited is not null)
            {
                if (await NextCandidateAsync(context, record, candidates, i, ex.Message, rateLimited).ConfigureAwait(false)) continue;
                return;
            }
            catch (Exception ex) when (ex is InvalidOperationException or JsonException or FormatException or KeyNotFoundException or ArgumentException)
            {
                // A field of an unexpected shape that only translation looks at: the request's fault, said in its format.
                await Reject(context, record, 400, $"the request could not be translated for {candidate.Model}: {ex.Message}").ConfigureAwait(false);
                return;
            }
            HttpResponseMessage upstream;
            try
            {
                var clientHeaders = request.Headers;
                var relay = snapshot.Relay;
                upstream = await endpoint.ResilienceFor(candidate.ModelId).ExecuteAsync(
                    ct => UpstreamCall.SendAsync(endpoint, plan.Uri, plan.Body, clientHeaders, relay.FirstByteTimeout, ct), hasFallback: !isLast, aborted).ConfigureAwait(false);
            }
            catch (UpstreamException ex) when (!isLast || rateLimited is not null || ex.RateLimit is not null)
            {
                if (ex.RateLimit is { } notice) rateLimited ??= new RateLimited(candidate, notice, endpoint.Api);
                if (await NextCandidateAsync(context, record, candidates, i, ex.Message, rateLimited).ConfigureAwait(false)) continue;
                return;
            }
            using (upstream)
            {
                var status = upstream.StatusCode;
                var isRateLimit = RateLimitNotice.IsRateLimit(upstream);
                // A failure a fallback may mend. The last candidate's answer is relayed as it is, unless an earlier
                // candidate's 429 says more than its failure (its own 429 is that, live).
                if (ProviderResilience.IsTransientStatus(status) && (!isLast || (rateLimited is not null && !isRateLimit)))
                {
                    if (isRateLimit)
                        rateLimited ??= new RateLimited(candidate, await RateLimitNotice.ReadAsync(upstream, snapshot.Relay.StreamIdleTimeout, TimeProvider.System, aborted).ConfigureAwait(false), endpoint.Api);
                    if (await NextCandidateAsync(context, record, candidates, i, $"HTTP {(int)status} after retries", rateLimited).ConfigureAwait(false)) continue;
                    return;
                }
                record.MarkFirstByte();
                record.Apply(candidate);
                if (i > 0) record.Selection += "+fallback";
                SetSelectionHeaders(context.Response, candidate);
                if (plan.Translated)
                    await TranslatingRelay.RelayResponseAsync(context, endpoint, upstream, plan, record, snapshot.Relay, logger, aborted).ConfigureAwait(false);
                else
                    await PassthroughRelay.RelayResponseAsync(context, endpoint, upstream, record, snapshot.Relay, logger, aborted).ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>A model's 429, kept while the fallbacks are tried.</summary>
    private sealed record RateLimited(ModelSelection Candidate, RateLimitNotice Notice, ApiFormat UpstreamApi);

    /// <summary>
    /// Candidate <paramref name="i"/> cannot answer (<paramref name="reason"/>): true to try the next one; with none left,
    /// the client gets the 429 an earlier candidate answered (with the time its retry-after has left), and false.
    /// </summary>
    private async ValueTask<bool> NextCandidateAsync(HttpContext context, RequestRecord record, ModelSelection[] candidates, int i, string reason, RateLimited? rateLimited)
    {
        if (i < candidates.Length - 1)
        {
            GatewayLog.FallbackSkipped(logger, record.RequestId, candidates[i].Model, reason, candidates[i + 1].Model);
            return true;
        }
        var limited = rateLimited!;
        GatewayLog.UpstreamFailed(logger, record.RequestId, limited.Candidate.Provider.Provider,
            $"no candidate could answer (last: {candidates[i].Model}: {reason}); answering with {limited.Candidate.Model}'s HTTP 429");
        record.Apply(limited.Candidate);
        SetSelectionHeaders(context.Response, limited.Candidate);
        await UpstreamCall.WriteRateLimitAsync(context, record, limited.Notice, limited.UpstreamApi).ConfigureAwait(false);
        return false;
    }

    private static void SetSelectionHeaders(HttpResponse response, ModelSelection selection)
    {
        var headers = response.Headers;
        headers[ModelHeader] = selection.Model;
        headers[ProviderHeader] = selection.Provider.Provider;
        headers[RouteHeader] = selection.Route ?? "none";
    }

    /// <summary>Only when a router will run: the conversation's user and assistant text.</summary>
    private static RouterInput BuildRouterInput(ReadOnlyMemory<byte> body, ApiFormat client, Config.RoutingConfig routing)
    {
        using var document = JsonDocument.Parse(body, RequestPeek.DocumentOptions);
        return RouterInputBuilder.FromRequest(client, document.RootElement, routing.TokenBudget, routing.RouteOnUserOnly);
    }

    private static async Task CountTokensLocally(HttpContext context, RequestRecord record, JsonElement request)
    {
        var estimate = CountTokensEstimator.EstimateAnthropicRequest(request);
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.Headers["x-switchboard-token-count"] = "estimate";
        var bytes = System.Text.Encoding.UTF8.GetBytes($"{{\"input_tokens\":{estimate}}}");
        record.Usage = new TokenUsage(estimate, null);
        await response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private Task Reject(HttpContext context, RequestRecord record, int status, string message, string? code = null)
    {
        record.Status = status;
        record.Error = message;
        return ClientErrors.WriteAsync(context, record.Client, status, message, code: code);
    }

    private void LogSelection(RequestRecord record, ModelSelection selection)
    {
        if (selection.Reason is { } reason)
            GatewayMetrics.RecordRouting(selection.Router, reason.ToString().ToLowerInvariant(), selection.RoutingMs);
        if (selection.Reason is { } loggedReason)
            GatewayLog.RouteDecision(logger, record.RequestId, selection.Router, selection.Route ?? "none", selection.Model,
                loggedReason.ToString().ToLowerInvariant(), selection.RoutingMs, selection.ReasonDetail is null ? "" : $" detail=\"{selection.ReasonDetail}\"");
        else if (selection.Kind == SelectionKind.Default)
            GatewayLog.DefaultModelUsed(logger, record.RequestId, selection.RequestedModel, selection.Model);
    }

    private void Complete(RequestRecord record)
    {
        var latency = Stopwatch.GetElapsedTime(record.StartTimestamp).TotalMilliseconds;
        var ttfb = record.FirstByteTimestamp == 0 ? latency : Stopwatch.GetElapsedTime(record.StartTimestamp, record.FirstByteTimestamp).TotalMilliseconds;
        GatewayMetrics.RecordRequest(record, latency, ttfb); // before the log line, which tests (and people) wait on
        GatewayLog.Request(logger, record.RequestId, ApiName(record.Client), OperationName(record.Operation), record.RequestedModel, record.Model, record.Provider, record.Route,
            record.Selection, record.Status, latency, ttfb, record.Stream,
            record.Usage.InputTokens?.ToString() ?? "-", record.Usage.OutputTokens?.ToString() ?? "-",
            record.Error is null ? "" : $" error=\"{record.Error}\"");
        events.Publish(new RequestEvent(record.RequestId, DateTimeOffset.UtcNow, ApiName(record.Client), record.RequestedModel, record.Model, record.Provider, record.Route,
            record.Selection, record.Status, latency, ttfb, record.Stream, record.Usage.InputTokens, record.Usage.OutputTokens, record.Error, record.SessionId));
    }

    internal static string ApiName(ApiFormat api) => api switch { ApiFormat.Anthropic => "anthropic", ApiFormat.OpenAI => "openai", _ => "gemini" };

    private static string OperationName(Operation op) => op switch
    {
        Operation.Messages => "messages",
        Operation.ChatCompletions => "chat.completions",
        _ => "count_tokens",
    };

    private static bool IsJsonContentType(string? contentType) =>
        contentType is not null && (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || (contentType.Contains("+json", StringComparison.OrdinalIgnoreCase) && contentType.StartsWith("application/", StringComparison.OrdinalIgnoreCase)));
}

/// <summary>What the request log line and the watch event say about one request; filled in as it goes.</summary>
internal sealed class RequestRecord(string requestId, ApiFormat client, Operation operation, long startTimestamp)
{
    public string RequestId { get; } = requestId;
    public ApiFormat Client { get; } = client;
    public Operation Operation { get; } = operation;
    public long StartTimestamp { get; } = startTimestamp;
    public long FirstByteTimestamp { get; set; }
    public string RequestedModel { get; set; } = "";
    public string Model { get; set; } = "-";
    public string Provider { get; set; } = "-";
    public string Route { get; set; } = "none";
    public string Selection { get; set; } = "-";
    public bool Stream { get; set; }
    public int Status { get; set; }
    public TokenUsage Usage { get; set; }
    public string? Error { get; set; }
    /// <summary>The client's session (Claude Code's session id), when it says.</summary>
    public string? SessionId { get; set; }
    /// <summary>The protocol of the provider that answers (decides whether its errors can pass through unchanged).</summary>
    public ApiFormat UpstreamApi { get; private set; }

    public void Apply(ModelSelection selection)
    {
        UpstreamApi = selection.Provider.Interface;
        Model = selection.Model;
        Provider = selection.Provider.Provider;
        Route = selection.Route ?? "none";
        Selection = selection.Kind.ToString().ToLowerInvariant();
    }

    public void MarkFirstByte()
    {
        if (FirstByteTimestamp == 0) FirstByteTimestamp = Stopwatch.GetTimestamp();
    }
}

/// <summary>Request ids: a per-process random prefix and a counter (unique, cheap, sortable within a process).</summary>
internal static class RequestIds
{
    private static readonly string Prefix = "sb_" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
    private static long _counter;

    public static string Next() => $"{Prefix}{Interlocked.Increment(ref _counter):x8}";
}
