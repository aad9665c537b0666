using System.Text.Json;

namespace Switchboard.Routing;

/// <summary>
/// Reads <c>{"route": "name"}</c> (Arch-Router) or <c>{"route": ["name", …]}</c> (Plano-Orchestrator, first name
/// wins) out of what a router model actually says: code fences, single quotes, whitespace and prose around the JSON,
/// or a bare route name. Small models are sloppy; the gateway is not.
/// </summary>
internal static class RouteAnswerParser
{
    private static readonly JsonDocumentOptions Lenient = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>True with the route name (possibly "other" or empty) when the answer says one.</summary>
    public static bool TryParse(string? answer, out string route)
    {
        route = "";
        if (string.IsNullOrWhiteSpace(answer)) return false;
        var text = answer.AsSpan().Trim();

        // Every {...} candidate, first to last: models sometimes think aloud before the answer.
        var searchFrom = 0;
        while (searchFrom < text.Length)
        {
            var open = text[searchFrom..].IndexOf('{');
            if (open < 0) break;
            open += searchFrom;
            var close = FindClosingBrace(text, open);
            if (close < 0) break;
            var candidate = text.Slice(open, close - open + 1);
            if (TryReadRoute(candidate.ToString(), out route)) return true;
            if (candidate.Contains('\'') && TryReadRoute(candidate.ToString().Replace('\'', '"'), out route)) return true;
            searchFrom = open + 1;
        }

        return false;
    }

    /// <summary>
    /// The answer as a bare name when it holds no JSON ("code generation", `debugging`): only meaningful
    /// if it then names a route exactly, which the caller checks.
    /// </summary>
    public static string? BareName(string? answer)
    {
        if (string.IsNullOrWhiteSpace(answer)) return null;
        var bare = StripFences(answer.AsSpan().Trim()).Trim().Trim("\"'`.").Trim();
        return bare.Length is > 0 and <= 100 && !bare.ContainsAny('{', '}', '\n') ? bare.ToString() : null;
    }

    private static bool TryReadRoute(string json, out string route)
    {
        route = "";
        try
        {
            using var document = JsonDocument.Parse(json, Lenient);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return false;
            foreach (var property in root.EnumerateObject())
            {
                if (!property.Name.Equals("route", StringComparison.OrdinalIgnoreCase)) continue;
                var value = property.Value;
                if (value.ValueKind == JsonValueKind.Null) return true; // {"route": null} means other
                if (value.ValueKind == JsonValueKind.Array)
                {
                    // Plano-Orchestrator ranks routes: the first answers; [] means other.
                    if (value.GetArrayLength() == 0) return true;
                    value = value[0];
                }
                if (value.ValueKind != JsonValueKind.String) return false;
                route = value.GetString()!.Trim();
                return true;
            }
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Index of the brace closing the one at <paramref name="open"/>, skipping braces in strings.</summary>
    private static int FindClosingBrace(ReadOnlySpan<char> text, int open)
    {
        var depth = 0;
        char quote = '\0';
        for (var i = open; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == '\\') i++;
                else if (c == quote) quote = '\0';
                continue;
            }
            switch (c)
            {
                case '"' or '\'': quote = c; break;
                case '{': depth++; break;
                case '}' when --depth == 0: return i;
            }
        }
        return -1;
    }

    private static ReadOnlySpan<char> StripFences(ReadOnlySpan<char> text)
    {
        if (!text.StartsWith("```")) return text;
        var newline = text.IndexOf('\n');
        text = newline < 0 ? text[3..] : text[(newline + 1)..];
        var end = text.LastIndexOf("```");
        return end < 0 ? text : text[..end];
    }
}
