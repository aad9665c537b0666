using System.Buffers;
using System.IO.Hashing;
using System.Text.Json;
using Switchboard.Pipeline;

namespace Switchboard.Caching;

/// <summary>
/// The cache key of a request: a 128-bit hash of the client API, the operation, the model that answers, and the body
/// minified with its top-level fields in name order, leaving out what does not change the answer (stream flags,
/// metadata, the end user's id, storage flags). Nested objects keep their order: an exact match.
/// </summary>
internal static class CacheKey
{
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal)
    {
        "stream", "stream_options", "metadata", "user", "store", "service_tier", "safety_identifier", "prompt_cache_key", "prompt_cache_retention",
    };

    public static string Of(GatewayRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>(request.Body?.Length ?? 256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("api"u8, (int)request.Client);
            writer.WriteNumber("op"u8, (int)request.Operation);
            writer.WriteString("answered_by"u8, request.Selection!.Model);
            var root = request.Root;
            var names = new List<string>();
            foreach (var property in root.EnumerateObject())
                if (!Ignored.Contains(property.Name)) names.Add(property.Name);
            names.Sort(StringComparer.Ordinal);
            foreach (var name in names)
            {
                writer.WritePropertyName(name);
                root.GetProperty(name).WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        var hash = XxHash128.HashToUInt128(buffer.WrittenSpan);
        return "sb:cache:" + hash.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);
    }
}
