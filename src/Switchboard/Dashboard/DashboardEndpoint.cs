using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Switchboard.Dashboard;

/// <summary>
/// GET /switchboard/ui: one self-contained HTML page (inline CSS and JS, embedded in the assembly) that reads the
/// admin group's own JSON and SSE endpoints from the browser. No build step, no CDN: it works on an offline machine.
/// Mapped on the admin group, so it has the same access rule as /switchboard/events.
/// </summary>
internal static class DashboardEndpoint
{
    public const string Path = "/switchboard/ui";

    /// <summary>The page may load nothing but itself and its own endpoints; inline script and style are its only code.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Lazy<byte[]> Page = new(LoadPage);

    public static void Map(RouteGroupBuilder admin) => admin.MapGet(Path, ServeAsync);

    private static Task ServeAsync(HttpContext context)
    {
        var page = Page.Value;
        var response = context.Response;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = page.Length;
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        return response.Body.WriteAsync(page, context.RequestAborted).AsTask();
    }

    private static byte[] LoadPage()
    {
        using var stream = typeof(DashboardEndpoint).Assembly.GetManifestResourceStream("Switchboard.Dashboard.dashboard.html")
            ?? throw new InvalidOperationException("The dashboard page is missing from the assembly (EmbeddedResource Dashboard/dashboard.html in Switchboard.csproj).");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
