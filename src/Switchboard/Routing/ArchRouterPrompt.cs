using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Switchboard.Routing;

/// <summary>
/// The Arch-Router-1.5B prompt, character for character as katanemo/archgw (plano) sends it: the routes as
/// compact JSON in &lt;routes&gt;, the conversation as compact JSON in &lt;conversation&gt;, then the instructions.
/// The model was trained on this text, so whitespace and wording (including its typos) are kept as published.
/// JSON is escaped like serde_json (only quotes, backslashes and control characters), not HTML-safe.
/// </summary>
internal static class ArchRouterPrompt
{
    /// <summary>Text before the routes JSON.</summary>
    public const string Preamble =
        "\nYou are a helpful assistant designed to find the best suited route.\n" +
        "You are provided with route description within <routes></routes> XML tags:\n" +
        "<routes>\n";

    /// <summary>Text between the routes JSON and the conversation JSON.</summary>
    public const string Middle = "\n</routes>\n\n<conversation>\n";

    /// <summary>Text after the conversation JSON: the task, and the answer format.</summary>
    public const string Instructions =
        "\n</conversation>\n\n" +
        "Your task is to decide which route is best suit with user intent on the conversation in <conversation></conversation> XML tags.  Follow the instruction:\n" +
        "1. If the latest intent from user is irrelevant or user intent is full filled, response with other route {\"route\": \"other\"}.\n" +
        "2. You must analyze the route descriptions and find the best match route for user latest intent.\n" +
        "3. You only response the name of the route that best matches the user's request, use the exact name in the <routes></routes>.\n" +
        "\n" +
        "Based on your analysis, provide your response in the following JSON formats if you decide to match any route:\n" +
        "{\"route\": \"route_name\"}\n";

    /// <summary>The route name the model answers when nothing fits.</summary>
    public const string OtherRoute = "other";

    // The routes part depends only on the (immutable) policy: built once per policy instance.
    private static readonly ConditionalWeakTable<RoutePolicy, string> RoutesJsonByPolicy = new();

    /// <summary>The full user message sent to the router model.</summary>
    public static string Build(RoutePolicy policy, RouterInput input)
    {
        var routes = RoutesJson(policy);
        var builder = new StringBuilder(Preamble.Length + routes.Length + Middle.Length + Instructions.Length + 256);
        builder.Append(Preamble).Append(routes).Append(Middle);
        AppendConversationJson(builder, input);
        builder.Append(Instructions);
        return builder.ToString();
    }

    /// <summary><c>[{"name":"…","description":"…"},…]</c> in config order.</summary>
    public static string RoutesJson(RoutePolicy policy) => RoutesJsonByPolicy.GetValue(policy, static p =>
    {
        var builder = new StringBuilder(64 * (p.Routes.Count + 1));
        builder.Append('[');
        for (var i = 0; i < p.Routes.Count; i++)
        {
            if (i > 0) builder.Append(',');
            builder.Append("{\"name\":");
            AppendJsonString(builder, p.Routes[i].Name);
            builder.Append(",\"description\":");
            AppendJsonString(builder, p.Routes[i].Description);
            builder.Append('}');
        }
        return builder.Append(']').ToString();
    });

    /// <summary><c>[{"role":"user","content":"…"},…]</c>, oldest first.</summary>
    public static string ConversationJson(RouterInput input)
    {
        var builder = new StringBuilder(256);
        AppendConversationJson(builder, input);
        return builder.ToString();
    }

    private static void AppendConversationJson(StringBuilder builder, RouterInput input)
    {
        builder.Append('[');
        for (var i = 0; i < input.Turns.Count; i++)
        {
            if (i > 0) builder.Append(',');
            builder.Append(input.Turns[i].Role == TurnRole.User ? "{\"role\":\"user\",\"content\":" : "{\"role\":\"assistant\",\"content\":");
            AppendJsonString(builder, input.Turns[i].Text);
            builder.Append('}');
        }
        builder.Append(']');
    }

    /// <summary>A JSON string literal escaped the way serde_json does it (the reference implementation).</summary>
    internal static void AppendJsonString(StringBuilder builder, string value)
    {
        builder.Append('"');
        var runStart = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c >= 0x20 && c != '"' && c != '\\') continue;
            builder.Append(value, runStart, i - runStart);
            runStart = i + 1;
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default: builder.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)); break;
            }
        }
        builder.Append(value, runStart, value.Length - runStart).Append('"');
    }
}
