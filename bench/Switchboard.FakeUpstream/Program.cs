using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.FakeUpstream;

// fake-upstream --port N [--latency-ms L]
//
// Serves POST .../chat/completions (OpenAI) and POST .../messages (Anthropic) on 127.0.0.1, answering with a fixed
// response after L ms, or, for "stream": true, with a stream of N token chunks M ms apart. The stream shape is
// chosen by the URL, so a gateway config can point different models at different shapes:
//   /v1/chat/completions             10 chunks, 0 ms apart, no latency (the defaults)
//   /s20x5/v1/chat/completions       20 chunks, 5 ms apart
//   /s20x5/l3/v1/messages            20 chunks, 5 ms apart, 3 ms before the response headers
// Chunk i is sent at (headers time + i*M), scheduled against the clock, so timer slop never accumulates.
// Every token chunk's text is "~tk<timestamp> ", the Stopwatch timestamp (CLOCK_MONOTONIC, shared by every process on
// the machine) of the moment it was written, so a load client can time each chunk's one-way trip.

var port = 0;
var defaultLatency = 0;
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--port") port = int.Parse(args[i + 1]);
    if (args[i] == "--latency-ms") defaultLatency = int.Parse(args[i + 1]);
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k =>
{
    k.AddServerHeader = false;
    k.Limits.MaxConcurrentConnections = null;
    k.Limits.MaxConcurrentUpgradedConnections = null;
    k.Listen(IPAddress.Loopback, port);
});
// bench/run.sh runs the fake lean (inline socket completions, as the gateway does): handlers never block here.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1")
    builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
// A provider's ingress is not the gateway's cost: read large bodies in 64 KB blocks (see LargeBlockMemoryPool.cs).
builder.Services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
var app = builder.Build();

app.MapGet("/healthz", () => "ok");
app.MapPost("/{**path}", (HttpContext c) => FakeLlm.HandleAsync(c, defaultLatency));
await app.StartAsync();
Console.WriteLine($"fake-upstream listening on {app.Urls.First()}");
await app.WaitForShutdownAsync();

