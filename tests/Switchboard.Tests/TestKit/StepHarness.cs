using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Config;
using Switchboard.Identity;
using Switchboard.Pipeline;
using Switchboard.Providers;
using Switchboard.Routing;
using Switchboard.Runtime;

namespace Switchboard.Tests.TestKit;

/// <summary>A pipeline step run alone: a request over an in-memory HttpContext, on a snapshot of a config.</summary>
internal static class StepHarness
{
    public static GatewayConfig Config(string yaml)
    {
        var load = ConfigLoader.LoadText(yaml, env: new EnvironmentSource(name => name.EndsWith("_API_KEY") ? "sk-test" : null));
        Assert.True(load.Succeeded, string.Join("\n", load.Diagnostics));
        return load.Config!;
    }

    /// <summary>The snapshot a request runs on; with <paramref name="router"/>, its routes are decided by that router.</summary>
    public static GatewaySnapshot Snapshot(string yaml, IRouteSelector? router = null)
    {
        var config = Config(yaml);
        return router is null ? SnapshotFactory.Create(config) : new GatewaySnapshot(config, new ProviderRegistry(config), new ModelSelector(config, router));
    }

    public static GatewayRequest Request(GatewaySnapshot snapshot, string body, ApiFormat client = ApiFormat.Anthropic, Operation operation = Operation.Messages,
        string? contentType = "application/json", Action<HttpRequest>? configure = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        context.Response.Body = new MemoryStream();
        context.Features.Set(CallerFeature.Open);
        configure?.Invoke(context.Request);
        snapshot.AddLease(); // the request releases it
        return new GatewayRequest(context, snapshot, client, operation, NullLogger.Instance);
    }

    /// <summary>Runs the per-request steps up to and including <paramref name="last"/>; the last one's result.</summary>
    public static async Task<StepResult> RunThroughAsync(GatewayRequest request, RequestStep last)
    {
        foreach (var step in RequestSteps.Default.PerRequest)
        {
            var result = await step.RunAsync(request);
            if (result != StepResult.Continue || step == last) return result;
        }
        throw new InvalidOperationException($"{last} is not a per-request step");
    }

    public static string ResponseText(GatewayRequest request)
    {
        var body = (MemoryStream)request.Response.Body;
        return Encoding.UTF8.GetString(body.ToArray());
    }
}
