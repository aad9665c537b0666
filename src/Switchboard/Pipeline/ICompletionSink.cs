namespace Switchboard.Pipeline;

/// <summary>
/// Gets every finished request, once, on the request's own thread right after its response is done: the log line,
/// metrics and live events today, a usage ledger next. Registered in DI (<c>AddSingleton&lt;ICompletionSink, T&gt;</c>);
/// called in registration order. Must not block and should not throw: a sink that has slow work to do (a database
/// write) queues it and returns. A sink that throws is logged and skipped; the others still run.
/// </summary>
internal interface ICompletionSink
{
    void OnCompleted(in CompletedRequest request);
}
