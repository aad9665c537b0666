using System.Text.Json.Serialization;

namespace Switchboard.Tests.TestKit;

/// <summary>Source-generated JSON for test fakes (reflection-based serialization is off in this solution).</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class TestJsonContext : JsonSerializerContext;
