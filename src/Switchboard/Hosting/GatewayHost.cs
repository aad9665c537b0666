using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Config;
using Switchboard.Endpoints;
using Switchboard.Ledger;
using Switchboard.Observability;
using Switchboard.Pipeline;
using Switchboard.Runtime;
using Switchboard.Sessions;

namespace Switchboard.Hosting;

/// <summary>The gateway process: Kestrel on the configured listener with every endpoint mapped.</summary>
internal sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TelemetryExport? _telemetry;
    private readonly GatewayMetrics _metrics;
    private readonly PrometheusMetrics? _prometheus;
    private readonly TimeSpan _shutdownGrace;
    private int _requestsCut;

    private GatewayHost(WebApplication app, GatewayRuntime runtime, GatewayMetrics metrics, PrometheusMetrics? prometheus, TelemetryExport? telemetry, TimeSpan shutdownGrace)
    {
        _app = app;
        Runtime = runtime;
        _metrics = metrics;
        _prometheus = prometheus;
        _telemetry = telemetry;
        _shutdownGrace = shutdownGrace;
    }

    /// <summary>Requests still running when the shutdown grace ran out, and so cut (0 after a clean drain).</summary>
    public int RequestsCutAtShutdown => Volatile.Read(ref _requestsCut);

    /// <summary>How long in-flight requests may run after a stop signal.</summary>
    public TimeSpan ShutdownGrace => _shutdownGrace;

    public GatewayRuntime Runtime { get; }
    public RequestEventHub Events => _app.Services.GetRequiredService<RequestEventHub>();
    public IServiceProvider Services => _app.Services;

    /// <summary>Where it listens, once started (http://127.0.0.1:PORT).</summary>
    public Uri BaseAddress
    {
        get
        {
            var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Uri(address.Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1"));
        }
    }

    public static GatewayHost Create(GatewayConfig config, GatewayHostOptions? options = null)
    {
        options ??= new GatewayHostOptions();
        // The host's defaults would read appsettings.json from the working directory and, to reload it, watch that whole
        // directory tree (inotify on every folder under it, IN_MODIFY included): a gateway started in a home or a
        // repository folder was woken by every file written anywhere below it (~60 µs of CPU each; docs/benchmarks.md).
        // It reads no appsettings: the content root is its own folder, and nothing is watched for reload.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ApplicationName = "switchboard",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        if (options.ConfigureLogging is { } configure) configure(builder.Logging);
        else builder.Services.AddSingleton<ILoggerProvider, Observability.Logging.BatchingConsoleLoggerProvider>(); // created by the container, so disposed (flushed) with it
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        // This category logs nothing at Warning or above, but while any level of it is enabled ASP.NET Core creates an
        // Activity per request, which HttpClient then copies into a child Activity and a traceparent header upstream:
        // ~2 KB and a few µs per request for nothing (an OpenTelemetry listener, when one is added, still gets them).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        // Start-up failures (a port in use) are reported by the CLI in one clear sentence, not a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.Critical);

        var listener = config.Listeners[0];
        var port = options.Port ?? listener.Port;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // The gateway enforces its own body limit so the error comes back in the client's format.
            kestrel.Limits.MaxRequestBodySize = null;
            var address = listener.Address is "*" or "+" ? IPAddress.Any : IPAddress.Parse(listener.Address);
            kestrel.Listen(address, port);
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownGrace);
        if (options.InlineIo)
            builder.Services.Configure<SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = true);
        builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>, LargeReadMemoryPoolFactory>(); // 256 KB socket reads (Runtime/LargeReadMemoryPool.cs)

        var runtime = new GatewayRuntime(SnapshotFactory.Create(config));
        var services = builder.Services;
        services.AddSingleton(runtime);
        services.AddSingleton(TimeProvider.System);
        // Session pins (Sessions/): in process, bounded by claude_code.session_ttl_minutes and max_sessions (read at start),
        // and written behind to state.redis when one is configured, so gateways behind one balancer hold a turn alike.
        // A test registers its own ISessionPinStore after this one (options.ConfigureServices): the last wins.
        var sessionTtl = TimeSpan.FromMinutes(config.ClaudeCode.SessionTtlMinutes);
        services.AddSingleton<ISessionPinStore>(sp => new State.SharedSessionPinStore(
            new InProcessSessionPinStore(sessionTtl, config.ClaudeCode.MaxSessions), sp.GetRequiredService<State.TeamState>(), runtime, sessionTtl));
        services.AddSingleton<SessionRouting>();
        services.AddSingleton<State.TeamState>();
        services.AddHostedService<State.SharedStateWarmup>(); // connects to state.redis before the first request
        // The steps: the session-aware choice, then limits and the cache after the model is chosen.
        services.AddSingleton(sp => State.TeamSteps.Build(RequestSteps.Default.WithSessions(sp.GetRequiredService<SessionRouting>()), sp));
        services.AddSingleton<CompletionPipeline>();
        // previous_response_id: in process (an hour, 1024 responses), and written behind to state.redis when one is configured.
        services.AddSingleton<Protocols.Responses.IResponseStateStore>(sp => new State.SharedResponseStateStore(
            new Protocols.Responses.InMemoryResponseStateStore(), sp.GetRequiredService<State.TeamState>(), runtime, TimeSpan.FromHours(1)));
        services.AddSingleton<RequestEventHub>();
        services.AddSingleton<SessionTracker>();
        // Every finished request goes to each sink, in this order: metrics before the log line, which tests (and
        // people) wait on; then the live events.
        // This gateway's metrics, and GET /metrics over them unless telemetry.prometheus is false (read at start).
        var metrics = new GatewayMetrics(runtime);
        var prometheus = PrometheusMetrics.Start(config.Telemetry, metrics);
        services.AddSingleton(metrics);
        if (prometheus is not null) services.AddSingleton(prometheus);
        services.AddSingleton<ICompletionSink, MetricsSink>();
        services.AddLedger(config.Ledger, options.StateDirectory); // its sink before the log line: a row is queued once the line is out
        services.AddSingleton<ICompletionSink, RequestLogSink>();
        services.AddSingleton<ICompletionSink, RequestEventSink>();
        services.AddSingleton<ICompletionSink, Limits.KeyUsageSink>();
        services.AddSingleton<Routing.Feedback.RecentDecisions>();
        services.AddSingleton<ICompletionSink, FeedbackSink>();
        services.AddSingleton<ConfigReloader>();
        services.AddHostedService(sp => sp.GetRequiredService<ConfigReloader>());
        if (options.TrimWhenIdle)
        {
            services.AddSingleton<IdleTrimStatus>(); // /healthz?verbose=true shows it
            services.AddHostedService<IdleMemoryTrim>();
        }
        options.ConfigureServices?.Invoke(services);

        var app = builder.Build();
        app.MapGateway();
        return new GatewayHost(app, runtime, metrics, prometheus, TelemetryExport.Start(config.Telemetry, metrics), options.ShutdownGrace);
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = Runtime.Current;
        var logger = _app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Switchboard");
        if (!IPAddress.IsLoopback(IPAddress.TryParse(snapshot.Config.Listeners[0].Address, out var ip) ? ip : IPAddress.Any) && snapshot.Keyring.IsEmpty)
            GatewayLog.ExposedWithoutKeys(logger, snapshot.Config.Listeners[0].Address);
        GatewayLog.Listening(logger, BaseAddress.ToString().TrimEnd('/'), ConfigSummary.Describe(snapshot.Config));
        // The policy uses the semantic stage: say when it is ready (or why not); routing is lexical until then.
        if (((snapshot.Selector.Router as Routing.Feedback.LearningRouteSelector)?.Inner ?? snapshot.Selector.Router) is Routing.EmbeddedRouteSelector embedded
            && snapshot.Selector.Policy is { } policy && embedded.SemanticFor(policy)?.Encoder is { } encoder)
            _ = encoder.EnsureLoading().ContinueWith(_ =>
            {
                if (encoder.IsReady) GatewayLog.SemanticReady(logger, encoder.LoadTime.TotalSeconds);
                else GatewayLog.SemanticUnavailable(logger, encoder.Failure ?? "not loaded");
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>Runs until SIGINT/SIGTERM (or the token), then stops gracefully (<see cref="StopAsync"/>).</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken = default)
    {
        var lifetime = _app.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(lifetime.StopApplication))
        using (lifetime.ApplicationStopping.Register(() => stopping.TrySetResult()))
            await stopping.Task.ConfigureAwait(false);
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops taking requests and lets the ones in flight (streams included) finish, for up to the shutdown grace;
    /// says how many it waits for, and how many were cut if the grace ran out.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        var logger = _app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Switchboard");
        if (Runtime.InFlight is var inFlight and > 0)
            GatewayLog.Draining(logger, Plural.Count(inFlight, "request"), _shutdownGrace.TotalSeconds);
        // Counted when the grace ends, before Kestrel aborts what is left: a token runs its callbacks in reverse order of
        // registration, so the count registered on the deadline after the linked source's own runs before the linked
        // source (and Kestrel's callbacks on it) is cancelled; an abort that unwound at once would otherwise count 0.
        var counted = 0;
        void CountCut()
        {
            if (Interlocked.Exchange(ref counted, 1) == 0) Volatile.Write(ref _requestsCut, Runtime.InFlight);
        }
        using var deadline = new CancellationTokenSource(_shutdownGrace);
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using (deadline.Token.Register(CountCut))
        using (grace.Token.Register(CountCut))
            await _app.StopAsync(grace.Token).ConfigureAwait(false);
        if (RequestsCutAtShutdown is var cut and > 0)
            GatewayLog.RequestsCut(logger, Plural.Count(cut, "request"), _shutdownGrace.TotalSeconds);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync().ConfigureAwait(false);
        _telemetry?.Dispose();
        _prometheus?.Dispose();
        _metrics.Dispose();
        Runtime.Current.Dispose();
    }
}
