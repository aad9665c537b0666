using System.Buffers;
using System.Text;
using System.Text.Json;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.Responses;

/// <summary>
/// The hosted-by-the-client <c>local_shell</c> tool (Codex runs the command): declared upstream as a function whose
/// arguments are the exec action's fields, its calls brought back as <c>local_shell_call</c> items.
/// </summary>
internal static class LocalShell
{
    public const string FunctionName = "local_shell";

    public const string Description = "Runs a shell command on the user's machine and returns its output. Give the command as an argv array (e.g. [\"bash\", \"-lc\", \"ls\"]).";

    public static ReadOnlySpan<byte> ParametersSchema =>
        """{"type":"object","properties":{"command":{"type":"array","items":{"type":"string"}},"workdir":{"type":"string"},"timeout_ms":{"type":"integer"}},"required":["command"]}"""u8;

    /// <summary>A local_shell_call's action → the function's arguments.</summary>
    public static string ArgumentsFromAction(JsonElement action)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
        {
            json.WriteStartObject();
            if (action.ValueKind == JsonValueKind.Object)
            {
                if (action.TryGetProperty("command"u8, out var command)) { json.WritePropertyName("command"u8); command.WriteTo(json); }
                if (action.TryGetProperty("working_directory"u8, out var dir) && dir.ValueKind == JsonValueKind.String) json.WriteString("workdir"u8, dir.GetString());
                if (action.TryGetProperty("timeout_ms"u8, out var timeout) && timeout.ValueKind == JsonValueKind.Number) { json.WritePropertyName("timeout_ms"u8); timeout.WriteTo(json); }
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The function's arguments → a local_shell_call's action (an exec); arguments that are not JSON give an empty command.</summary>
    public static void WriteAction(Utf8JsonWriter json, string arguments)
    {
        json.WriteStartObject("action"u8);
        json.WriteString("type"u8, "exec"u8);
        JsonDocument? document = null;
        try { document = JsonDocument.Parse(arguments); } catch (JsonException) { }
        using (document)
        {
            var root = document?.RootElement ?? default;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("command"u8, out var command) && command.ValueKind == JsonValueKind.Array)
            {
                json.WritePropertyName("command"u8);
                command.WriteTo(json);
            }
            else
            {
                json.WriteStartArray("command"u8);
                json.WriteEndArray();
            }
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("workdir"u8, out var dir) && dir.ValueKind == JsonValueKind.String) json.WriteString("working_directory"u8, dir.GetString());
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("timeout_ms"u8, out var timeout) && timeout.ValueKind == JsonValueKind.Number) { json.WritePropertyName("timeout_ms"u8); timeout.WriteTo(json); }
        }
        json.WriteStartObject("env"u8);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
