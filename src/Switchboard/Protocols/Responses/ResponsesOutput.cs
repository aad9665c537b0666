using System.Buffers;
using System.Text.Json;

namespace Switchboard.Protocols.Responses;

/// <summary>The kinds of output item the gateway produces from a Chat-form answer.</summary>
internal enum OutputItemKind
{
    Message,
    Reasoning,
    FunctionCall,
    CustomToolCall,
    LocalShellCall,
}

/// <summary>
/// One output item of a response being built: its ids, and its text (message text, reasoning summary, or a call's
/// arguments) as unescaped UTF-8, appended to as deltas arrive.
/// </summary>
internal sealed class OutputItem(OutputItemKind kind, string id)
{
    public OutputItemKind Kind { get; } = kind;
    public string Id { get; } = id;
    public string? CallId { get; init; }
    public string? Name { get; init; }
    public string? Namespace { get; init; }
    public bool Done { get; set; }
    public ArrayBufferWriter<byte> Text { get; } = new(256);

    public void Append(ReadOnlySpan<byte> utf8) => Text.Write(utf8);

    public static OutputItem Call(ResponsesTool tool, string callId) => tool.Kind switch
    {
        ResponsesToolKind.Custom => new OutputItem(OutputItemKind.CustomToolCall, ResponsesWire.NewItemId("ctc")) { CallId = callId, Name = tool.Name },
        ResponsesToolKind.LocalShell => new OutputItem(OutputItemKind.LocalShellCall, ResponsesWire.NewItemId("lsc")) { CallId = callId, Name = tool.Name },
        _ => new OutputItem(OutputItemKind.FunctionCall, ResponsesWire.NewItemId("fc")) { CallId = callId, Name = tool.Name, Namespace = tool.Namespace },
    };

    /// <summary>A custom tool's plain input: the one string argument the upstream function was given (the raw arguments when they are not that).</summary>
    public string CustomInput()
    {
        var arguments = Text.WrittenSpan;
        try
        {
            var reader = new Utf8JsonReader(arguments);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                string? only = null;
                var count = 0;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    count++;
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String) only = reader.GetString();
                    else reader.Skip();
                }
                // Models sometimes rename the one parameter; one string value is the input whatever its name.
                if (count == 1 && only is not null) return only;
            }
        }
        catch (JsonException)
        {
        }
        return System.Text.Encoding.UTF8.GetString(arguments);
    }

    /// <summary>The item as the Responses API shows it (in output_item.done and the final response).</summary>
    public void WriteTo(Utf8JsonWriter json, bool done = true)
    {
        json.WriteStartObject();
        switch (Kind)
        {
            case OutputItemKind.Message:
                json.WriteString("id"u8, Id);
                json.WriteString("type"u8, "message"u8);
                json.WriteString("status"u8, done ? "completed"u8 : "in_progress"u8);
                json.WriteString("role"u8, "assistant"u8);
                json.WriteStartArray("content"u8);
                if (done)
                {
                    WriteTextPart(json, Text.WrittenSpan);
                }
                json.WriteEndArray();
                break;
            case OutputItemKind.Reasoning:
                json.WriteString("id"u8, Id);
                json.WriteString("type"u8, "reasoning"u8);
                json.WriteStartArray("summary"u8);
                if (done)
                {
                    json.WriteStartObject();
                    json.WriteString("type"u8, "summary_text"u8);
                    json.WriteString("text"u8, Text.WrittenSpan);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                break;
            case OutputItemKind.FunctionCall:
                json.WriteString("id"u8, Id);
                json.WriteString("type"u8, "function_call"u8);
                json.WriteString("status"u8, done ? "completed"u8 : "in_progress"u8);
                json.WriteString("call_id"u8, CallId);
                json.WriteString("name"u8, Name);
                if (Namespace is not null) json.WriteString("namespace"u8, Namespace);
                json.WriteString("arguments"u8, done ? Text.WrittenSpan : default);
                break;
            case OutputItemKind.CustomToolCall:
                json.WriteString("id"u8, Id);
                json.WriteString("type"u8, "custom_tool_call"u8);
                json.WriteString("status"u8, done ? "completed"u8 : "in_progress"u8);
                json.WriteString("call_id"u8, CallId);
                json.WriteString("name"u8, Name);
                json.WriteString("input"u8, done ? CustomInput() : "");
                break;
            case OutputItemKind.LocalShellCall:
                json.WriteString("id"u8, Id);
                json.WriteString("type"u8, "local_shell_call"u8);
                json.WriteString("status"u8, done ? "completed"u8 : "in_progress"u8);
                json.WriteString("call_id"u8, CallId);
                LocalShell.WriteAction(json, done ? System.Text.Encoding.UTF8.GetString(Text.WrittenSpan) : "{}");
                break;
        }
        json.WriteEndObject();
    }

    public static void WriteTextPart(Utf8JsonWriter json, ReadOnlySpan<byte> text)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "output_text"u8);
        json.WriteString("text"u8, text);
        json.WriteStartArray("annotations"u8);
        json.WriteEndArray();
        json.WriteStartArray("logprobs"u8);
        json.WriteEndArray();
        json.WriteEndObject();
    }
}

/// <summary>Usage as the Responses API reports it, with the detail counts Chat usage carries.</summary>
internal struct ResponsesUsage
{
    public long? InputTokens;
    public long? OutputTokens;
    public long? CachedTokens;
    public long? ReasoningTokens;

    public readonly TokenUsage ToTokenUsage() => new(InputTokens, OutputTokens, CachedTokens);

    public readonly void WriteTo(Utf8JsonWriter json)
    {
        if (InputTokens is null && OutputTokens is null)
        {
            json.WriteNull("usage"u8);
            return;
        }
        long input = InputTokens ?? 0, output = OutputTokens ?? 0;
        json.WriteStartObject("usage"u8);
        json.WriteNumber("input_tokens"u8, input);
        json.WriteStartObject("input_tokens_details"u8);
        json.WriteNumber("cached_tokens"u8, CachedTokens ?? 0);
        json.WriteEndObject();
        json.WriteNumber("output_tokens"u8, output);
        json.WriteStartObject("output_tokens_details"u8);
        json.WriteNumber("reasoning_tokens"u8, ReasoningTokens ?? 0);
        json.WriteEndObject();
        json.WriteNumber("total_tokens"u8, input + output);
        json.WriteEndObject();
    }

    /// <summary>Reads a Chat usage object (prompt/completion tokens and their details).</summary>
    public static ResponsesUsage FromChat(JsonElement usage)
    {
        var result = new ResponsesUsage();
        if (usage.ValueKind != JsonValueKind.Object) return result;
        result.InputTokens = Long(usage, "prompt_tokens"u8);
        result.OutputTokens = Long(usage, "completion_tokens"u8);
        if (usage.TryGetProperty("prompt_tokens_details"u8, out var prompt) && prompt.ValueKind == JsonValueKind.Object) result.CachedTokens = Long(prompt, "cached_tokens"u8);
        if (usage.TryGetProperty("completion_tokens_details"u8, out var completion) && completion.ValueKind == JsonValueKind.Object) result.ReasoningTokens = Long(completion, "reasoning_tokens"u8);
        return result;
    }

    private static long? Long(JsonElement element, ReadOnlySpan<byte> name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var v) ? v : null;
}

/// <summary>The response object (<c>"object": "response"</c>): what a non-streamed answer is, and what the stream's lifecycle events carry.</summary>
internal static class ResponseObject
{
    /// <param name="status">in_progress, completed, incomplete or failed.</param>
    /// <param name="incompleteReason">max_output_tokens or content_filter when status is incomplete.</param>
    /// <param name="error">The message when status is failed.</param>
    public static void Write(Utf8JsonWriter json, string id, long createdAt, string model, string status, IReadOnlyList<OutputItem>? items,
        in ResponsesUsage usage, string? incompleteReason = null, string? error = null, string errorCode = "server_error")
    {
        json.WriteStartObject();
        json.WriteString("id"u8, id);
        json.WriteString("object"u8, "response"u8);
        json.WriteNumber("created_at"u8, createdAt);
        json.WriteString("status"u8, status);
        if (error is not null)
        {
            json.WriteStartObject("error"u8);
            json.WriteString("code"u8, errorCode);
            json.WriteString("message"u8, error);
            json.WriteEndObject();
        }
        else json.WriteNull("error"u8);
        if (incompleteReason is not null)
        {
            json.WriteStartObject("incomplete_details"u8);
            json.WriteString("reason"u8, incompleteReason);
            json.WriteEndObject();
        }
        else json.WriteNull("incomplete_details"u8);
        json.WriteString("model"u8, model);
        json.WriteStartArray("output"u8);
        if (items is not null)
            foreach (var item in items) item.WriteTo(json);
        json.WriteEndArray();
        json.WriteBoolean("parallel_tool_calls"u8, true);
        json.WriteString("tool_choice"u8, "auto"u8);
        json.WriteStartArray("tools"u8);
        json.WriteEndArray();
        json.WriteBoolean("store"u8, false);
        json.WriteStartObject("text"u8);
        json.WriteStartObject("format"u8);
        json.WriteString("type"u8, "text"u8);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteString("truncation"u8, "disabled"u8);
        json.WriteStartObject("metadata"u8);
        json.WriteEndObject();
        usage.WriteTo(json);
        json.WriteEndObject();
    }

    /// <summary>The Responses status and incomplete reason for a Chat finish_reason.</summary>
    public static (string Status, string? IncompleteReason) FromFinishReason(string? finishReason) => finishReason switch
    {
        "length" => ("incomplete", "max_output_tokens"),
        "content_filter" => ("incomplete", "content_filter"),
        _ => ("completed", null),
    };
}
