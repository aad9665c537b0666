using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Protocols;

namespace Switchboard.Tests.Unit.Protocols;

/// <summary>
/// Content is never dropped silently (Protocols/README.md, "Content"): every block or part with an equivalent on the
/// target is translated, the rest is refused by its type (the gateway tries the next fallback, then answers 400).
/// </summary>
[Trait("Kind", "Unit")]
public sealed class ContentTranslationTests
{
    private static readonly TranslationTarget OpenAI = TestJson.OpenAITarget("gpt-4.1");
    private static readonly TranslationTarget Anthropic = TestJson.AnthropicTarget();
    private static readonly TranslationTarget Gemini = new() { ModelId = "gemini-2.5-pro", Provider = "gemini", Api = ApiFormat.Gemini };

    private static JsonNode Translate(ApiFormat client, string json, TranslationTarget target)
    {
        using var doc = JsonDocument.Parse(json);
        return JsonNode.Parse(ProtocolTranslation.TranslateRequest(client, doc.RootElement, target).Body)!;
    }

    private static string Refusal(ApiFormat client, string json, TranslationTarget target)
    {
        using var doc = JsonDocument.Parse(json);
        return Assert.Throws<UnsupportedByTargetException>(() => ProtocolTranslation.TranslateRequest(client, doc.RootElement, target)).Message;
    }

    private static string AnthropicUser(string blocks) => $$"""{ "max_tokens": 10, "messages": [{ "role": "user", "content": [{{blocks}}] }] }""";

    private static string OpenAIUser(string parts) => $$"""{ "messages": [{ "role": "user", "content": [{{parts}}] }] }""";

    /// <summary>The OpenAI request's first user message content parts, and the Gemini request's first turn's parts.</summary>
    private static JsonArray OpenAIParts(JsonNode body, int message = 0) => body["messages"]![message]!["content"]!.AsArray();

    private static JsonArray GeminiParts(JsonNode body, int turn = 0) => body["contents"]![turn]!["parts"]!.AsArray();

    // ---- Anthropic clients: translated ---------------------------------------------------------------------------

    [Fact]
    public void A_plain_text_document_becomes_text_with_its_title()
    {
        string request = AnthropicUser("""{ "type": "document", "title": "notes.txt", "source": { "type": "text", "media_type": "text/plain", "data": "plain notes" } }""");
        Assert.Equal("[Document: notes.txt]\nplain notes", (string?)OpenAIParts(Translate(ApiFormat.Anthropic, request, OpenAI))[0]!["text"]);
        Assert.Equal("[Document: notes.txt]\nplain notes", (string?)GeminiParts(Translate(ApiFormat.Anthropic, request, Gemini))[0]!["text"]);
    }

    [Fact]
    public void A_document_of_its_own_content_blocks_becomes_their_text_and_images()
    {
        string request = AnthropicUser("""
            { "type": "document", "source": { "type": "content", "content": [
              { "type": "text", "text": "page one" },
              { "type": "image", "source": { "type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo=" } } ] } }
            """);
        JsonArray openAI = OpenAIParts(Translate(ApiFormat.Anthropic, request, OpenAI));
        Assert.Equal("page one", (string?)openAI[0]!["text"]);
        Assert.Equal("data:image/png;base64,iVBORw0KGgo=", (string?)openAI[1]!["image_url"]!["url"]);
        JsonArray gemini = GeminiParts(Translate(ApiFormat.Anthropic, request, Gemini));
        Assert.Equal("page one", (string?)gemini[0]!["text"]);
        Assert.Equal("image/png", (string?)gemini[1]!["inlineData"]!["mimeType"]);
    }

    [Fact]
    public void A_search_result_becomes_text_with_its_title_and_source()
    {
        string block = """{ "type": "search_result", "source": "https://docs.example/a", "title": "Guide", "content": [{ "type": "text", "text": "the answer" }] }""";
        string request = AnthropicUser(block + """, { "type": "text", "text": "Use it." }""");
        string openAI = (string)OpenAIParts(Translate(ApiFormat.Anthropic, request, OpenAI))[0]!["text"]!;
        Assert.Equal("[Search result: Guide (https://docs.example/a)]\nthe answer", openAI);
        Assert.Equal(openAI, (string?)GeminiParts(Translate(ApiFormat.Anthropic, request, Gemini))[0]!["text"]);
    }

    [Fact]
    public void A_pdf_in_a_tool_result_follows_the_tool_message_as_a_file_part()
    {
        const string Request = """
            { "max_tokens": 10, "messages": [
              { "role": "assistant", "content": [{ "type": "tool_use", "id": "toolu_1", "name": "Read", "input": { "path": "a.pdf" } }] },
              { "role": "user", "content": [{ "type": "tool_result", "tool_use_id": "toolu_1", "content": [
                { "type": "text", "text": "PDF file read" },
                { "type": "search_result", "source": "s", "title": "t", "content": [{ "type": "text", "text": "found" }] },
                { "type": "document", "title": "a.pdf", "source": { "type": "base64", "media_type": "application/pdf", "data": "JVBERi0=" } } ] }] }] }
            """;
        JsonNode openAI = Translate(ApiFormat.Anthropic, Request, OpenAI);
        Assert.Equal("PDF file read\n[Search result: t (s)]\nfound\n(1 document follows in the next user message)", (string?)openAI["messages"]![1]!["content"]);
        JsonNode file = OpenAIParts(openAI, 2)[0]!;
        Assert.Equal("file", (string?)file["type"]);
        Assert.Equal("data:application/pdf;base64,JVBERi0=", (string?)file["file"]!["file_data"]);

        JsonArray gemini = GeminiParts(Translate(ApiFormat.Anthropic, Request, Gemini), 1);
        Assert.Contains("found", (string?)gemini[0]!["functionResponse"]!["response"]!["result"]);
        Assert.Equal("application/pdf", (string?)gemini[1]!["inlineData"]!["mimeType"]);
    }

    [Fact]
    public void Thinking_history_is_dropped_toward_other_providers_as_documented()
    {
        const string Request = """
            { "max_tokens": 10, "messages": [
              { "role": "user", "content": "hi" },
              { "role": "assistant", "content": [{ "type": "thinking", "thinking": "hmm", "signature": "sig" }, { "type": "redacted_thinking", "data": "xyz" }, { "type": "text", "text": "hello" }] },
              { "role": "user", "content": "again" } ] }
            """;
        Assert.Equal("hello", (string?)Translate(ApiFormat.Anthropic, Request, OpenAI)["messages"]![1]!["content"]);
        Assert.Equal("hello", (string?)GeminiParts(Translate(ApiFormat.Anthropic, Request, Gemini), 1)[0]!["text"]);
    }

    // ---- Anthropic clients: refused by type ----------------------------------------------------------------------

    public static TheoryData<ApiFormat, string, string> AnthropicRefusals => new()
    {
        { ApiFormat.Anthropic, AnthropicUser("""{ "type": "bogus_block" }, { "type": "text", "text": "hi" }"""), "'bogus_block'" },
        { ApiFormat.Anthropic, AnthropicUser("""{ "type": "image", "source": { "type": "file", "file_id": "file_011" } }"""), "'file' source" },
        { ApiFormat.Anthropic, AnthropicUser("""{ "type": "document", "source": { "type": "file", "file_id": "file_011" } }"""), "'file' source" },
        { ApiFormat.Anthropic, AnthropicUser("""{ "type": "container_upload", "file_id": "file_011" }"""), "'container_upload'" },
        { ApiFormat.Anthropic, AnthropicUser("""{ "type": "tool_result", "tool_use_id": "toolu_1", "content": [{ "type": "tool_reference", "tool_name": "x" }] }"""), "'tool_reference'" },
        { ApiFormat.Anthropic, """{ "max_tokens": 10, "messages": [{ "role": "user", "content": "hi" }, { "role": "assistant", "content": [{ "type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": { "query": "x" } }, { "type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": [] }] }] }""", "'server_tool_use'" },
        { ApiFormat.Anthropic, """{ "max_tokens": 10, "system": [{ "type": "image", "source": { "type": "url", "url": "https://x/y.png" } }], "messages": [{ "role": "user", "content": "hi" }] }""", "'image'" },
    };

    [Fact]
    public void A_pdf_by_url_has_no_openai_equivalent_but_gemini_fetches_it()
    {
        string request = AnthropicUser("""{ "type": "document", "source": { "type": "url", "url": "https://example.com/spec.pdf" } }""");
        Assert.Contains("'url' source", Refusal(ApiFormat.Anthropic, request, OpenAI));
        JsonNode fileData = GeminiParts(Translate(ApiFormat.Anthropic, request, Gemini))[0]!["fileData"]!;
        Assert.Equal("https://example.com/spec.pdf", (string?)fileData["fileUri"]);
        Assert.Equal("application/pdf", (string?)fileData["mimeType"]);
    }

    // ---- OpenAI clients ------------------------------------------------------------------------------------------

    [Fact]
    public void A_pdf_file_part_becomes_an_anthropic_document_titled_with_its_filename_and_gemini_inline_data()
    {
        string request = OpenAIUser("""{ "type": "file", "file": { "filename": "spec.pdf", "file_data": "data:application/pdf;base64,JVBERi0=" } }""");
        JsonNode document = Translate(ApiFormat.OpenAI, request, Anthropic)["messages"]![0]!["content"]![0]!;
        Assert.Equal("document", (string?)document["type"]);
        Assert.Equal("spec.pdf", (string?)document["title"]);
        Assert.Equal("JVBERi0=", (string?)document["source"]!["data"]);
        Assert.Equal("application/pdf", (string?)GeminiParts(Translate(ApiFormat.OpenAI, request, Gemini))[0]!["inlineData"]!["mimeType"]);
    }

    [Fact]
    public void A_text_file_part_becomes_a_plain_text_document_and_an_image_file_an_image()
    {
        string request = OpenAIUser("""
            { "type": "file", "file": { "filename": "notes.md", "file_data": "data:text/markdown;base64,IyBOb3Rlcw==" } },
            { "type": "file", "file": { "filename": "shot.png", "file_data": "data:image/png;base64,iVBORw0KGgo=" } }
            """);
        JsonArray blocks = Translate(ApiFormat.OpenAI, request, Anthropic)["messages"]![0]!["content"]!.AsArray();
        Assert.Equal("text", (string?)blocks[0]!["source"]!["type"]);
        Assert.Equal("# Notes", (string?)blocks[0]!["source"]!["data"]);
        Assert.Equal("image", (string?)blocks[1]!["type"]);
        Assert.Equal("image/png", (string?)blocks[1]!["source"]!["media_type"]);
    }

    [Fact]
    public void Audio_is_refused_toward_anthropic_and_carried_to_gemini()
    {
        string request = OpenAIUser("""{ "type": "text", "text": "Transcribe." }, { "type": "input_audio", "input_audio": { "data": "UklGRiQ=", "format": "wav" } }""");
        Assert.Contains("'input_audio'", Refusal(ApiFormat.OpenAI, request, Anthropic));
        Assert.Equal("audio/wav", (string?)GeminiParts(Translate(ApiFormat.OpenAI, request, Gemini))[1]!["inlineData"]!["mimeType"]);
    }

    public static TheoryData<ApiFormat, string, string> OpenAIRefusals => new()
    {
        { ApiFormat.OpenAI, OpenAIUser("""{ "type": "bogus_part" }"""), "'bogus_part'" },
        { ApiFormat.OpenAI, OpenAIUser("""{ "type": "file", "file": { "file_id": "file-abc" } }"""), "file_id" },
        { ApiFormat.OpenAI, OpenAIUser("""{ "type": "file", "file": { "filename": "x.bin", "file_data": "AAAA" } }"""), "data URL" },
        { ApiFormat.OpenAI, """{ "messages": [{ "role": "system", "content": [{ "type": "image_url", "image_url": { "url": "https://x/y.png" } }] }, { "role": "user", "content": "hi" }] }""", "'image_url'" },
        { ApiFormat.OpenAI, """{ "messages": [{ "role": "user", "content": "hi" }, { "role": "function", "name": "f", "content": "42" }] }""", "'function'" },
    };

    /// <summary>Each refusal toward both other targets: OpenAI and Gemini for Anthropic clients, Anthropic and Gemini for OpenAI ones.</summary>
    [Theory]
    [MemberData(nameof(AnthropicRefusals))]
    [MemberData(nameof(OpenAIRefusals))]
    public void Content_without_an_equivalent_is_refused_by_name(ApiFormat client, string request, string named)
    {
        Assert.Contains(named, Refusal(client, request, client == ApiFormat.Anthropic ? OpenAI : Anthropic));
        Assert.Contains(named, Refusal(client, request, Gemini));
    }

    [Fact]
    public void A_file_anthropic_cannot_read_is_refused_there_and_sent_to_gemini()
    {
        string request = OpenAIUser("""{ "type": "file", "file": { "filename": "a.docx", "file_data": "data:application/vnd.openxmlformats-officedocument.wordprocessingml.document;base64,UEs=" } }""");
        Assert.Contains("PDF or plain text", Refusal(ApiFormat.OpenAI, request, Anthropic));
        Assert.Equal("UEs=", (string?)GeminiParts(Translate(ApiFormat.OpenAI, request, Gemini))[0]!["inlineData"]!["data"]);
    }

    [Fact]
    public void An_assistant_refusal_part_is_kept_as_text()
    {
        const string Request = """{ "messages": [{ "role": "user", "content": "x" }, { "role": "assistant", "content": [{ "type": "refusal", "refusal": "I can't help with that." }] }, { "role": "user", "content": "ok" }] }""";
        Assert.Equal("I can't help with that.", (string?)Translate(ApiFormat.OpenAI, Request, Anthropic)["messages"]![1]!["content"]![0]!["text"]);
        Assert.Equal("I can't help with that.", (string?)GeminiParts(Translate(ApiFormat.OpenAI, Request, Gemini), 1)[0]!["text"]);
    }
}
