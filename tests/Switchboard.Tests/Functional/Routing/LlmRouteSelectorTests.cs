using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Config;
using Switchboard.Routing;

namespace Switchboard.Tests.Functional.Routing;

/// <summary>The llm router against a fake OpenAI-compatible server on 127.0.0.1, port 0.</summary>
[Trait("Kind", "Functional")]
public sealed class LlmRouteSelectorTests : IAsyncLifetime
{
    private static readonly RoutePolicy Policy = new(
    [
        new RouteDefinition("code generation", "generating new code", "openai/gpt-4.1"),
        new RouteDefinition("debugging", "finding and fixing bugs", "anthropic/claude-sonnet-4-5"),
    ]);

    private static readonly RouterInput Input = new([new RouterTurn(TurnRole.User, "my app crashes on start")]);

    private WebApplication _app = null!;
    private Uri _baseUrl = null!;
    private readonly HttpClient _http = new();

    /// <summary>What the fake router answers next: status code and message content (or a raw body).</summary>
    private Func<HttpContext, Task> _respond = _ => Task.CompletedTask;
    private string? _lastBody;
    private string? _lastAuthorization;
    private string? _lastPath;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Urls.Add("http://127.0.0.1:0");
        _app.MapPost("/{**path}", async context =>
        {
            _lastPath = context.Request.Path;
            _lastAuthorization = context.Request.Headers.Authorization;
            using var reader = new StreamReader(context.Request.Body);
            _lastBody = await reader.ReadToEndAsync();
            await _respond(context);
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _baseUrl = new Uri(address);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    private void Answer(string content) => _respond = context => WriteCompletion(context, content);

    private static Task WriteCompletion(HttpContext context, string content)
    {
        context.Response.ContentType = "application/json";
        var json = JsonSerializer.Serialize(content, TestJsonContext.Default.String);
        return context.Response.WriteAsync($$"""{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":{{json}}},"finish_reason":"stop"}]}""");
    }

    /// <param name="timeoutMs">10 s by default: the tests of an answer must not see a timeout on a loaded machine.</param>
    private LlmRouteSelector Selector(int timeoutMs = 10_000, string? key = "sk-router", string path = "/v1") =>
        new(_http, new RoutingConfig
        {
            Router = RouterKind.Llm,
            BaseUrl = new Uri(_baseUrl, path),
            Model = "arch-router",
            AccessKey = key is null ? null : new SecretValue(key, null),
            TimeoutMs = timeoutMs,
        });

    [Fact]
    public async Task Good_json_answer_picks_the_route_and_the_request_follows_the_protocol()
    {
        Answer("""{"route": "debugging"}""");

        var selection = await Selector().SelectAsync(Input, Policy, CancellationToken.None);

        Assert.Equal(new RouteSelection("debugging", RouteReason.Matched), selection);
        Assert.Equal("/v1/chat/completions", _lastPath);
        Assert.Equal("Bearer sk-router", _lastAuthorization);
        using var request = JsonDocument.Parse(_lastBody!);
        Assert.Equal("arch-router", request.RootElement.GetProperty("model").GetString());
        Assert.True(request.RootElement.GetProperty("temperature").GetDouble() <= 0.01);
        var message = Assert.Single(request.RootElement.GetProperty("messages").EnumerateArray());
        Assert.Equal("user", message.GetProperty("role").GetString());
        Assert.Equal(ArchRouterPrompt.Build(Policy, Input), message.GetProperty("content").GetString());
    }

    [Theory]
    [InlineData("```json\n{\"route\": \"code generation\"}\n```")]
    [InlineData("{'route': 'code generation'}")]
    [InlineData("  \n {\"route\":\"code generation\"}  \n")]
    [InlineData("Sure! Based on the routes, the answer is {\"route\": \"code generation\"}. Hope that helps.")]
    [InlineData("code generation")]
    [InlineData("{\"route\": [\"code generation\", \"debugging\"]}")] // Plano-Orchestrator ranks routes: the first wins
    [InlineData("```json\n{\"route\": [\"code generation\"]}\n```")]
    public async Task Sloppy_answers_are_still_understood(string answer)
    {
        Answer(answer);

        var selection = await Selector().SelectAsync(Input, Policy, CancellationToken.None);

        Assert.Equal(new RouteSelection("code generation", RouteReason.Matched), selection);
    }

    [Theory]
    [InlineData("""{"route": "other"}""")]
    [InlineData("""{"route": []}""")]
    [InlineData("""{"route": ["other", "debugging"]}""")]
    public async Task Other_is_other(string answer)
    {
        Answer(answer);

        var selection = await Selector().SelectAsync(Input, Policy, CancellationToken.None);

        Assert.Equal(new RouteSelection(null, RouteReason.Other), selection);
    }

    [Fact]
    public async Task Unknown_route_is_other_with_a_reason()
    {
        Answer("""{"route": "image generation"}""");

        var selection = await Selector().SelectAsync(Input, Policy, CancellationToken.None);

        Assert.Null(selection.Route);
        Assert.Equal(RouteReason.Other, selection.Reason);
        Assert.Contains("image generation", selection.Detail);
    }

    [Fact]
    public async Task Garbage_is_an_error()
    {
        Answer("I cannot help with that, as an AI language model {{{");

        var selection = await Selector().SelectAsync(Input, Policy, CancellationToken.None);

        Assert.Null(selection.Route);
        Assert.Equal(RouteReason.Error, selection.Reason);
    }

    [Fact]
    public async Task Server_error_is_an_error_naming_the_status()
    {
        _respond = context => { context.Response.StatusCode = 500; return context.Response.WriteAsync("boom"); };

        var selection = await Selector().SelectAsync(Input, Policy, CancellationToken.None);

        Assert.Equal(RouteReason.Error, selection.Reason);
        Assert.Contains("500", selection.Detail);
    }

    [Fact]
    public async Task A_non_json_body_is_an_error_not_an_exception()
    {
        _respond = context => context.Response.WriteAsync("<html>gateway</html>");

        var selection = await Selector().SelectAsync(Input, Policy, CancellationToken.None);

        Assert.Equal(RouteReason.Error, selection.Reason);
    }

    [Fact]
    public async Task Slow_answer_times_out()
    {
        _respond = async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ContinueWith(_ => { });
            if (!context.RequestAborted.IsCancellationRequested) await WriteCompletion(context, """{"route": "debugging"}""");
        };

        var started = System.Diagnostics.Stopwatch.StartNew();
        var selection = await Selector(timeoutMs: 200).SelectAsync(Input, Policy, CancellationToken.None);

        Assert.Equal(RouteReason.Timeout, selection.Reason);
        Assert.Null(selection.Route);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"the 200 ms timeout did not cut the call: took {started.Elapsed}");
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_swallowed()
    {
        _respond = context => Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted).ContinueWith(_ => { });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await Selector(timeoutMs: 5_000).SelectAsync(Input, Policy, cancel.Token));
    }

    [Fact]
    public async Task Unreachable_router_is_an_error()
    {
        var config = new RoutingConfig { Router = RouterKind.Llm, BaseUrl = new Uri("http://127.0.0.1:1/v1"), TimeoutMs = 1000 };

        var selection = await new LlmRouteSelector(_http, config).SelectAsync(Input, Policy, CancellationToken.None);

        Assert.Contains(selection.Reason, new[] { RouteReason.Error, RouteReason.Timeout });
    }

    [Fact]
    public async Task No_access_key_sends_no_authorization()
    {
        Answer("""{"route": "debugging"}""");

        await Selector(key: null).SelectAsync(Input, Policy, CancellationToken.None);

        Assert.True(string.IsNullOrEmpty(_lastAuthorization));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8000", "http://127.0.0.1:8000/v1/chat/completions")]
    [InlineData("http://127.0.0.1:8000/", "http://127.0.0.1:8000/v1/chat/completions")]
    [InlineData("http://127.0.0.1:11434/v1", "http://127.0.0.1:11434/v1/chat/completions")]
    [InlineData("https://api.groq.com/openai/v1/", "https://api.groq.com/openai/v1/chat/completions")]
    public void Endpoint_follows_the_base_url_convention(string baseUrl, string expected)
    {
        Assert.Equal(new Uri(expected), LlmRouteSelector.ResolveEndpoint(new Uri(baseUrl)));
    }
}
