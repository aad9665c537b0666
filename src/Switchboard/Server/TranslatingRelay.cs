using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Providers;
using Switchboard.Routing;

namespace Switchboard.Server;

/// <summary>Cross-protocol relay: translate the request, call the provider, translate the answer back.</summary>
internal static class TranslatingRelay
{
    public static Task RelayAsync(HttpContext context, ProviderEndpoint endpoint, ModelSelection selection, ReadOnlyMemory<byte> body, RequestRecord record,
        RelayOptions options, ILogger logger, CancellationToken aborted)
    {
        record.Status = 501;
        return ClientErrors.WriteAsync(context, record.Client, 501, $"Switchboard: translation from {record.Client} to {endpoint.Api} is not available yet.");
    }
}
