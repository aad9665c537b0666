using System.Text;
using System.Text.Json;
using Switchboard.Protocols.Anthropic;
using Switchboard.Protocols.OpenAIChat;
using static Switchboard.Protocols.JsonFields;

namespace Switchboard.Protocols.Translation;

/// <summary>
/// What the request translators share about content: the refusal for content a target has no equivalent for (named by
/// its type; the gateway tries the next fallback, then answers 400 in the client's format), and the text renderings of
/// Anthropic blocks that carry only text. Nothing a client sends is dropped without a documented reason
/// (Protocols/README.md, "Content").
/// </summary>
internal static class ContentRules
{
    /// <summary>An Anthropic content block the target cannot take.</summary>
    public static UnsupportedByTargetException Block(string? type, ApiFormat target, string? why = null) =>
        Refuse("content block", type, target, why);

    /// <summary>An OpenAI content part (or message role) the target cannot take.</summary>
    public static UnsupportedByTargetException Part(string? type, ApiFormat target, string? why = null) =>
        Refuse("content part", type, target, why);

    public static UnsupportedByTargetException Role(string? role, ApiFormat target) =>
        Refuse("message role", role, target, "only system, developer, user, assistant and tool messages are translated");

    private static UnsupportedByTargetException Refuse(string kind, string? type, ApiFormat target, string? why) =>
        new($"{kind} type '{type ?? "(none)"}' has no equivalent in {ApiName(target)}{(why is null ? "" : $" ({why})")}: remove it, or send the request to a model that takes it.");

    private static string ApiName(ApiFormat api) => api switch
    {
        ApiFormat.Anthropic => "the Anthropic Messages API",
        ApiFormat.OpenAI => "the OpenAI Chat Completions API",
        ApiFormat.Responses => "the OpenAI Responses API",
        _ => "Gemini's generateContent API",
    };

    /// <summary>
    /// OpenAI message content that can only be text: a string, or text parts (system, developer and tool messages;
    /// assistant messages may also hold refusal parts).
    /// </summary>
    public static string OpenAIText(JsonElement content, ApiFormat target, bool assistant = false)
    {
        if (content.ValueKind == JsonValueKind.String) return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array) return "";
        var parts = new List<string>();
        foreach (JsonElement part in content.EnumerateArray())
        {
            string? text = Str(part, "type"u8) switch
            {
                "text" => Str(part, "text"u8),
                "refusal" when assistant => Str(part, "refusal"u8),
                var other => throw Part(other, target, assistant ? "assistant messages take text and refusal parts" : "system, developer and tool messages take text"),
            };
            if (!string.IsNullOrEmpty(text)) parts.Add(text);
        }
        return string.Join("\n", parts);
    }

    /// <summary>
    /// An OpenAI <c>file</c> part's bytes: file_data as a data URL (bare base64 is taken for a PDF when the filename says
    /// so). A file_id names a file stored at OpenAI, which no other provider can reach.
    /// </summary>
    public static (string MediaType, string Base64) OpenAIFileData(JsonElement file, ApiFormat target)
    {
        if (Str(file, "file_data"u8) is not { } data)
            throw Part("file", target, Str(file, "file_id"u8) is null ? "a file part without file_data" : "a file_id names a file stored at OpenAI; send its file_data");
        if (OpenAIToAnthropicRequest.ParseDataUrl(data) is { } parsed) return parsed;
        if (Str(file, "filename"u8)?.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase) == true) return ("application/pdf", data);
        throw Part("file", target, "file_data must be a data URL (data:<media type>;base64,…)");
    }

    /// <summary>Anthropic <c>system</c> (a string or text blocks, the only kind it allows) as one text.</summary>
    public static string SystemText(JsonElement system, ApiFormat target)
    {
        CheckSystemBlocks(system, target);
        return AnthropicToOpenAIRequest.JoinText(system, "\n\n");
    }

    /// <summary>Throws for a system prompt block that is not text (what <see cref="SystemText"/> checks first).</summary>
    public static void CheckSystemBlocks(JsonElement system, ApiFormat target)
    {
        if (system.ValueKind != JsonValueKind.Array) return;
        foreach (JsonElement block in system.EnumerateArray())
        {
            if (AnthropicToOpenAIRequest.BlockType(block) is not "text") throw Block(AnthropicToOpenAIRequest.BlockType(block), target, "system prompts are text");
        }
    }

    /// <summary>
    /// An Anthropic <c>search_result</c> block (a RAG result the client supplies) as text: title, source, then its text
    /// blocks. Citations toward it cannot be made elsewhere; the content itself reaches the model.
    /// </summary>
    public static string SearchResultText(JsonElement block, ApiFormat target)
    {
        var text = new StringBuilder("[Search result");
        if (Str(block, "title"u8) is { Length: > 0 } title) text.Append(": ").Append(title);
        if (Str(block, "source"u8) is { Length: > 0 } source) text.Append(" (").Append(source).Append(')');
        text.Append(']');
        if (block.TryGetProperty("content"u8, out JsonElement content) && content.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement part in content.EnumerateArray())
            {
                if (AnthropicToOpenAIRequest.BlockType(part) is not "text") throw Block(AnthropicToOpenAIRequest.BlockType(part), target, "inside a search_result");
                text.Append('\n').Append(Str(part, "text"u8));
            }
        }
        return text.ToString();
    }

    /// <summary>The text of a document whose source is plain text (<c>{"type": "text", "data": …}</c>), with its title.</summary>
    public static string PlainDocumentText(JsonElement document, JsonElement source)
    {
        string data = Str(source, "data"u8) ?? "";
        return Str(document, "title"u8) is { Length: > 0 } title ? $"[Document: {title}]\n{data}" : data;
    }
}
