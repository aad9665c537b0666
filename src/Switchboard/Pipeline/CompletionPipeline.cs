using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Protocols;
using Switchboard.Providers;
using Switchboard.Runtime;

namespace Switchboard.Pipeline;

/// <summary>
/// Where a completion request enters (Endpoints/CompletionEndpoints maps each client API's paths here): a
/// <see cref="GatewayRequest"/> runs through the <see cref="RequestSteps"/> in order, the per-candidate ones again for
/// each fallback while a candidate gives way, and, however it ended, every <see cref="ICompletionSink"/> gets it once.
/// </summary>
internal sealed class CompletionPipeline
{
    private readonly GatewayRuntime _runtime;
    private readonly InFlightGate _gate;
    private readonly RequestSteps _steps;
    private readonly ICompletionSink[] _sinks;
    private readonly ILogger<CompletionPipeline> _logger;

    public CompletionPipeline(GatewayRuntime runtime, RequestSteps steps, IEnumerable<ICompletionSink> sinks, ILogger<CompletionPipeline> logger)
    {
        _runtime = runtime;
        _gate = runtime.Admission;
        _steps = steps;
        _sinks = sinks.ToArray();
        _logger = logger;
    }

    public async Task HandleAsync(HttpContext context, ApiFormat client, Operation operation)
    {
        var limits = _runtime.Current.Config.Limits;
        // Content-Length is known before the body is read; a chunked body (none) is bounded by the request cap alone.
        var declared = Math.Min(context.Request.ContentLength ?? 0, limits.MaxRequestBodyBytes);
        if (!_gate.TryEnter(limits.MaxConcurrentRequests, declared, limits.MaxRequestBytesInFlight, out var reserved))
        {
            if (_gate.TryTakeReport(out var refused)) // before the write, which throws if the client already left
                PipelineLog.Shedding(_logger, refused, _gate.InFlight, _gate.BytesInFlight >> 20, limits.MaxConcurrentRequests, limits.MaxRequestBytesInFlight >> 20);
            try
            {
                await OverloadRefusal.RefuseAsync(context, client).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // The client left before its refusal was written: nothing to answer, and no error line per shed request.
            }
            return;
        }
        try
        {
            await HandleAdmittedAsync(context, client, operation).ConfigureAwait(false);
        }
        finally
        {
            _gate.Exit(reserved); // whatever happens past admission, its place is given back once
        }
    }

    private async Task HandleAdmittedAsync(HttpContext context, ApiFormat client, Operation operation)
    {
        var request = new GatewayRequest(context, _runtime.Lease(), client, operation, _logger);
        context.Response.Headers[GatewayRequest.RequestIdHeader] = request.Id;
        var activity = RequestTracing.Start(context.Request.Headers, request.Id);
        try
        {
            var steps = _steps.PerRequest;
            for (var i = 0; i < steps.Length; i++)
                if (await steps[i].RunAsync(request).ConfigureAwait(false) == StepResult.Done) return;

            // The fallback loop: the per-candidate steps for the chosen model, then for each fallback while one gives way.
            steps = _steps.PerCandidate;
            request.BeginCandidate(0);
            for (var i = 0; i < steps.Length;)
            {
                switch (await steps[i].RunAsync(request).ConfigureAwait(false))
                {
                    case StepResult.Continue:
                        i++;
                        break;
                    case StepResult.NextCandidate:
                        if (!await FallbackDecision.NextAsync(request).ConfigureAwait(false)) return;
                        i = 0;
                        break;
                    default:
                        return;
                }
            }
        }
        catch (Exception ex)
        {
            if (!await FailAsync(request, ex).ConfigureAwait(false)) throw;
        }
        finally
        {
            request.Dispose();
            if (request.Status == 0) request.Status = context.Response.StatusCode;
            request.RunFinish(); // limits settle, the cache keeps a fresh answer
            Complete(request);
            RequestTracing.Stop(activity, request);
        }
    }

    /// <summary>The last word on a request a step threw out of: its outcome, and an error in the client's format while nothing was sent yet. False: not one of ours to answer.</summary>
    private async ValueTask<bool> FailAsync(GatewayRequest request, Exception exception)
    {
        var context = request.Context;
        var response = context.Response;
        switch (exception)
        {
            case OperationCanceledException when request.Aborted.IsCancellationRequested:
                request.Fail(ErrorKind.ClientDisconnected, "client disconnected", 499); // the upstream call was cancelled with it
                return true;
            case UpstreamException ex:
                PipelineLog.UpstreamFailed(_logger, request.Id, ex.Provider, ex.Message);
                request.Fail(KindOf(ex.Kind), ex.Message, ex.ClientStatus);
                if (ex.RetryAfter is { } retryAfter && !response.HasStarted)
                    response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await ClientErrors.WriteAsync(context, request.Client, ex.ClientStatus, "Switchboard: " + ex.Message).ConfigureAwait(false);
                return true;
            case TranslationException ex when !response.HasStarted:
                // Valid JSON, but not the client protocol's shape: the client's error, not ours.
                request.Fail(ErrorKind.InvalidRequest, ex.Message, 400);
                await ClientErrors.WriteAsync(context, request.Client, 400, "Switchboard: " + ex.Message).ConfigureAwait(false);
                return true;
            case BadHttpRequestException ex when !response.HasStarted:
                // Kestrel's verdict on the request: a body arriving too slowly (408), a broken chunk (400).
                await request.RejectAsync(ex.StatusCode, ex.Message, ErrorKind.InvalidRequest).ConfigureAwait(false);
                return true;
            case not null when !response.HasStarted:
                PipelineLog.Unhandled(_logger, request.Id, exception);
                request.Fail(ErrorKind.Internal, exception.GetType().Name, 500);
                await ClientErrors.WriteAsync(context, request.Client, 500, $"Switchboard: internal error (request {request.Id}).").ConfigureAwait(false);
                return true;
            default:
                return false;
        }
    }

    private static ErrorKind KindOf(UpstreamFailureKind kind) => kind switch
    {
        UpstreamFailureKind.Timeout => ErrorKind.UpstreamTimeout,
        UpstreamFailureKind.CircuitOpen => ErrorKind.CircuitOpen,
        UpstreamFailureKind.RateLimited => ErrorKind.RateLimited,
        _ => ErrorKind.UpstreamUnreachable,
    };

    /// <summary>Every sink, in registration order; one that throws is logged and the rest still run.</summary>
    private void Complete(GatewayRequest request)
    {
        var completed = request.ToCompleted();
        foreach (var sink in _sinks)
        {
            try
            {
                sink.OnCompleted(in completed);
            }
            catch (Exception ex)
            {
                PipelineLog.SinkFailed(_logger, request.Id, sink.GetType().Name, ex);
            }
        }
    }
}
