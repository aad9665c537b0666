using Microsoft.AspNetCore.Http;

namespace Switchboard.Endpoints;

/// <summary>Writing the informational endpoints' answers.</summary>
internal static class EndpointResponses
{
    public static Task WriteJsonAsync(HttpContext context, ReadOnlyMemory<byte> json) => WriteAsync(context, "application/json", json);

    /// <summary>The body with its type and length; for HEAD, the same headers and no body.</summary>
    public static Task WriteAsync(HttpContext context, string contentType, ReadOnlyMemory<byte> body)
    {
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
