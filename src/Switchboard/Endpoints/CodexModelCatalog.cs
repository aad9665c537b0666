using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchboard.Runtime;

namespace Switchboard.Endpoints;

/// <summary>
/// The Codex CLI's model catalog: <c>GET /v1/models?client_version=…</c> (what Codex sends to a provider's
/// <c>model_catalog_url</c>) answered with every literal and alias as a Codex <c>ModelInfo</c>. Without an entry for its
/// model Codex falls back to metadata that leaves out apply_patch; with one, it declares apply_patch as a free-form
/// (custom) tool and its shell as <c>shell_command</c>, which the Responses front door carries to any upstream.
/// </summary>
internal static class CodexModelCatalog
{
    /// <summary>The query parameter that marks Codex's catalog request.</summary>
    public const string ClientVersionQuery = "client_version";

    /// <summary>
    /// Codex requires base instructions in each entry (it sends them as the first developer message). Ours, short and
    /// model-neutral: the models behind the gateway are not the ones Codex's own prompts were written for.
    /// </summary>
    internal const string BaseInstructions = """
        You are a coding agent working in the user's terminal through the Codex CLI. Complete the user's task in the
        current workspace: read the code you need, make the change, check it, and report briefly what you did.

        - Run commands with the shell tool; prefer fast, read-only commands (rg, ls, cat, sed -n) to look around.
        - Edit files with the apply_patch tool. Its input is a patch in this format, sent as plain text (never JSON):
          *** Begin Patch
          *** Add File: path/to/new.txt
          +line one
          *** Update File: path/to/existing.py
          @@ def some_function():
          -old line
          +new line
          *** Delete File: path/to/old.txt
          *** End Patch
          Paths are relative to the workspace; every added line starts with "+", context lines with a space.
        - Keep going until the task is done; do not stop to ask for permission for routine steps.
        - When you finish, say in a few sentences what changed and how you verified it.
        """;

    public static Task HandleAsync(HttpContext context, GatewayRuntime runtime)
    {
        var snapshot = runtime.Current;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("models"u8);
            var priority = 0;
            foreach (var alias in snapshot.Config.Aliases.Values) WriteModel(json, alias.Alias, $"{alias.Alias} → {alias.Target} (via Switchboard)", priority++);
            foreach (var provider in snapshot.Config.Providers) WriteModel(json, provider.Model, $"{provider.Model} (via Switchboard)", priority++);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return EndpointResponses.WriteJsonAsync(context, buffer.WrittenMemory);
    }

    private static void WriteModel(Utf8JsonWriter json, string slug, string description, int priority)
    {
        json.WriteStartObject();
        json.WriteString("slug"u8, slug);
        json.WriteString("display_name"u8, slug);
        json.WriteString("description"u8, description);
        json.WriteString("default_reasoning_level"u8, "medium"u8);
        json.WriteStartArray("supported_reasoning_levels"u8);
        foreach (var effort in (string[])["low", "medium", "high"])
        {
            json.WriteStartObject();
            json.WriteString("effort"u8, effort);
            json.WriteString("description"u8, effort + " reasoning effort");
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteString("shell_type"u8, "shell_command"u8);
        json.WriteString("visibility"u8, "list"u8);
        json.WriteBoolean("supported_in_api"u8, true);
        json.WriteNumber("priority"u8, priority);
        json.WriteStartArray("additional_speed_tiers"u8);
        json.WriteEndArray();
        json.WriteStartArray("service_tiers"u8);
        json.WriteEndArray();
        json.WriteNull("availability_nux"u8);
        json.WriteBoolean("include_skills_usage_instructions"u8, false);
        json.WriteBoolean("include_plugin_usage_instructions"u8, false);
        json.WriteBoolean("include_apps_usage_instructions"u8, false);
        json.WriteString("default_reasoning_summary"u8, "none"u8);
        json.WriteBoolean("support_verbosity"u8, false);
        json.WriteNull("default_verbosity"u8);
        json.WriteString("apply_patch_tool_type"u8, "freeform"u8);
        json.WriteString("web_search_tool_type"u8, "text"u8);
        json.WriteStartObject("truncation_policy"u8);
        json.WriteString("mode"u8, "tokens"u8);
        json.WriteNumber("limit"u8, 10000);
        json.WriteEndObject();
        json.WriteBoolean("supports_image_detail_original"u8, false);
        json.WriteNumber("context_window"u8, 128000);
        json.WriteNumber("max_context_window"u8, 128000);
        json.WriteNumber("effective_context_window_percent"u8, 95);
        json.WriteStartArray("experimental_supported_tools"u8);
        json.WriteEndArray();
        json.WriteStartArray("input_modalities"u8);
        json.WriteStringValue("text"u8);
        json.WriteStringValue("image"u8);
        json.WriteEndArray();
        json.WriteBoolean("supports_search_tool"u8, false);
        json.WriteBoolean("supports_experimental_context"u8, false);
        json.WriteBoolean("use_responses_lite"u8, false);
        json.WriteBoolean("supports_reasoning_effort_updates"u8, false);
        json.WriteBoolean("node_repl_auto_review_required"u8, false);
        json.WriteBoolean("node_repl_disabled"u8, true);
        json.WriteString("base_instructions"u8, BaseInstructions);
        json.WriteEndObject();
    }
}
