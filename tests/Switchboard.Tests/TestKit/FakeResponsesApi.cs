using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Switchboard.Tests.TestKit;

/// <summary>
/// Makes a <see cref="FakeUpstream"/> speak the OpenAI Responses API (<c>POST /v1/responses</c>) as OpenAI does: a whole
/// <c>response</c> object, or with <c>stream: true</c> its typed event stream (response.created, output_item.added,
/// output_text / reasoning_summary_text / function_call_arguments deltas, output_item.done, response.completed or
/// response.incomplete), every event with its sequence_number; optionally cut short before the final event.
/// </summary>
internal static class FakeResponsesApi
{
    public static JsonObject Reasoning(string id, string summary, string encryptedContent) => new()
    {
        ["id"] = id, ["type"] = "reasoning",
        ["summary"] = summary.Length == 0 ? new JsonArray() : new JsonArray(new JsonObject { ["type"] = "summary_text", ["text"] = summary }),
        ["encrypted_content"] = encryptedContent,
    };

    public static JsonObject Message(string id, string text) => new()
    {
        ["id"] = id, ["type"] = "message", ["status"] = "completed", ["role"] = "assistant",
        ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = text, ["annotations"] = new JsonArray() }),
    };

    public static JsonObject FunctionCall(string id, string callId, string name, string arguments) => new()
    {
        ["id"] = id, ["type"] = "function_call", ["status"] = "completed", ["call_id"] = callId, ["name"] = name, ["arguments"] = arguments,
    };

    /// <summary>The whole response object.</summary>
    public static JsonObject Response(string id, string model, IEnumerable<JsonObject> output, string status = "completed",
        int inputTokens = 20, int cachedTokens = 0, int outputTokens = 10, int reasoningTokens = 0) => new()
    {
        ["id"] = id, ["object"] = "response", ["created_at"] = 1700000000, ["status"] = status, ["model"] = model, ["error"] = null,
        ["incomplete_details"] = status == "incomplete" ? new JsonObject { ["reason"] = "max_output_tokens" } : null,
        ["output"] = new JsonArray(output.Select(o => (JsonNode)o.DeepClone()).ToArray()),
        ["usage"] = new JsonObject
        {
            ["input_tokens"] = inputTokens, ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = cachedTokens },
            ["output_tokens"] = outputTokens, ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = reasoningTokens },
            ["total_tokens"] = inputTokens + outputTokens,
        },
    };

    /// <summary>The response's event stream, as OpenAI sends it (text and arguments in two pieces each).</summary>
    public static List<string> Events(JsonObject response, bool truncate = false)
    {
        var events = new List<string>();
        int sequence = 0;
        void Add(string type, JsonObject data)
        {
            data = new JsonObject(new[] { KeyValuePair.Create<string, JsonNode?>("type", type), KeyValuePair.Create<string, JsonNode?>("sequence_number", sequence++) }
                .Concat(data.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))));
            events.Add($"event: {type}\ndata: {data.ToJsonString()}\n\n");
        }
        JsonObject head = (JsonObject)response.DeepClone();
        head["status"] = "in_progress";
        head["output"] = new JsonArray();
        head["usage"] = null;
        Add("response.created", new JsonObject { ["response"] = head });
        Add("response.in_progress", new JsonObject { ["response"] = head.DeepClone() });
        int index = 0;
        foreach (JsonObject item in response["output"]!.AsArray().Cast<JsonObject>())
        {
            string id = (string)item["id"]!;
            JsonObject added = (JsonObject)item.DeepClone();
            switch ((string)item["type"]!)
            {
                case "message":
                    added["content"] = new JsonArray();
                    added["status"] = "in_progress";
                    Add("response.output_item.added", new JsonObject { ["output_index"] = index, ["item"] = added });
                    string text = (string)item["content"]![0]!["text"]!;
                    foreach (string piece in Halves(text))
                        Add("response.output_text.delta", new JsonObject { ["item_id"] = id, ["output_index"] = index, ["content_index"] = 0, ["delta"] = piece, ["logprobs"] = new JsonArray() });
                    Add("response.output_text.done", new JsonObject { ["item_id"] = id, ["output_index"] = index, ["content_index"] = 0, ["text"] = text });
                    break;
                case "reasoning":
                    added["summary"] = new JsonArray();
                    added.Remove("encrypted_content");
                    Add("response.output_item.added", new JsonObject { ["output_index"] = index, ["item"] = added });
                    int part = 0;
                    foreach (JsonNode? summary in item["summary"]!.AsArray())
                    {
                        foreach (string piece in Halves((string)summary!["text"]!))
                            Add("response.reasoning_summary_text.delta", new JsonObject { ["item_id"] = id, ["output_index"] = index, ["summary_index"] = part, ["delta"] = piece });
                        part++;
                    }
                    break;
                case "function_call":
                    added["arguments"] = "";
                    added["status"] = "in_progress";
                    Add("response.output_item.added", new JsonObject { ["output_index"] = index, ["item"] = added });
                    foreach (string piece in Halves((string)item["arguments"]!))
                        Add("response.function_call_arguments.delta", new JsonObject { ["item_id"] = id, ["output_index"] = index, ["delta"] = piece });
                    Add("response.function_call_arguments.done", new JsonObject { ["item_id"] = id, ["output_index"] = index, ["arguments"] = item["arguments"]!.DeepClone() });
                    break;
            }
            Add("response.output_item.done", new JsonObject { ["output_index"] = index, ["item"] = item.DeepClone() });
            index++;
        }
        if (!truncate)
            Add((string)response["status"]! == "incomplete" ? "response.incomplete" : "response.completed", new JsonObject { ["response"] = response.DeepClone() });
        return events;
    }

    /// <summary>Answers every request with <paramref name="response"/>: whole, or streamed when the request asks.</summary>
    public static void Serve(FakeUpstream upstream, JsonObject response, bool truncateStream = false) => upstream.Handler = async (context, request) =>
    {
        bool stream = request.Json.RootElement.TryGetProperty("stream", out var s) && s.ValueKind == System.Text.Json.JsonValueKind.True;
        if (!stream)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(response.ToJsonString());
            return;
        }
        context.Features.Get<IHttpResponseBodyFeature>()!.DisableBuffering();
        context.Response.ContentType = "text/event-stream";
        foreach (string ev in Events(response, truncateStream))
        {
            await context.Response.WriteAsync(ev, Encoding.UTF8, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    };

    /// <summary>An error as OpenAI's /v1/responses answers it.</summary>
    public static string Error(string message, string type = "invalid_request_error", string? param = null, string? code = null) =>
        new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code } }.ToJsonString();

    private static IEnumerable<string> Halves(string text) =>
        text.Length < 2 ? [text] : [text[..(text.Length / 2)], text[(text.Length / 2)..]];
}
