using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Config;
using Switchboard.Hosting;

namespace Switchboard.Tests.TestKit;

/// <summary>The real gateway on Kestrel at 127.0.0.1 (free port), with every log line captured.</summary>
internal sealed class TestGateway : IAsyncDisposable
{
    private TestGateway(GatewayHost host, CapturingLoggerProvider logs)
    {
        Host = host;
        Logs = logs;
        BaseUrl = host.BaseAddress;
        Http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
    }

    public GatewayHost Host { get; }
    public CapturingLoggerProvider Logs { get; }
    public Uri BaseUrl { get; }
    public HttpClient Http { get; }

    /// <param name="services">More services for the gateway's container (a completion sink to watch requests with).</param>
    public static Task<TestGateway> StartAsync(string yaml, IReadOnlyDictionary<string, string>? environment = null, Action<IServiceCollection>? services = null)
    {
        var env = new EnvironmentSource(name => environment?.GetValueOrDefault(name));
        return StartAsync(ConfigLoader.LoadText(yaml, env: env), services);
    }

    /// <summary>From a file on disk: the gateway watches it and reloads on change.</summary>
    public static Task<TestGateway> StartFromFileAsync(string path) => StartAsync(ConfigLoader.LoadFile(path));

    private static Task<TestGateway> StartAsync(ConfigLoadResult load, Action<IServiceCollection>? services = null) =>
        load.Succeeded ? StartAsync(load.Config!, services) : throw new ConfigException("test config", load.Diagnostics);

    /// <summary>From a config built in code (the built-in config `up` uses when there is no file).</summary>
    public static async Task<TestGateway> StartAsync(GatewayConfig config, Action<IServiceCollection>? services = null)
    {
        var logs = new CapturingLoggerProvider();
        var host = GatewayHost.Create(config, new GatewayHostOptions
        {
            Port = 0,
            ConfigureLogging = b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug),
            // As `up` runs it when the test process has inline socket completions on (test.sh turns them on).
            InlineIo = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1",
            ConfigureServices = services,
        });
        await host.StartAsync();
        return new TestGateway(host, logs);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.StopAsync();
        await Host.DisposeAsync();
    }
}

/// <summary>Keeps every formatted log line (with exceptions) so tests can assert on them.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    /// <summary>Waits (30 s by default: a loaded CI machine) for a line containing <paramref name="text"/> (the request log is written as the response completes).</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            var line = _lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null) return line;
            await Task.Delay(20);
        }
        throw new Xunit.Sdk.XunitException($"no log line containing '{text}'. Lines:\n{string.Join('\n', _lines)}");
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}");
    }
}

internal static class Yaml
{
    /// <summary>A config with one OpenAI-format and one Anthropic-format provider pointing at fakes.</summary>
    public static string TwoProviders(Uri openAI, Uri anthropic, string extra = "") => $"""
        version: v1
        model_providers:
          - model: openai/gpt-4.1
            access_key: $OPENAI_API_KEY
            base_url: {openAI.ToString().TrimEnd('/')}/v1
            default: true
          - model: anthropic/claude-sonnet-4-5
            access_key: $ANTHROPIC_API_KEY
            base_url: {anthropic.ToString().TrimEnd('/')}
        {extra}
        """;

    public static readonly IReadOnlyDictionary<string, string> Keys = new Dictionary<string, string>
    {
        ["OPENAI_API_KEY"] = "sk-test-openai-SECRET-1111",
        ["ANTHROPIC_API_KEY"] = "sk-ant-test-SECRET-2222",
    };
}
