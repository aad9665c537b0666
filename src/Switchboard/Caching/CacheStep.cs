using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Switchboard.Config;
using Switchboard.Pipeline;
using Switchboard.Protocols;
using Switchboard.Routing;

namespace Switchboard.Caching;

/// <summary>
/// The response cache, for models, aliases and routes with <c>cache: {ttl_seconds}</c>: a request identical to one
/// answered before (<see cref="CacheKey"/>) is answered from the cache (<c>x-switchboard-cache: hit</c>), as a
/// stream when the client streams; otherwise (<c>miss</c>) the answer is captured on its way out and kept when it
/// succeeded. <c>Cache-Control: no-cache</c> skips the lookup (<c>bypass</c>) and refreshes the entry.
/// </summary>
internal sealed class CacheStep(ICacheStores state) : RequestStep
{
    public const string Header = "x-switchboard-cache";

    public override ValueTask<StepResult> RunAsync(GatewayRequest request)
    {
        if (request.Operation == Operation.CountTokens || TtlOf(request.Snapshot.Config, request.Selection!) is not { } cache) return new(StepResult.Continue);
        return LookUpAsync(request, cache);
    }

    /// <summary>The cache setting that covers the selection: its route's, its alias's, else its model entry's.</summary>
    internal static CacheConfig? TtlOf(GatewayConfig config, ModelSelection selection)
    {
        if (selection.Route is { } routeName)
            foreach (var route in config.RoutingPreferences)
                if (route.Cache is not null && route.Name.Equals(routeName, StringComparison.OrdinalIgnoreCase)) return route.Cache;
        if (selection.Kind == SelectionKind.Alias && config.Aliases.TryGetValue(selection.RequestedModel, out var alias) && alias.Cache is not null) return alias.Cache;
        return selection.Entry.Cache;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<StepResult> LookUpAsync(GatewayRequest request, CacheConfig cache)
    {
        if (request.OnSocketThreadWithLargeBody) await Task.Yield(); // the key is written from the DOM
        var store = state.CacheFor(request.Snapshot);
        var key = CacheKey.Of(request);
        var headers = request.Context.Request.Headers;
        var bypass = headers.CacheControl.ToString().Contains("no-cache", StringComparison.OrdinalIgnoreCase)
            || headers.Pragma.ToString().Contains("no-cache", StringComparison.OrdinalIgnoreCase);
        if (!bypass)
        {
            var answer = await store.GetAsync(key + (request.Stream ? ":s" : ":j"), request.Aborted).ConfigureAwait(false);
            byte[]? body = answer?.Body;
            if (answer is null && request.Stream && await store.GetAsync(key + ":j", request.Aborted).ConfigureAwait(false) is { } whole)
            {
                // Answered whole before, streamed now: the same answer as the client protocol's event stream.
                answer = whole;
                body = StreamReplay.FromResponse(request.Client, whole.Body, includeUsage: true);
            }
            if (answer is not null)
            {
                await ReplayAsync(request, answer, body!).ConfigureAwait(false);
                return StepResult.Done;
            }
        }
        request.Response.Headers[Header] = bypass ? "bypass" : "miss";
        var maxBytes = request.Snapshot.Config.State.CacheMaxEntryBytes;
        request.OnFinished(new CacheFill(store, key + (request.Stream ? ":s" : ":j"), TimeSpan.FromSeconds(cache.TtlSeconds), maxBytes, request.Response));
        return StepResult.Continue;
    }

    private static async ValueTask ReplayAsync(GatewayRequest request, CachedAnswer answer, byte[] body)
    {
        request.CacheHit = true;
        request.AnswerWith(request.Selection!);
        request.MarkFirstByte();
        request.Usage = answer.Usage;
        var response = request.Response;
        response.Headers[Header] = "hit";
        response.StatusCode = 200;
        request.Status = 200;
        if (request.Stream)
        {
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
        }
        else response.ContentType = "application/json";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, request.Aborted).ConfigureAwait(false);
    }
}

/// <summary>Where the cache lives for a config (State/TeamState: this process, or Redis).</summary>
internal interface ICacheStores
{
    IResponseCacheStore CacheFor(Runtime.GatewaySnapshot snapshot);
}

/// <summary>
/// A cacheable answer on its way out: the response body is captured (up to the entry size cap) and, once the request
/// is over and it succeeded whole, stored.
/// </summary>
internal sealed class CacheFill : IRequestFinish
{
    private readonly IResponseCacheStore _store;
    private readonly string _key;
    private readonly TimeSpan _ttl;
    private readonly CaptureStream _capture;

    public CacheFill(IResponseCacheStore store, string key, TimeSpan ttl, int maxBytes, HttpResponse response)
    {
        _store = store;
        _key = key;
        _ttl = ttl;
        _capture = new CaptureStream(response.Body, maxBytes);
        response.Body = _capture;
    }

    /// <summary>Stores the answer when it is one: a 200 that ended without an error (never an error, a cut stream, or an overlong one).</summary>
    public void Finish(GatewayRequest request)
    {
        if (request.Status != 200 || request.ErrorKind != ErrorKind.None || request.CacheHit || _capture.Overflowed || _capture.Length == 0) return;
        _store.Set(_key, new CachedAnswer(_capture.ToArray(), request.Usage), _ttl);
    }
}
