using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Ledger;
using Switchboard.Ledger.Queries;

namespace Switchboard.Endpoints;

/// <summary>
/// The ledger's questions, as JSON, on the admin group (loopback only, like /switchboard/events):
/// GET /switchboard/usage?since=&amp;until=&amp;by=, GET /switchboard/usage/requests?limit=&amp;session=,
/// GET /switchboard/usage/sessions?since=&amp;until=. Each first waits (briefly) for the rows already queued, so a
/// caller sees its own requests.
/// </summary>
internal static class UsageEndpoints
{
    public const string UsagePath = "/switchboard/usage";
    public const string RequestsPath = "/switchboard/usage/requests";
    public const string SessionsPath = "/switchboard/usage/sessions";

    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(2);

    public static void Map(RouteGroupBuilder admin, LedgerWriter ledger, TimeProvider time)
    {
        admin.MapGet(UsagePath, (HttpContext c) => UsageAsync(c, ledger, time));
        admin.MapGet(RequestsPath, (HttpContext c) => RequestsAsync(c, ledger));
        admin.MapGet(SessionsPath, (HttpContext c) => SessionsAsync(c, ledger, time));
    }

    private static async Task UsageAsync(HttpContext context, LedgerWriter ledger, TimeProvider time)
    {
        if (await StoreAsync(context, ledger) is not { } store) return;
        var query = context.Request.Query;
        var by = query["by"].ToString() is { Length: > 0 } b ? b.ToLowerInvariant() : "model";
        if (!UsageQuery.Groupings.Contains(by))
        {
            await ErrorAsync(context, 400, $"by '{by}' is not a grouping: use one of {string.Join(", ", UsageQuery.Groupings)}.");
            return;
        }
        if (UsageWindow.Parse(query["since"], query["until"], time.GetUtcNow(), out var error) is not { } window)
        {
            await ErrorAsync(context, 400, error!);
            return;
        }
        var report = await new UsageQuery(store).UsageAsync(window, by, context.RequestAborted);
        await WriteAsync(context, 200, report, UsageJsonContext.Default.UsageReport);
    }

    private static async Task RequestsAsync(HttpContext context, LedgerWriter ledger)
    {
        if (await StoreAsync(context, ledger) is not { } store) return;
        var query = context.Request.Query;
        var limit = 50;
        if (query["limit"].ToString() is { Length: > 0 } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
        {
            await ErrorAsync(context, 400, $"limit '{text}' is not a whole number from 1 to {UsageQuery.MaxRequests}.");
            return;
        }
        var session = query["session"].ToString() is { Length: > 0 } s ? s : null;
        var report = await new UsageQuery(store).RequestsAsync(Math.Min(limit, UsageQuery.MaxRequests), session, context.RequestAborted);
        await WriteAsync(context, 200, report, UsageJsonContext.Default.RequestsReport);
    }

    private static async Task SessionsAsync(HttpContext context, LedgerWriter ledger, TimeProvider time)
    {
        if (await StoreAsync(context, ledger) is not { } store) return;
        var query = context.Request.Query;
        if (UsageWindow.Parse(query["since"], query["until"], time.GetUtcNow(), out var error) is not { } window)
        {
            await ErrorAsync(context, 400, error!);
            return;
        }
        var report = await new UsageQuery(store).SessionsAsync(window, context.RequestAborted);
        await WriteAsync(context, 200, report, UsageJsonContext.Default.SessionsReport);
    }

    /// <summary>The open store after a flush of what is queued; null (and a 404 saying why) when the ledger is off.</summary>
    private static async Task<ILedgerStore?> StoreAsync(HttpContext context, LedgerWriter ledger)
    {
        if (ledger.Store is not { } store)
        {
            await ErrorAsync(context, 404, "the usage ledger is off on this gateway (ledger.enabled: false, or its store could not be opened: see the gateway's log).");
            return null;
        }
        await ledger.FlushAsync(FlushTimeout, context.RequestAborted);
        return store;
    }

    private static Task ErrorAsync(HttpContext context, int status, string message) =>
        WriteAsync(context, status, new UsageError("Switchboard: " + message), UsageJsonContext.Default.UsageError);

    private static Task WriteAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, type);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        return context.Response.Body.WriteAsync(json, context.RequestAborted).AsTask();
    }
}
