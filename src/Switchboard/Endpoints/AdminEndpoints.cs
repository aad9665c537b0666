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
/// Who may see them: <see cref="AdminScope"/> (loopback without keys; with keys an admin key, or a key's own traffic).
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
        var admin = app.MapGroup("").RequireAdminScope(app.Services.GetRequiredService<Runtime.GatewayRuntime>());
        admin.MapGet(EventsPath, (HttpContext c) => StreamEventsAsync(c, events, stopping));
        admin.MapGet(LastPath, (HttpContext c) => LastAsync(c, sessions));
        KeysEndpoint.Map(admin, app.Services);
        // The ledger and the dashboard show everyone's traffic: a key that may see only its own gets a 403 here.
        var everyone = admin.MapGroup("").AddEndpointFilter(async (invocation, next) =>
            AdminScope.ViewerOf(invocation.HttpContext).OnlyCaller is null
                ? await next(invocation)
                : Results.Text(AdminScope.AdminRequiredMessage + "\n", statusCode: StatusCodes.Status403Forbidden));
        UsageEndpoints.Map(everyone, app.Services.GetRequiredService<Ledger.LedgerWriter>(), app.Services.GetRequiredService<TimeProvider>());
        Dashboard.DashboardEndpoint.Map(everyone);
    }

    /// <summary>text/event-stream: one `data:` line of JSON per finished request, a `: ping` comment every 15 s.</summary>
    private static async Task StreamEventsAsync(HttpContext context, RequestEventHub events, CancellationToken stopping)
    {
        // A gateway that is shutting down ends the stream at once rather than waiting out its grace period for it.
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var cancellationToken = cts.Token;
        var viewer = AdminScope.ViewerOf(context);
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
                if (!viewer.Sees(subscription.Current.Caller))
                {
                    next = subscription.MoveNextAsync().AsTask();
                    continue;
                }
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
        if (latest is null || !AdminScope.ViewerOf(context).Sees(latest.Caller))
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
