using System.Net;
using Microsoft.AspNetCore.Http;
using Switchboard.Tests.Infrastructure;
using static Switchboard.Tests.Server.PassthroughTests;

namespace Switchboard.Tests.Server;

/// <summary>The real process: SIGTERM lets in-flight streams finish, then exits 0; start-up problems are one clear sentence.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Sigterm_lets_an_in_flight_stream_finish_then_exits_zero()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var release = new TaskCompletionSource();
        upstream.Handler = async (c, _) =>
        {
            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync("data: {\"id\":\"1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial\"}}]}\n\n");
            await c.Response.Body.FlushAsync();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await c.Response.WriteAsync("data: {\"id\":\"1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" and the rest\"}}]}\n\ndata: [DONE]\n\n");
        };
        var dir = Directory.CreateTempSubdirectory("sb-shutdown-");
        var config = Path.Combine(dir.FullName, "config.yaml");
        await File.WriteAllTextAsync(config, $"model_providers:\n  - model: openai/gpt-4.1\n    access_key: k\n    base_url: {upstream.BaseUrl}v1\n    default: true\n");
        var port = GatewayProcess.FreePort();
        await using var gateway = GatewayProcess.Start(["up", "--config", config, "--port", port.ToString()]);
        await gateway.WaitForOutputAsync("listening on");

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var response = await http.SendAsync(JsonPost("/v1/chat/completions", """{"model":"gpt-4.1","stream":true,"messages":[{"role":"user","content":"x"}]}"""), HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Contains("partial", await reader.ReadLineAsync());

        gateway.Signal(GatewayProcess.SIGTERM);
        await Task.Delay(300);
        Assert.False(gateway.HasExited, "the gateway must wait for the in-flight stream");
        release.SetResult();
        var rest = await reader.ReadToEndAsync();
        Assert.Contains("and the rest", rest);
        Assert.Contains("[DONE]", rest);
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Switchboard stopped.", gateway.Output);
        dir.Delete(true);
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
