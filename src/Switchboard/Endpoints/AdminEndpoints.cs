using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Switchboard.Observability;

namespace Switchboard.Endpoints;

/// <summary>
/// Local endpoints for the command line: GET /switchboard/events (a live stream of finished requests, for
/// `switchboard watch`) and GET /switchboard/last (the latest request of a session, for `switchboard statusline`).
/// Loopback callers only (<see cref="RequireLoopback"/> on their group): they describe traffic, and a gateway listening on
/// all interfaces should not show it. With named keys (issue #18) an admin key will open them instead: one filter to swap.
/// </summary>
internal static class AdminEndpoints
{
    public const string EventsPath = "/switchboard/events";
    public const string LastPath = "/switchboard/last";

    /// <summary>Keeps idle streams alive through proxies and lets clients notice a dead gateway.</summary>
    internal static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(15);

    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();

    public static void Map(WebApplication app)
    {
        var events = app.Services.GetRequiredService<RequestEventHub>();
        var stopping = app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var sessions = app.Services.GetRequiredService<SessionTracker>();
        var admin = app.MapGroup("").RequireLoopback();
        admin.MapGet(EventsPath, (HttpContext c) => StreamEventsAsync(c, events, stopping));
        admin.MapGet(LastPath, (HttpContext c) => LastAsync(c, sessions));
        UsageEndpoints.Map(admin, app.Services.GetRequiredService<Ledger.LedgerWriter>(), app.Services.GetRequiredService<TimeProvider>());
        Dashboard.DashboardEndpoint.Map(admin);
    }

    /// <summary>The group's endpoints answer loopback clients only; anyone else gets a 403.</summary>
    private static RouteGroupBuilder RequireLoopback(this RouteGroupBuilder group) =>
        group.WrapEach(next => context => IsLocal(context) ? next(context) : ForbiddenAsync(context));

    private static bool IsLocal(HttpContext context) =>
        context.Connection.RemoteIpAddress is not { } remote
        || IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote); // ::ffff:127.0.0.1 on a dual-mode socket

    private static Task ForbiddenAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return context.Response.WriteAsync("Switchboard's /switchboard/* endpoints answer loopback clients only.\n");
    }

    /// <summary>text/event-stream: one `data:` line of JSON per finished request, a `: ping` comment every 15 s.</summary>
    private static async Task StreamEventsAsync(HttpContext context, RequestEventHub events, CancellationToken stopping)
    {
        // A gateway that is shutting down ends the stream at once rather than waiting out its grace period for it.
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var cancellationToken = cts.Token;
        var response = context.Response;
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";

        // Subscribe before the headers go out: a client that saw them sees every request finished after that.
        var subscription = events.SubscribeAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var next = subscription.MoveNextAsync().AsTask();
        try
        {
            await response.WriteAsync(": connected\n\n", cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            var ping = Task.Delay(PingInterval, cancellationToken);
            while (true)
            {
                while (await Task.WhenAny(next, ping).ConfigureAwait(false) == ping)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    await response.WriteAsync(": ping\n\n", cancellationToken).ConfigureAwait(false);
                    await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                    ping = Task.Delay(PingInterval, cancellationToken);
                }
                if (!await next.ConfigureAwait(false)) break;
                var json = JsonSerializer.SerializeToUtf8Bytes(subscription.Current, AdminJsonContext.Default.RequestEvent);
                await response.Body.WriteAsync(DataPrefix, cancellationToken).ConfigureAwait(false);
                await response.Body.WriteAsync(json, cancellationToken).ConfigureAwait(false);
                await response.Body.WriteAsync(EventEnd, cancellationToken).ConfigureAwait(false);
                await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                next = subscription.MoveNextAsync().AsTask();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            // The pending read ends with the cancellation; only then may the subscription be disposed.
            await cts.CancelAsync().ConfigureAwait(false);
            try { await next.ConfigureAwait(false); } catch (OperationCanceledException) { }
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The latest request of ?session=ID (without one, the latest overall) as JSON; 204 when there is none.</summary>
    private static Task LastAsync(HttpContext context, SessionTracker sessions)
    {
        var latest = sessions.Latest(context.Request.Query["session"].ToString());
        if (latest is null)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(latest, AdminJsonContext.Default.RequestEvent);
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        return context.Response.Body.WriteAsync(json, context.RequestAborted).AsTask();
    }
}
