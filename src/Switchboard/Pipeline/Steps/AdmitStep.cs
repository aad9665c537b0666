using System.Runtime.CompilerServices;
using System.Text.Json;
using Switchboard.Pipeline.Relays;
using Switchboard.Protocols;

namespace Switchboard.Pipeline.Steps;

/// <summary>
/// Takes the body in: content type, size (read into a pooled buffer, 413 past the limit), one forward pass of the JSON
/// reader that validates it and peeks at the fields the gateway needs, and the fields the client API requires.
/// </summary>
internal sealed class AdmitStep : RequestStep
{
    public static readonly AdmitStep Instance = new();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<StepResult> RunAsync(GatewayRequest request)
    {
        var http = request.Context.Request;
        if (!IsJsonContentType(http.ContentType))
            return await request.RejectAsync(400, $"Content-Type must be application/json (got '{http.ContentType ?? "none"}').", ErrorKind.InvalidRequest).ConfigureAwait(false);

        var limit = request.Snapshot.Config.Limits.MaxRequestBodyBytes;
        if (StreamedRequestBody.Fits(http.ContentLength, limit) && MayStream(request))
        {
            // A large body whose model comes first may go upstream as it arrives (Relays/StreamedRequestBody).
            var streamed = await StreamedRequestBody.StartAsync(http.Body, (int)http.ContentLength!.Value, http.Headers, request.Aborted).ConfigureAwait(false);
            request.Body = streamed.Body;
            if (streamed.EarlyPeek is { } early && !streamed.IsComplete && MayStream(request, early.Model!))
            {
                request.StreamedBody = streamed;
                request.Peek = early;
                request.RequestedModel = early.Model!;
                request.SessionId = ClientSession.From(http.Headers, null); // the body's own session id is read once it is whole
                return StepResult.Continue;
            }
            // Not this time: the whole body, then the same checks as below.
            StreamedRequestBody.Verdict verdict;
            try
            {
                verdict = await streamed.CompleteAsync(request).ConfigureAwait(false);
            }
            finally
            {
                streamed.Stop(); // whole (or failed): nothing more to read
            }
            request.RequestedModel = request.Peek.Model ?? "";
            return verdict.Problem is not { } invalid ? StepResult.Continue : await request.RejectAsync(400, invalid, ErrorKind.InvalidRequest).ConfigureAwait(false);
        }
        var body = await PooledBody.ReadAsync(http.Body, http.ContentLength, limit, request.Aborted).ConfigureAwait(false);
        if (body is null)
            return await request.RejectAsync(413, $"request body is larger than the gateway's limit of {limit} bytes (limits.max_request_body_bytes).", ErrorKind.BodyTooLarge).ConfigureAwait(false);
        request.Body = body;
        // The peek stays on the socket thread even for a large body (~60 µs at 214 KB): the steps that walk the DOM
        // move a large request to the thread pool themselves (GatewayRequest.OnSocketThreadWithLargeBody).
        try
        {
            request.Peek = RequestPeek.Read(body.Span);
        }
        catch (JsonException ex)
        {
            return await request.RejectAsync(400, $"request body is not valid JSON: {ex.Message}", ErrorKind.InvalidRequest).ConfigureAwait(false);
        }
        request.RequestedModel = request.Peek.Model ?? "";
        request.SessionId = ClientSession.From(http.Headers, request.Peek.UserId);
        request.Stream = request.Peek.Stream && request.Operation != Operation.CountTokens;
        var problem = request.Client == ApiFormat.Responses ? InvalidResponses(in request.Peek) : Invalid(in request.Peek);
        return problem is null ? StepResult.Continue : await request.RejectAsync(400, problem, ErrorKind.InvalidRequest).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a request may go upstream before its body is whole: a chat API, no forced route, and (once
    /// <paramref name="model"/> is known) a configured model without a cache or rate limit, called by a key without
    /// limits, so no step before the send reads more than the model. Without a session header the session is in the
    /// body (metadata.user_id, OpenAI's user), read once it is whole: that is late only for a user turn or a compaction,
    /// whose explicit model the session routing pins or reads (Sessions/SessionRouting); an unhinted or background
    /// request goes to its explicit model whatever its session.
    /// </summary>
    private static bool MayStream(GatewayRequest request, string? model = null)
    {
        if (request.Client is not (ApiFormat.OpenAI or ApiFormat.Anthropic) || request.Operation == Operation.CountTokens) return false;
        var headers = request.Context.Request.Headers;
        if (headers.ContainsKey(Routing.ModelSelector.RouteHeader)) return false;
        if (ClientSession.From(headers, null) is null && Sessions.ClaudeCodeHints.KindOf(headers) is Sessions.SessionRequestKind.Turn or Sessions.SessionRequestKind.Compaction)
            return false;
        if (request.Caller?.Key is { } key && (key.RateLimit is not null || key.Budget is not null)) return false;
        if (model is null) return true;
        if (request.Snapshot.Selector.SelectExplicit(model) is not { } selection) return false;
        if (selection.Entry.RateLimit is not null || selection.Entry.Cache is not null) return false;
        return !(selection.Kind == Routing.SelectionKind.Alias && request.Snapshot.Config.Aliases.TryGetValue(model, out var alias) && alias.Cache is not null);
    }

    /// <summary>What makes the body no request of the client's API, or null.</summary>
    internal static string? Invalid(in RequestPeek peek)
    {
        if (string.IsNullOrWhiteSpace(peek.Model)) return peek.ModelNotString ? "'model' must be a string." : "'model' is required.";
        if (!peek.HasMessages) return "'messages' is required and must be an array.";
        if (peek.MessageCount == 0) return "'messages' must contain at least one message.";
        if (peek.MaxTokens is <= 0) return $"max_tokens must be at least 1 (got {peek.MaxTokens}).";
        return null;
    }

    /// <summary>What makes the body no Responses API request, or null.</summary>
    internal static string? InvalidResponses(in RequestPeek peek)
    {
        if (string.IsNullOrWhiteSpace(peek.Model)) return peek.ModelNotString ? "'model' must be a string." : "'model' is required.";
        if (!peek.HasInput) return "'input' is required and must be a string or an array of items.";
        if (peek.InputCount == 0 && peek.PreviousResponseId is null) return "'input' must contain at least one item.";
        return null;
    }

    internal static bool IsJsonContentType(string? contentType) =>
        contentType is not null && (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || (contentType.Contains("+json", StringComparison.OrdinalIgnoreCase) && contentType.StartsWith("application/", StringComparison.OrdinalIgnoreCase)));
}
