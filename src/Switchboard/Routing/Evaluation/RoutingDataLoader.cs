using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Switchboard.Routing;

/// <summary>A labelled conversation: what the router reads, and the route it should pick ("other" for none).</summary>
internal sealed record LabelledConversation(string Id, IReadOnlyList<RouterTurn> Turns, string Expected);

/// <summary>
/// Loads evaluation data: rows of <c>{"id", "messages": [OpenAI-style role/content], "expected"}</c> (JSON Lines)
/// and a routing policy YAML (<c>routes: [{name, description, model?}]</c>, or an archgw-style config whose
/// providers carry <c>routing_preferences</c>). YAML is read through the representation model: no reflection.
/// </summary>
internal static class RoutingDataLoader
{
    public const string OtherLabel = "other";

    public static IReadOnlyList<LabelledConversation> LoadJsonl(string path) => ParseJsonl(File.ReadAllText(path), path);

    /// <summary>
    /// For the probes that print or dump rows: a blind set (its file name says "blind") is scored, never read, so
    /// whatever way a path reaches a probe, it stops here before the file is opened.
    /// </summary>
    public static void RefuseBlind(string path)
    {
        if (Path.GetFileName(path).Contains("blind", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"{Path.GetFileName(path)}: never a blind set (blind sets are scored, not read)");
    }

    public static IReadOnlyList<LabelledConversation> ParseJsonl(string text, string source = "<text>")
    {
        var rows = new List<LabelledConversation>();
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal)) continue;
            try
            {
                rows.Add(ParseRow(line, $"{Path.GetFileName(source)}:{lineNumber}"));
            }
            catch (JsonException ex)
            {
                throw new FormatException($"{source}:{lineNumber}: not a JSON object ({ex.Message})", ex);
            }
            catch (FormatException ex)
            {
                throw new FormatException($"{source}:{lineNumber}: {ex.Message}", ex);
            }
        }
        return rows;
    }

    public static LabelledConversation ParseRow(string json, string fallbackId = "row")
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var id = root.TryGetProperty("id", out var idValue) && idValue.ValueKind == JsonValueKind.String ? idValue.GetString()! : fallbackId;
        if (!root.TryGetProperty("expected", out var expected) || expected.ValueKind != JsonValueKind.String)
            throw new FormatException($"{id}: missing \"expected\"");
        // A row the live extraction would read as no conversation at all (a message without a role: e.g. a bare list
        // of content blocks) would count as a silent "other" guess; say which row is malformed instead.
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            throw new FormatException($"{id}: \"messages\" must be an array of {{\"role\", \"content\"}} objects");
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
                throw new FormatException($"{id}: messages[{index}] has no \"role\" (wrap content blocks in {{\"role\": \"user\", \"content\": [...]}})");
            index++;
        }
        // Same extraction as live traffic, without a budget: the evaluator applies the budget it is given.
        var input = RouterInputBuilder.FromOpenAIChat(root, int.MaxValue);
        return new LabelledConversation(id, input.Turns, expected.GetString()!);
    }

    public static RoutePolicy LoadPolicyYaml(string path) => ParsePolicyYaml(File.ReadAllText(path));

    public static RoutePolicy ParsePolicyYaml(string yaml)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(yaml)) stream.Load(reader);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new FormatException("policy YAML must be a mapping");

        var routes = new List<RouteDefinition>();
        if (Child(root, "routes") is YamlSequenceNode routeList)
        {
            foreach (var item in routeList)
                if (item is YamlMappingNode route) routes.Add(ReadRoute(route, model: Scalar(route, "model") ?? ""));
        }
        else if ((Child(root, "model_providers") ?? Child(root, "llm_providers")) is YamlSequenceNode providers)
        {
            foreach (var provider in providers.OfType<YamlMappingNode>())
            {
                var model = Scalar(provider, "model") ?? Scalar(provider, "name") ?? "";
                if (Child(provider, "routing_preferences") is not YamlSequenceNode preferences) continue;
                foreach (var preference in preferences.OfType<YamlMappingNode>()) routes.Add(ReadRoute(preference, model));
            }
        }
        if (routes.Count == 0) throw new FormatException("policy YAML has no routes");
        return new RoutePolicy(routes);
    }

    private static RouteDefinition ReadRoute(YamlMappingNode node, string model)
    {
        var name = Scalar(node, "name");
        if (string.IsNullOrWhiteSpace(name))
            throw new FormatException($"line {node.Start.Line}: a route needs a name");
        return new RouteDefinition(name.Trim(), (Scalar(node, "description") ?? "").Trim(), model);
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlMappingNode node, string key) => (Child(node, key) as YamlScalarNode)?.Value;
}
