using System.Net.Http;
using System.Runtime.CompilerServices;
using Switchboard.Providers;

namespace Switchboard.Tests.Functional.Gateway;

/// <summary>
/// A large request body sent upstream is not kept alive by the connection that sent it once that connection waits idle
/// in the pool (a plain socket keeps its last send's buffer: every idle connection pinned a ~256 KB body array).
/// </summary>
[Trait("Kind", "Functional")]
public sealed class UpstreamBodyReleaseTests
{
    [Fact]
    public async Task An_idle_upstream_connection_does_not_keep_the_last_large_body_it_sent()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson("{}");
        using var client = new HttpMessageInvoker(ProviderRegistry.CreateHandler(TimeSpan.FromSeconds(5)));

        var sent = await SendLargeBodyAsync(client, upstream.BaseUrl);
        for (var i = 0; i < 5 && sent.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(sent.IsAlive, "the pooled upstream connection still references the body it sent");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> SendLargeBodyAsync(HttpMessageInvoker client, Uri baseUrl)
    {
        var body = new byte[200 * 1024];
        body.AsSpan().Fill((byte)' ');
        var sent = new WeakReference(body);
        using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "/v1/chat/completions")) { Content = new ByteArrayContent(body) })
        {
            body = null;
            using var response = await client.SendAsync(request, CancellationToken.None);
            Assert.Equal("{}", await response.Content.ReadAsStringAsync());
        }
        return sent;
    }
}
