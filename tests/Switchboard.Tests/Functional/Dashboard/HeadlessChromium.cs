using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Tests.Functional.Dashboard;

/// <summary>A [Fact] that is skipped, saying why, when no Chromium binary is on PATH (.ci/run installs Debian's `chromium`).</summary>
[Trait("Kind", "Functional")]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessChromium.FindBinary() is null)
            Skip = "headless Chromium not found on PATH (chromium, chromium-browser, google-chrome): install it with `apt-get install -y --no-install-recommends chromium` (.ci/run does).";
    }
}

/// <summary>
/// Debian's chromium in headless mode, driven over the Chrome DevTools Protocol with a plain ClientWebSocket
/// (no npm, no Playwright): navigate, evaluate JavaScript, take a screenshot. One page, one caller at a time.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket;
    private int _nextId;

    private HeadlessChromium(Process process, string profile, ClientWebSocket socket) => (_process, _profile, _socket) = (process, profile, socket);

    public static string? FindBinary() =>
        new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(name => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(dir => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);

    public static async Task<HeadlessChromium> StartAsync()
    {
        var binary = FindBinary() ?? throw new InvalidOperationException("chromium not found");
        var profile = Directory.CreateTempSubdirectory("sb-chromium-").FullName;
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            ArgumentList = { "--headless=new", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions", "--disable-dev-shm-usage",
                             "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1", $"--user-data-dir={profile}", "--window-size=1400,1000", "about:blank" },
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Chromium writes the port it picked into DevToolsActivePort in its profile.
        var portFile = Path.Combine(profile, "DevToolsActivePort");
        var deadline = DateTime.UtcNow + StartTimeout;
        string? port = null;
        while (port is null)
        {
            if (process.HasExited) throw new InvalidOperationException($"chromium exited with code {process.ExitCode} before opening its DevTools port");
            if (DateTime.UtcNow > deadline) throw new TimeoutException("chromium did not open its DevTools port within 60 s");
            try { port = File.Exists(portFile) ? File.ReadAllLines(portFile).FirstOrDefault(l => l.Length > 0) : null; } catch (IOException) { }
            if (port is null) await Task.Delay(100);
        }
        using var http = new HttpClient();
        var targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
        var page = targets.First(t => (string?)t!["type"] == "page")!;
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), CancellationToken.None);
        return new HeadlessChromium(process, profile, socket);
    }

    public async Task NavigateAsync(Uri url) => await SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() });

    /// <summary>Runs <paramref name="expression"/> in the page and returns its value as JSON.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true });
        if (result.TryGetProperty("exceptionDetails", out var exception)) throw new InvalidOperationException($"page threw: {exception}");
        return result.GetProperty("result").TryGetProperty("value", out var value) ? value.Clone() : default;
    }

    /// <summary>Polls <paramref name="expression"/> until it is true; on timeout fails with <paramref name="describe"/>'s value.</summary>
    public async Task WaitForAsync(string expression, string describe, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!(await EvaluateAsync(expression) is { ValueKind: JsonValueKind.True }))
        {
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"timed out waiting for `{expression}` in the page; {describe}: {await EvaluateAsync(describe)}");
            await Task.Delay(100);
        }
    }

    /// <summary>The titles of the page's sections whose content is wider than they are (cut off, behind a scroll bar).</summary>
    public async Task<string> ClippedSectionsAsync() => (await EvaluateAsync(
        "[...document.querySelectorAll('main section')].filter(s => s.scrollWidth > s.clientWidth).map(s => s.querySelector('h2')?.textContent).join(', ')")).GetString()!;

    public async Task<byte[]> ScreenshotAsync()
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true });
        return Convert.FromBase64String(result.GetProperty("data").GetString()!);
    }

    private async Task<JsonElement> SendAsync(string method, JsonObject parameters)
    {
        var id = ++_nextId;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters }.ToJsonString();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var text = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await _socket.ReceiveAsync(buffer, timeout.Token);
                text.Write(buffer, 0, received.Count);
            } while (!received.EndOfMessage);
            using var reply = JsonDocument.Parse(text.ToArray());
            if (!reply.RootElement.TryGetProperty("id", out var replyId) || replyId.GetInt32() != id) continue; // an event, or an older reply
            if (reply.RootElement.TryGetProperty("error", out var error)) throw new InvalidOperationException($"{method}: {error}");
            return reply.RootElement.GetProperty("result").Clone();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try { await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2)); } catch (Exception) { }
        _socket.Dispose();
        try { _process.Kill(entireProcessTree: true); await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception) { }
        _process.Dispose();
        try { Directory.Delete(_profile, recursive: true); } catch (Exception) { }
    }
}
