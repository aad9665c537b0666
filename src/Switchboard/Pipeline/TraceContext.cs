namespace Switchboard.Pipeline;

/// <summary>W3C Trace Context header names.</summary>
internal static class TraceContext
{
    public const string Parent = "traceparent";
    public const string State = "tracestate";
}
