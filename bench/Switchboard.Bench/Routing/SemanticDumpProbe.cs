using System.Text;
using System.Text.Json;
using Switchboard.Routing;
using Switchboard.Routing.Semantic;

namespace Switchboard.Bench.Routing;

/// <summary>
/// <c>dump-semantic OUT.json DIR DATA.jsonl:POLICY.yaml …</c>: everything the semantic stage could read from each row of
/// the given sets (lexical scores, the latest turn's embedding and its sentences' and clauses' embeddings) and from
/// each policy (route, description, name and phrase embeddings), so readings of the stage can be replayed offline
/// (router10 round, issue #17). Tuning sets only: never give it a blind set.
/// </summary>
internal static class SemanticDumpProbe
{
    public static int Run(string[] args)
    {
        if (args.Length < 4)
        {
            Console.Error.WriteLine("usage: dump-semantic OUT.json DIR DATA.jsonl:POLICY.yaml …");
            return 2;
        }
        var dir = args[2];
        var router = new EmbeddedRouteSelector();
        using var encoder = new MiniLmEncoder();
        float[] Encode(string text)
        {
            var v = encoder.Encode(text.Length > SentenceEncoderHost.MaxChars ? text[..SentenceEncoderHost.MaxChars] : text);
            var norm = MathF.Sqrt(SentenceEncoderHost.Dot(v, v));
            for (var i = 0; i < v.Length; i++) v[i] /= norm;
            return v;
        }
        using var stream = File.Create(args[1]);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartArray();
        foreach (var spec in args.Skip(3))
        {
            if (spec.StartsWith("lines=", StringComparison.Ordinal))
            {
                // Free texts (a reference of off-topic requests): their embeddings only. A blind set's rows are never
                // read, whichever way they are given.
                RoutingDataLoader.RefuseBlind(spec[6..]);
                json.WriteStartObject();
                json.WriteString("lines", spec[6..]);
                json.WriteStartArray("vecs");
                foreach (var line in File.ReadAllLines(spec[6..]).Where(l => l.Trim().Length > 0))
                {
                    json.WriteStartObject();
                    json.WriteString("text", line);
                    Vector(json, "vec", Encode(line));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
                continue;
            }
            var (data, policyFile) = (spec.Split(':')[0], spec.Split(':')[1]);
            RoutingDataLoader.RefuseBlind(data);
            var policy = RoutingDataLoader.LoadPolicyYaml(Path.Combine(dir, policyFile));
            var rows = RoutingDataLoader.LoadJsonl(Path.Combine(dir, data));
            var semantic = new EmbeddedRouteSelector(null, Switchboard.Config.SemanticMode.Auto,
                new SemanticStage(new SentenceEncoderHost(() => throw new InvalidOperationException("not loaded")))).SemanticFor(policy) is not null;
            json.WriteStartObject();
            json.WriteString("set", data);
            json.WriteBoolean("semantic", semantic);
            json.WriteStartArray("routes");
            foreach (var route in policy.Routes)
            {
                json.WriteStartObject();
                json.WriteString("name", route.Name);
                json.WriteString("description", route.Description);
                Vector(json, "whole", Encode(route.Name + ": " + route.Description));
                Vector(json, "desc", Encode(route.Description));
                Vector(json, "nameVec", Encode(route.Name));
                json.WriteStartArray("phrases");
                foreach (var phrase in SemanticRouteIndex.Phrases(route.Description))
                {
                    json.WriteStartObject();
                    json.WriteString("text", phrase);
                    Vector(json, "vec", Encode(phrase));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteStartArray("phrases2");
                foreach (var phrase in DashAwarePhrases(route.Description))
                {
                    json.WriteStartObject();
                    json.WriteString("text", phrase);
                    Vector(json, "vec", Encode(phrase));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteStartArray("phrases3");
                foreach (var phrase in DashAwarePhrases(route.Description))
                {
                    json.WriteStartObject();
                    json.WriteString("text", route.Name + ": " + phrase);
                    Vector(json, "vec", Encode(route.Name + ": " + phrase));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("rows");
            var names = policy.Routes.Select(r => r.Name).ToList();
            foreach (var row in rows)
            {
                var input = RouterInputBuilder.FromTurns(row.Turns);
                var scores = router.Score(input, policy, out _, out var wordsSuffice, out var namesOtherTopic);
                var latest = input.Turns.Last(t => t.Role == TurnRole.User).Text;
                json.WriteStartObject();
                json.WriteString("id", row.Id);
                json.WriteNumber("expected", names.FindIndex(n => string.Equals(n, row.Expected, StringComparison.OrdinalIgnoreCase)));
                json.WriteString("text", latest);
                json.WriteNumber("userTurns", input.Turns.Count(t => t.Role == TurnRole.User));
                json.WriteBoolean("wordsSuffice", wordsSuffice);
                json.WriteBoolean("namesOtherTopic", namesOtherTopic);
                if (scores is null) json.WriteNull("lexical");
                else
                {
                    json.WriteStartArray("lexical");
                    foreach (var s in scores) json.WriteNumberValue(Math.Round(s, 5));
                    json.WriteEndArray();
                }
                Vector(json, "vec", Encode(latest));
                json.WriteStartArray("pieces");
                foreach (var piece in Pieces(latest))
                {
                    json.WriteStartObject();
                    json.WriteString("text", piece);
                    Vector(json, "vec", Encode(piece));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.Flush();
            Console.Error.WriteLine($"{data}: {rows.Count} rows");
        }
        json.WriteEndArray();
        return 0;
    }

    /// <summary>"renting a home - leases, deposits" → "renting a home", "leases", "deposits".</summary>
    private static IEnumerable<string> DashAwarePhrases(string description)
    {
        foreach (var head in description.Split([" - ", " — ", " – ", ": "], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            foreach (var phrase in SemanticRouteIndex.Phrases(head)) yield return phrase;
    }

    /// <summary>Sentences and comma clauses of a text (more than one, else none).</summary>
    private static List<string> Pieces(string text)
    {
        var pieces = new List<string>();
        var sentences = SplitKeep(text, ".?!\n");
        if (sentences.Count > 1) pieces.AddRange(sentences);
        foreach (var sentence in sentences)
        {
            var clauses = SplitKeep(sentence, ",;:");
            if (clauses.Count > 1) pieces.AddRange(clauses);
        }
        return [.. pieces.Distinct()];
    }

    private static List<string> SplitKeep(string text, string separators)
    {
        var result = new List<string>();
        var current = new StringBuilder();
        foreach (var c in text)
        {
            current.Append(c);
            if (separators.Contains(c))
            {
                var t = current.ToString().Trim();
                if (t.Count(char.IsLetter) >= 3) result.Add(t);
                current.Clear();
            }
        }
        var rest = current.ToString().Trim();
        if (rest.Count(char.IsLetter) >= 3) result.Add(rest);
        return result;
    }

    private static void Vector(Utf8JsonWriter json, string name, float[] v)
    {
        json.WriteStartArray(name);
        foreach (var x in v) json.WriteNumberValue(MathF.Round(x, 5));
        json.WriteEndArray();
    }
}
