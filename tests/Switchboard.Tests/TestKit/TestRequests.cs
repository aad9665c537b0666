using System.Net.Http.Headers;
using System.Text;

namespace Switchboard.Tests.TestKit;

/// <summary>Requests the tests send to a gateway.</summary>
internal static class TestRequests
{
    /// <summary>A POST of <paramref name="json"/> with the given content type (wrong ones are tested too).</summary>
    internal static HttpRequestMessage JsonPost(string path, string json, string contentType = "application/json") =>
        new(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue(contentType)) };
}
