using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Identity;
using Switchboard.Protocols;
using Switchboard.Providers;
using Switchboard.Routing;
using Switchboard.Runtime;

namespace Switchboard.Pipeline;

/// <summary>
/// One completion request on its way through the gateway (after YARP's <c>IReverseProxyFeature</c>): what came in,
/// who sent it, the model chosen and its fallbacks, each upstream attempt, and how it ended. The steps
/// (<see cref="RequestSteps"/>) read and fill it in order; the completion sinks get what it ends as
/// (<see cref="ToCompleted"/>). It holds the request's resources (the config snapshot's lease, the pooled body, its
/// DOM, the upstream response) and releases them on <see cref="Dispose"/>.
/// </summary>
internal sealed class GatewayRequest : IDisposable
{
    public const string ModelHeader = "x-switchboard-model";
    public const string ProviderHeader = "x-switchboard-provider";
    public const string RouteHeader = "x-switchboard-route";
    public const string RequestIdHeader = "x-switchboard-request-id";

    /// <summary>Passed to the selector when no routes exist: it never builds a router input then.</summary>
    private static readonly Func<RouterInput> NoRouting = static () => new RouterInput([]);

    private JsonDocument? _document;
    private Func<RouterInput>? _routerInput;
    private RouterInput? _builtRouterInput; // what the router read, for the completion sinks (feedback)
    private Func<CancellationToken, Task<HttpResponseMessage>>? _send;
    private IReadOnlyList<ModelSelection> _fallbacks = [];
    private UpstreamAttempts.Builder _attempts;
    private long _attemptStart;
    private int _released;

    public GatewayRequest(HttpContext context, GatewaySnapshot snapshot, ApiFormat client, Operation operation, ILogger logger)
    {
        Context = context;
        Snapshot = snapshot;
        Client = client;
        Operation = operation;
        Logger = logger;
        Aborted = context.RequestAborted;
        Id = RequestIds.Next();
        StartTimestamp = Stopwatch.GetTimestamp();
    }

    // ---- the request --------------------------------------------------------------------------------------

    public string Id { get; }
    public HttpContext Context { get; }
    public HttpResponse Response => Context.Response;
    /// <summary>The config it runs on, leased until <see cref="Dispose"/> (a reload meanwhile does not change it).</summary>
    public GatewaySnapshot Snapshot { get; }
    /// <summary>The API the client speaks: every error it gets is in this API's format.</summary>
    public ApiFormat Client { get; }
    public Operation Operation { get; }
    public ILogger Logger { get; }
    public CancellationToken Aborted { get; }
    public long StartTimestamp { get; }

    // ---- identify ----------------------------------------------------------------------------------------

    /// <summary>Whose gateway key it carries; null on a gateway without keys.</summary>
    public Caller? Caller { get; set; }

    // ---- admit -------------------------------------------------------------------------------------------

    /// <summary>The client's body, once read (returned to the pool on <see cref="Dispose"/>).</summary>
    public PooledBody? Body { get; set; }

    /// <summary>
    /// A large body going upstream as it arrives (<see cref="Relays.StreamedRequestBody"/>): until it is whole,
    /// <see cref="Peek"/> holds only the model, and <see cref="Body"/>'s bytes past what has arrived are not yet the body's.
    /// </summary>
    public Relays.StreamedRequestBody? StreamedBody { get; set; }

    /// <summary>What one forward pass over the body found (a field: large, passed by reference).</summary>
    public RequestPeek Peek;

    public string RequestedModel { get; set; } = "";
    /// <summary>Responses clients: the stored conversation previous_response_id names (a JSON array of items).</summary>
    public ReadOnlyMemory<byte> PriorItems { get; set; }

    /// <summary>The client's session (Claude Code's session id), when it says.</summary>
    public string? SessionId { get; set; }
    public bool Stream { get; set; }

    /// <summary>What the request is to its session (Claude Code's hint headers): a user turn, a background call, compaction.</summary>
    public Sessions.SessionRequestKind SessionKind { get; set; }

    /// <summary>The session changed signature domain between turns: earlier turns' thinking is left out upstream.</summary>
    public bool StripPriorThinking { get; set; }

    /// <summary>
    /// The body as a DOM, parsed on first use (a router's input, a translation) and at most once per request; the
    /// same-API path with no routing never builds it.
    /// </summary>
    public JsonElement Root => (_document ??= JsonDocument.Parse(Body!.Memory, RequestPeek.DocumentOptions)).RootElement;

    /// <summary>
    /// Whether the request is on a socket thread (inline socket I/O) with a body over <see cref="Runtime.InlineSocketIo.LargeBodyBytes"/>:
    /// a step about to build or walk its DOM (routing, translation, a cache key, a token estimate), which costs up to
    /// milliseconds the thread's other connections would wait out, first moves to the thread pool (<c>await Task.Yield()</c>).
    /// Passthrough, which only peeks and splices, stays: the move costs a wake-up and the pool's spinning, about as
    /// much CPU as the rest of the gateway's work on a 214 KB request (docs/benchmarks.md, round 5).
    /// </summary>
    public bool OnSocketThreadWithLargeBody => Body is { Length: > Runtime.InlineSocketIo.LargeBodyBytes } && !Thread.CurrentThread.IsThreadPoolThread;

    /// <summary>Whether <see cref="Root"/> was built.</summary>
    internal JsonDocument? Document => _document;

    /// <summary>For the selector: builds the router's input from the shared DOM, only when a router will run.</summary>
    public Func<RouterInput> RouterInput => Snapshot.Selector.Policy is null ? NoRouting : _routerInput ??= BuildRouterInput;

    private RouterInput BuildRouterInput()
    {
        var routing = Snapshot.Config.Routing;
        if (Client == ApiFormat.Responses)
        {
            // A router reads conversations in Chat form: the Responses request's, built for it.
            using var chat = JsonDocument.Parse(Protocols.Responses.ResponsesToChatRequest.Translate(Root, out _, out _));
            return _builtRouterInput = RouterInputBuilder.FromRequest(ApiFormat.OpenAI, chat.RootElement, routing.TokenBudget, routing.RouteOnUserOnly);
        }
        return _builtRouterInput = RouterInputBuilder.FromRequest(Client, Root, routing.TokenBudget, routing.RouteOnUserOnly);
    }

    // ---- choose, and the candidates ----------------------------------------------------------------------

    /// <summary>The model chosen for the request, before any fallback.</summary>
    public ModelSelection? Selection { get; private set; }

    /// <summary>The chosen model, then its fallbacks in order.</summary>
    public int CandidateCount => Selection is null ? 0 : 1 + _fallbacks.Count;

    public int CandidateIndex { get; private set; }

    /// <summary>The candidate whose turn it is.</summary>
    public ModelSelection Candidate => CandidateIndex == 0 ? Selection! : _fallbacks[CandidateIndex - 1];

    /// <summary>Candidate <paramref name="index"/>: 0 the chosen model, then its fallbacks.</summary>
    public ModelSelection CandidateAt(int index) => index == 0 ? Selection! : _fallbacks[index - 1];

    public bool IsLastCandidate => CandidateIndex >= CandidateCount - 1;

    /// <summary>The current candidate's way to its provider.</summary>
    public ProviderEndpoint Endpoint { get; private set; } = null!;

    /// <summary>The current candidate's upstream request.</summary>
    public UpstreamPlan? Plan { get; set; }

    /// <summary>The current candidate's response, at its headers (disposed with the request).</summary>
    public HttpResponseMessage? Upstream { get; set; }

    /// <summary>The first 429 a candidate answered, kept for when no other candidate answers.</summary>
    public HeldRateLimit? RateLimited { get; set; }

    /// <summary>The first "this provider has no API key" message, for when no candidate answers.</summary>
    public string? MissingKey { get; set; }

    /// <summary>Why the current candidate gave way (for the fallback log line).</summary>
    public string? SkipReason { get; private set; }

    public void Choose(ModelSelection selection, IReadOnlyList<ModelSelection> fallbacks)
    {
        Selection = selection;
        _fallbacks = fallbacks;
        AnswerWith(selection);
    }

    /// <summary>Makes candidate <paramref name="index"/> the current one.</summary>
    public void BeginCandidate(int index)
    {
        CandidateIndex = index;
        Endpoint = Snapshot.Providers.Get(Candidate.Entry, Candidate.ModelId);
        Plan?.Dispose();
        Plan = null;
        SkipReason = null;
    }

    /// <summary>
    /// The current candidate cannot answer (<paramref name="reason"/>): recorded as an attempt, and the fallback loop
    /// goes on with the next (<see cref="FallbackDecision.NextAsync"/>).
    /// </summary>
    public StepResult GiveWay(string reason, AttemptOutcome outcome = AttemptOutcome.Skipped, int status = 0)
    {
        SkipReason = reason;
        RecordAttempt(outcome, status, reason);
        return StepResult.NextCandidate;
    }

    // ---- send --------------------------------------------------------------------------------------------

    /// <summary>One call of the current plan to the current candidate's provider, up to the response headers (what its resilience pipeline retries).</summary>
    public Func<CancellationToken, Task<HttpResponseMessage>> SendAttempt => _send ??= SendOnceAsync;

    private Task<HttpResponseMessage> SendOnceAsync(CancellationToken cancellationToken) => Plan!.Streamed is { } streamed
        ? SendStreamedAsync(streamed, cancellationToken)
        : UpstreamCall.SendAsync(Endpoint, Plan.Uri, Plan.CreateContent(), Context.Request.Headers, Snapshot.Relay.FirstByteTimeout, cancellationToken);

    private async Task<HttpResponseMessage> SendStreamedAsync(Relays.StreamedRequestBody streamed, CancellationToken cancellationToken)
    {
        var content = await streamed.ContentForAttemptAsync(this, Plan!.ModelId, Plan.MaxTokensCap).ConfigureAwait(false);
        return await UpstreamCall.SendAsync(Endpoint, Plan.Uri, content, Context.Request.Headers, Snapshot.Relay.FirstByteTimeout, cancellationToken).ConfigureAwait(false);
    }

    public void StartAttempt() => _attemptStart = Stopwatch.GetTimestamp();

    public void RecordAttempt(AttemptOutcome outcome, int status, string? reason)
    {
        var duration = _attemptStart == 0 ? 0 : Stopwatch.GetElapsedTime(_attemptStart).TotalMilliseconds;
        _attemptStart = 0;
        var candidate = Candidate;
        _attempts.Add(new UpstreamAttempt(candidate.Model, candidate.Entry.Provider, outcome, status, duration, reason));
    }

    // ---- after it (limits, budget, cache) -----------------------------------------------------------------

    private IRequestFinish? _finish1, _finish2;

    /// <summary>Runs <paramref name="finish"/> once the request is over, in the order given (two at most: the limits' settlement, the cache's fill).</summary>
    internal void OnFinished(IRequestFinish finish)
    {
        if (_finish1 is null) _finish1 = finish;
        else if (_finish2 is null) _finish2 = finish;
        else throw new InvalidOperationException("a request takes two finishing steps at most");
    }

    /// <summary>Called once by the pipeline, after the response and before the completion sinks.</summary>
    internal void RunFinish()
    {
        _finish1?.Finish(this);
        _finish2?.Finish(this);
    }

    /// <summary>Answered from the response cache: no provider was called.</summary>
    public bool CacheHit { get; set; }

    // ---- the outcome -------------------------------------------------------------------------------------

    /// <summary>The answering model's literal, as logged ("-" until one is chosen).</summary>
    public string Model { get; private set; } = "-";
    public string Provider { get; private set; } = "-";
    public string Route { get; private set; } = "none";
    /// <summary>How the answering model was selected, as logged: literal, bareid, alias, routed, default (+fallback).</summary>
    public string SelectionName { get; private set; } = "-";
    /// <summary>The model that answers (what the request's cost is priced by); null until one is chosen.</summary>
    public ModelSelection? Answering { get; private set; }
    /// <summary>The protocol of the provider that answers (whether its errors can pass through unchanged).</summary>
    public ApiFormat UpstreamApi { get; private set; }
    /// <summary>The status the client got (0 until known; the response's status then).</summary>
    public int Status { get; set; }
    public ErrorKind ErrorKind { get; private set; }
    public string? Error { get; private set; }
    public TokenUsage Usage { get; set; }
    public long FirstByteTimestamp { get; private set; }
    public UpstreamAttempts Attempts => _attempts.Build();

    /// <summary>
    /// <paramref name="selection"/> answers: what the log line and events say, and the x-switchboard-model, -provider
    /// and -route response headers.
    /// </summary>
    public void AnswerWith(ModelSelection selection, bool asFallback = false)
    {
        Answering = selection;
        UpstreamApi = selection.Entry.Interface;
        Model = selection.Model;
        Provider = selection.Entry.Provider;
        Route = selection.Route ?? "none";
        SelectionName = asFallback ? SelectionNames.Of(selection.Kind) + "+fallback" : SelectionNames.Of(selection.Kind);
        var headers = Response.Headers;
        headers[ModelHeader] = Model;
        headers[ProviderHeader] = Provider;
        headers[RouteHeader] = Route;
    }

    public void MarkFirstByte()
    {
        if (FirstByteTimestamp == 0) FirstByteTimestamp = Stopwatch.GetTimestamp();
    }

    /// <summary>Records what went wrong; the status is the response's unless set.</summary>
    public void Fail(ErrorKind kind, string error, int status = 0)
    {
        ErrorKind = kind;
        Error = error;
        if (status != 0) Status = status;
    }

    /// <summary>Ends the request with an error in the client's format: how a step says no.</summary>
    public async ValueTask<StepResult> RejectAsync(int status, string message, ErrorKind kind, string? code = null)
    {
        Fail(kind, message, status);
        await ClientErrors.WriteAsync(Context, Client, status, message, code: code).ConfigureAwait(false);
        return StepResult.Done;
    }

    /// <summary>What the completion sinks get: call once the response is done.</summary>
    public CompletedRequest ToCompleted()
    {
        var latency = Stopwatch.GetElapsedTime(StartTimestamp).TotalMilliseconds;
        var ttfb = FirstByteTimestamp == 0 ? latency : Stopwatch.GetElapsedTime(StartTimestamp, FirstByteTimestamp).TotalMilliseconds;
        return new CompletedRequest
        {
            Time = DateTimeOffset.UtcNow,
            RequestId = Id,
            SessionId = SessionId,
            Caller = Caller?.Name,
            ClientApi = Client,
            Operation = Operation,
            UserAgent = Context.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null,
            RequestedModel = RequestedModel,
            Choice = Selection,
            Route = Route,
            Selection = SelectionName,
            Model = Model,
            Provider = Provider,
            Attempts = Attempts,
            Status = Status,
            ErrorKind = ErrorKind,
            Error = Error,
            LatencyMs = latency,
            TtfbMs = ttfb,
            Usage = Usage,
            // A cached answer cost the provider nothing this time (budgets charge it $0 too); its usage is what it cost once.
            CostUsd = CacheHit ? 0m : RequestCost.Of(Answering?.Entry, Answering?.ModelId ?? "", Operation, Usage),
            Stream = Stream,
            CacheHit = CacheHit,
            Wildcard = Answering?.Entry.ModelId == "*",
            Background = SessionKind is Sessions.SessionRequestKind.Auxiliary or Sessions.SessionRequestKind.Compaction,
            RouterInput = _builtRouterInput,
            RoutePolicy = Snapshot.Selector.Policy,
        };
    }

    /// <summary>Releases the upstream response, the DOM, the pooled body and the snapshot's lease (once).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;
        StreamedBody?.Stop();
        Upstream?.Dispose();
        _document?.Dispose();
        Plan?.Dispose();
        Body?.Dispose();
        Snapshot.ReleaseLease();
    }
}
