using System.Text.Json.Serialization;

namespace Switchboard.Observability;

/// <summary>RequestEvent on the wire (snake_case), shared by the gateway's admin endpoints and the CLI that reads them.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RequestEvent))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
