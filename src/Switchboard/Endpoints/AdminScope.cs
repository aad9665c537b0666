using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Identity;
using Switchboard.Pipeline;
using Switchboard.Protocols;
using Switchboard.Runtime;

namespace Switchboard.Endpoints;

/// <summary>
/// Who may see the gateway's traffic (/switchboard/*, /healthz?verbose=true). Without gateway keys: loopback clients
/// only, as on a single user's machine. With keys: a key is required from anyone (behind a reverse proxy on the same
/// host every client is loopback); an <c>admin: true</c> key sees everything, any other key only its own traffic.
/// </summary>
internal static class AdminScope
{
    /// <summary>Left on the request: whose traffic the caller may see (null: everyone's).</summary>
    internal sealed class Viewer(string? onlyCaller)
    {
        public static readonly Viewer Everyone = new(null);
        public string? OnlyCaller { get; } = onlyCaller;
        public bool Sees(string? caller) => OnlyCaller is null || string.Equals(OnlyCaller, caller, StringComparison.Ordinal);
    }

    public const string AdminRequiredMessage = "Switchboard: this endpoint needs a gateway key with admin: true.";
    public const string LoopbackOnlyMessage = "Switchboard's admin endpoints (/switchboard/*, /metrics) answer loopback clients only; configure a gateway key with admin: true to reach them from elsewhere.\n";

    public static RouteGroupBuilder RequireAdminScope(this RouteGroupBuilder group, GatewayRuntime runtime) =>
        group.WrapEach(next => context => CheckAsync(context, runtime, next, ownTrafficAllowed: true));

    /// <summary>In front of an endpoint that shows everyone's traffic and has no per-caller view (/metrics): loopback without keys, else an admin key.</summary>
    public static Func<RequestDelegate, RequestDelegate> AdminOnly(GatewayRuntime runtime) =>
        next => context => CheckAsync(context, runtime, next, ownTrafficAllowed: false);

    /// <summary>Whether the request may see everything (always, without keys); answers it (401/403) when not.</summary>
    public static async ValueTask<bool> RequireAdminAsync(HttpContext context, GatewayRuntime runtime)
    {
        if (runtime.Current.Keyring.IsEmpty) return true; // no keys: open, as before
        var passed = false;
        await CheckAsync(context, runtime, _ => { passed = true; return Task.CompletedTask; }, ownTrafficAllowed: false).ConfigureAwait(false);
        return passed;
    }

    public static Viewer ViewerOf(HttpContext context) => context.Features.Get<Viewer>() ?? Viewer.Everyone;

    private static Task CheckAsync(HttpContext context, GatewayRuntime runtime, RequestDelegate next, bool ownTrafficAllowed)
    {
        var keyring = runtime.Current.Keyring;
        if (keyring.IsEmpty)
        {
            if (IsLocal(context)) return next(context);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return context.Response.WriteAsync(LoopbackOnlyMessage);
        }
        var verdict = keyring.Check(context.Request);
        if (verdict.IsRefused) return ClientErrors.WriteAsync(context, ApiFormat.OpenAI, 401, verdict.Message);
        var caller = verdict.Caller!;
        if (caller.IsAdmin)
        {
            context.Features.Set(Viewer.Everyone);
            return next(context);
        }
        if (!ownTrafficAllowed) return ClientErrors.WriteAsync(context, ApiFormat.OpenAI, 403, AdminRequiredMessage);
        context.Features.Set(new Viewer(caller.Name));
        return next(context);
    }

    private static bool IsLocal(HttpContext context) =>
        context.Connection.RemoteIpAddress is not { } remote
        || IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote); // ::ffff:127.0.0.1 on a dual-mode socket
}
