using System.Net;
using Anthropic;
using Anthropic.Models.Messages;
using Microsoft.AspNetCore.Http;
using Switchboard.Pipeline;

namespace Switchboard.Tests.Functional.Teams;

/// <summary>The opt-in response cache: hit, miss, a hit replayed as a stream, bypass, errors never kept.</summary>
[Trait("Kind", "Functional")]
public sealed class ResponseCacheTests : TeamTest
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        OpenAIUpstream.RespondJson(Canned.OpenAIChat("cached words"));
        AnthropicUpstream.RespondJson(Canned.AnthropicMessage("claude words"));
    }

    private Task<TestGateway> StartAsync(string extra = "", Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null) =>
        TestGateway.StartAsync(Team.Config(OpenAIUpstream, AnthropicUpstream, openAIExtra: "cache: {ttl_seconds: 60}", extra: """
            model_aliases:
              sticky:
                target: anthropic/claude-sonnet-4-5
                cache:
                  ttl_seconds: 60
            """ + extra), Team.Env, services);

    private static async Task<(HttpStatusCode Status, string? Cache, string Body)> SendAsync(TestGateway gateway, HttpRequestMessage request)
    {
        using (request)
        using (var response = await gateway.Http.SendAsync(request))
            return (response.StatusCode, response.Headers.TryGetValues(CacheHeader, out var v) ? v.Single() : null, await response.Content.ReadAsStringAsync());
    }

    private const string CacheHeader = "x-switchboard-cache";

    [Fact]
    public async Task The_same_request_is_a_miss_then_a_hit_that_calls_no_provider_and_is_recorded_as_one()
    {
        var sink = new RecordingSink();
        await using var gateway = await StartAsync(services: s => s.AddSingletonSink(sink));
        var miss = await SendAsync(gateway, Team.Chat(""));
        var hit = await SendAsync(gateway, Team.Chat(""));
        Assert.Equal((HttpStatusCode.OK, "miss"), (miss.Status, miss.Cache));
        Assert.Equal((HttpStatusCode.OK, "hit"), (hit.Status, hit.Cache));
        Assert.Equal(miss.Body, hit.Body);
        Assert.Single(OpenAIUpstream.Requests);
        // A different conversation, or different sampling, is a different entry; the key, ids and user are not part of it.
        Assert.Equal("miss", (await SendAsync(gateway, Team.Chat("", text: "other"))).Cache);
        Assert.Equal("miss", (await SendAsync(gateway, Team.Chat("", maxTokens: 7))).Cache);
        Assert.Equal(3, OpenAIUpstream.Requests.Count);
        var completed = await sink.WaitAsync(4);
        Assert.Equal([false, true, false, false], completed.Select(c => c.CacheHit));
        Assert.Equal(11, completed[1].Usage.InputTokens); // the cached answer's usage, at no upstream cost
    }

    [Fact]
    public async Task A_hit_replays_as_the_clients_stream_when_the_client_streams()
    {
        await using var gateway = await StartAsync();
        var whole = await SendAsync(gateway, Team.Chat(""));
        Assert.Equal("miss", whole.Cache);
        var streamed = await SendAsync(gateway, Team.Chat("", stream: true));
        Assert.Equal("hit", streamed.Cache);
        Assert.Contains("\"object\":\"chat.completion.chunk\"", streamed.Body);
        Assert.Contains("cached words", streamed.Body);
        Assert.EndsWith("data: [DONE]\n\n", streamed.Body);
        Assert.Single(OpenAIUpstream.Requests);
    }

    [Fact]
    public async Task A_streamed_answer_is_kept_and_replayed_to_theAnthropicUpstream_sdk_through_an_alias()
    {
        AnthropicUpstream.RespondSse(Canned.AnthropicStream(pieces: ["str", "eamed"]));
        await using var gateway = await StartAsync();
        var client = new AnthropicClient { ApiKey = "client", BaseUrl = gateway.BaseUrl.ToString().TrimEnd('/'), MaxRetries = 0 };
        var request = new MessageCreateParams { Model = "sticky", MaxTokens = 20, Messages = [new UserMessageParam { Content = "stream me" }] };
        for (var round = 0; round < 2; round++)
        {
            var text = new System.Text.StringBuilder();
            await foreach (var e in client.Messages.CreateStreaming(request))
                if (e.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var t)) text.Append(t.Text);
            Assert.Equal("streamed", text.ToString());
        }
        Assert.Single(AnthropicUpstream.Requests);
        await gateway.Logs.WaitForLineAsync("cache=hit");
    }

    [Fact]
    public async Task Cache_control_no_cache_bypasses_the_lookup_and_refreshes_the_entry()
    {
        await using var gateway = await StartAsync();
        await SendAsync(gateway, Team.Chat(""));
        var request = Team.Chat("");
        request.Headers.CacheControl = new() { NoCache = true };
        var bypass = await SendAsync(gateway, request);
        Assert.Equal("bypass", bypass.Cache);
        Assert.Equal(2, OpenAIUpstream.Requests.Count);
        Assert.Equal("hit", (await SendAsync(gateway, Team.Chat(""))).Cache);
    }

    [Fact]
    public async Task Errors_are_never_cached_and_models_without_cache_are_left_alone()
    {
        OpenAIUpstream.RespondJson("""{"error":{"message":"bad thing","type":"invalid_request_error"}}""", status: 400);
        await using var gateway = await StartAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(gateway, Team.Chat(""))).Status);
        OpenAIUpstream.RespondJson(Canned.OpenAIChat("now fine"));
        var second = await SendAsync(gateway, Team.Chat(""));
        Assert.Equal((HttpStatusCode.OK, "miss"), (second.Status, second.Cache));
        Assert.Contains("now fine", second.Body);
        // The Anthropic model by its literal has no cache (only the alias does).
        Assert.Null((await SendAsync(gateway, Team.Messages(""))).Cache);
        Assert.Null((await SendAsync(gateway, Team.Messages(""))).Cache);
        Assert.Equal(2, AnthropicUpstream.Requests.Count);
    }

    /// <summary>Keeps every finished request.</summary>
    private sealed class RecordingSink : ICompletionSink
    {
        private readonly List<CompletedRequest> _completed = [];

        public void OnCompleted(in CompletedRequest request)
        {
            lock (_completed) _completed.Add(request);
        }

        public async Task<CompletedRequest[]> WaitAsync(int count)
        {
            if (!await Poll.UntilAsync(() => { lock (_completed) return Task.FromResult(_completed.Count >= count); }, everyMs: 25))
                throw new TimeoutException($"{count} requests did not complete within {Poll.Patience.TotalSeconds:0} s");
            lock (_completed) return [.. _completed];
        }
    }
}

internal static class SinkRegistration
{
    public static void AddSingletonSink(this Microsoft.Extensions.DependencyInjection.IServiceCollection services, ICompletionSink sink) =>
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(services, sink);
}
