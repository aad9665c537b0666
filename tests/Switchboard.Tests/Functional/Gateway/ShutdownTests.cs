using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>The real process: SIGTERM lets in-flight streams finish, then exits 0; start-up problems are one clear sentence.</summary>
[Trait("Kind", "Functional")]
public sealed class ShutdownTests
{
    private const string StreamRequest = """{"model":"gpt-4.1","stream":true,"messages":[{"role":"user","content":"x"}]}""";

    private static string ConfigFor(FakeUpstream upstream) =>
        $"model_providers:\n  - model: openai/gpt-4.1\n    access_key: k\n    base_url: {upstream.BaseUrl}v1\n    default: true\n";

    /// <summary>An OpenAI upstream that streams one chunk ("partial"), then waits for <paramref name="rest"/> to finish the stream.</summary>
    private static void StreamPartialThen(FakeUpstream upstream, Func<HttpContext, Task> rest) => upstream.Handler = async (c, _) =>
    {
        c.Response.ContentType = "text/event-stream";
        await c.Response.WriteAsync("data: {\"id\":\"1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial\"}}]}\n\n");
        await c.Response.Body.FlushAsync();
        await rest(c);
    };

    /// <summary>Starts the streaming request and reads its first chunk: from here on, a stream is in flight.</summary>
    private static async Task<StreamReader> StartStreamAsync(HttpClient http)
    {
        var response = await http.SendAsync(JsonPost("/v1/chat/completions", StreamRequest), HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Contains("partial", await reader.ReadLineAsync());
        return reader;
    }

    /// <summary>
    /// A real `switchboard up` with a slow stream in flight: the signal makes it say what it waits for, the stream
    /// finishes whole, and "Switchboard stopped." is the very last line, after that request's own log line.
    /// </summary>
    [Theory]
    [InlineData(GatewayProcess.SIGTERM)]
    [InlineData(GatewayProcess.SIGINT)]
    public async Task A_stop_signal_drains_the_in_flight_stream_and_says_stopped_last(int signal)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var release = new TaskCompletionSource();
        StreamPartialThen(upstream, async c =>
        {
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await c.Response.WriteAsync("data: {\"id\":\"1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" and the rest\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        });
        var dir = Directory.CreateTempSubdirectory("sb-shutdown-");
        var config = Path.Combine(dir.FullName, "config.yaml");
        await File.WriteAllTextAsync(config, ConfigFor(upstream));
        var port = GatewayProcess.FreePort();
        // Standard error joins standard output in one pipe, so the output keeps the order the lines were written in.
        // SIGINT back to its default first: a test run started in the background by a shell without job control
        // inherits it ignored, and a process that starts with SIGINT ignored keeps ignoring it (.NET installs no handler
        // for it then, as the shells' convention for background jobs wants), so the gateway would never hear it.
        await using var gateway = GatewayProcess.StartProgram("/bin/sh", ["-c", "exec env --default-signal=INT dotnet \"$0\" \"$@\" 2>&1", GatewayProcess.CliDll, "up", "--config", config, "--port", port.ToString()]);
        await gateway.WaitForOutputAsync("listening on");

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var reader = await StartStreamAsync(http);

        gateway.Signal(signal);
        await gateway.WaitForOutputAsync("Switchboard stopping: waiting for 1 request in flight to finish (up to 30 s)");
        Assert.False(gateway.HasExited, "the gateway must wait for the in-flight stream");
        Assert.DoesNotContain("stopped", gateway.Output);
        release.SetResult();
        var rest = await reader.ReadToEndAsync();
        Assert.Contains("and the rest", rest);
        Assert.Contains("[DONE]", rest);
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var lines = gateway.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("Switchboard stopped.", lines[^1]);
        Assert.Single(lines, l => l.Contains("status=200") && l.Contains("stream=True"));
        dir.Delete(true);
    }

    /// <summary>A stream that outlives the grace is cut, and the gateway says so rather than claiming a clean stop.</summary>
    [Fact]
    public async Task A_stream_that_outlives_the_grace_is_cut_and_counted()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        StreamPartialThen(upstream, c => Task.Delay(Timeout.Infinite, c.RequestAborted));
        var load = Switchboard.Config.ConfigLoader.LoadText(ConfigFor(upstream));
        var logs = new CapturingLoggerProvider();
        await using var host = Switchboard.Hosting.GatewayHost.Create(load.Config!, new Switchboard.Hosting.GatewayHostOptions
        {
            Port = 0,
            ShutdownGrace = TimeSpan.FromSeconds(1),
            ConfigureLogging = b => b.AddProvider(logs),
        });
        await host.StartAsync();
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        using var reader = await StartStreamAsync(http);
        Assert.Equal(1, host.Runtime.InFlight);

        await host.StopAsync();

        Assert.Equal(1, host.RequestsCutAtShutdown);
        await logs.WaitForLineAsync("cut 1 request still running when the 1 s shutdown grace ran out");
        await LiveOutput.WaitUntilAsync(() => host.Runtime.InFlight == 0, "the cut request to unwind");
    }

    [Fact]
    public async Task A_port_in_use_and_a_bad_config_are_one_clear_sentence_each()
    {
        using var blocker = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        var dir = Directory.CreateTempSubdirectory("sb-start-");
        var good = Path.Combine(dir.FullName, "good.yaml");
        await File.WriteAllTextAsync(good, "model_providers:\n  - model: openai/gpt-4.1\n    access_key: k\n    default: true\n");
        await using (var busy = GatewayProcess.Start(["up", "--config", good, "--port", port.ToString()]))
        {
            Assert.Equal(1, await busy.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains($"Cannot listen on 127.0.0.1:{port}: the port is already in use", busy.Output);
            Assert.DoesNotContain("   at ", busy.Output);
        }

        var bad = Path.Combine(dir.FullName, "bad.yaml");
        await File.WriteAllTextAsync(bad, "model_providers:\n  - model: openai/gpt-4.1\n    default: true\n  - model: nowhere/model\n");
        await using (var invalid = GatewayProcess.Start(["up", "--config", bad]))
        {
            Assert.Equal(1, await invalid.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("bad.yaml: error: line 4: provider 'nowhere' is not one Switchboard knows", invalid.Output);
            Assert.DoesNotContain("   at ", invalid.Output);
        }
        await using (var validate = GatewayProcess.Start(["validate", "--config", bad]))
            Assert.Equal(1, await validate.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await using (var validate = GatewayProcess.Start(["validate", "--config", good]))
        {
            Assert.Equal(0, await validate.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("OK", validate.Output);
        }
        await using (var usage = GatewayProcess.Start(["up", "--no-such-flag"]))
            Assert.Equal(2, await usage.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        dir.Delete(true);
    }
}
