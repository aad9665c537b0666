using System.Globalization;
using System.Text;

namespace Switchboard.Tests.TestKit;

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4 (no parser package restores here): every line is a
/// <c># HELP</c>, a <c># TYPE</c>, another comment, blank, or a sample <c>name{label="value",…} value [timestamp]</c>.
/// Anything else throws, as do: a malformed name or label, a bad escape, a TYPE after its samples or twice, a family's
/// samples split by another's, the same series twice, a histogram sample that is not _bucket (with le), _sum or _count.
/// </summary>
internal sealed class PrometheusText
{
    internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
    {
        public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : throw new Xunit.Sdk.XunitException($"{this} has no label {name}");
        public override string ToString() => $"{Name}{{{string.Join(",", Labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}} {Value.ToString(CultureInfo.InvariantCulture)}";
    }

    internal sealed class Family(string name)
    {
        public string Name { get; } = name;
        public string Type { get; set; } = "untyped";
        public string? Help { get; set; }
        public List<Sample> Samples { get; } = [];
    }

    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    private readonly Dictionary<string, Family> _families = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, Family> Families => _families;

    public IEnumerable<Sample> Samples => _families.Values.SelectMany(f => f.Samples);

    /// <summary>Samples named <paramref name="name"/> whose labels include every (name, value) given.</summary>
    public IEnumerable<Sample> Find(string name, params (string Label, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value));

    /// <summary>The one sample that matches (fails when none or several do).</summary>
    public double Value(string name, params (string Label, string Value)[] labels)
    {
        var found = Find(name, labels).ToList();
        if (found.Count != 1)
            throw new Xunit.Sdk.XunitException($"expected one sample {name} with {string.Join(",", labels)}, found {found.Count}:\n{string.Join("\n", found)}");
        return found[0].Value;
    }

    public double Sum(string name, params (string Label, string Value)[] labels) => Find(name, labels).Sum(s => s.Value);

    public static PrometheusText Parse(string text)
    {
        var result = new PrometheusText();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var closed = new HashSet<string>(StringComparer.Ordinal); // families whose samples ended (another family's came after)
        Family? current = null;
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine;
            if (line.Length == 0) continue;
            void Fail(string why) => throw new FormatException($"line {lineNumber}: {why}: '{rawLine}'");
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[0] == "#" && parts[1] is "HELP" or "TYPE")
                {
                    var name = parts[2];
                    if (!IsMetricName(name)) Fail("bad metric name");
                    var family = result.FamilyOf(name);
                    if (parts[1] == "TYPE")
                    {
                        if (parts.Length != 4 || !Types.Contains(parts[3])) Fail("TYPE needs one of " + string.Join(", ", Types));
                        if (family.Samples.Count > 0) Fail("TYPE after the family's samples");
                        if (!seen.Add("TYPE " + name)) Fail("second TYPE for " + name);
                        family.Type = parts[3];
                    }
                    else
                    {
                        if (!seen.Add("HELP " + name)) Fail("second HELP for " + name);
                        family.Help = parts.Length == 4 ? Unescape(parts[3], label: false, Fail) : "";
                    }
                }
                continue; // any other comment
            }
            var sample = ParseSample(line, Fail);
            var owner = result.OwnerOf(sample.Name);
            if (owner.Type == "histogram")
            {
                var suffix = sample.Name[owner.Name.Length..];
                if (suffix is not ("_bucket" or "_sum" or "_count")) Fail("histogram sample that is not _bucket, _sum or _count");
                if (suffix == "_bucket" != sample.Labels.ContainsKey("le")) Fail("le belongs on _bucket samples only, and on every one");
            }
            if (!ReferenceEquals(owner, current))
            {
                if (closed.Contains(owner.Name)) Fail($"samples of {owner.Name} are not together");
                if (current is not null) closed.Add(current.Name);
                current = owner;
            }
            var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}";
            if (!seen.Add(key)) Fail("series twice: " + key);
            owner.Samples.Add(sample);
        }
        return result;
    }

    private Family FamilyOf(string name)
    {
        if (!_families.TryGetValue(name, out var family)) _families[name] = family = new Family(name);
        return family;
    }

    /// <summary>The family a sample belongs to: its own name, or the histogram/summary it is a part of.</summary>
    private Family OwnerOf(string sampleName)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal)
                && _families.TryGetValue(sampleName[..^suffix.Length], out var parent) && parent.Type is "histogram" or "summary")
                return parent;
        return FamilyOf(sampleName);
    }

    private static Sample ParseSample(string line, Action<string> fail)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' ')) i++;
        var name = line[..i];
        if (!IsMetricName(name)) fail("bad metric name");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i < line.Length && line[i] == '}') { i++; break; }
                var start = i;
                while (i < line.Length && line[i] != '=') i++;
                var label = line[start..i];
                if (!IsLabelName(label)) fail($"bad label name '{label}'");
                if (i + 1 >= line.Length || line[i + 1] != '"') fail("label value must be quoted");
                i += 2;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length) fail("unterminated label value");
                    var c = line[i++];
                    if (c == '"') break;
                    if (c == '\\')
                    {
                        if (i >= line.Length) fail("dangling escape");
                        value.Append(line[i++] switch { '\\' => '\\', '"' => '"', 'n' => '\n', var other => throw new FormatException($"bad escape \\{other} in '{line}'") });
                    }
                    else value.Append(c);
                }
                if (!labels.TryAdd(label, value.ToString())) fail($"label {label} twice");
                if (i < line.Length && line[i] == ',') { i++; continue; }
                if (i < line.Length && line[i] == '}') { i++; break; }
                fail("expected , or } after a label");
            }
        }
        if (i >= line.Length || line[i] != ' ') fail("expected a space before the value");
        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2) fail("expected a value and at most a timestamp");
        var number = ParseValue(rest[0]) ?? throw new FormatException($"bad value '{rest[0]}' in '{line}'");
        if (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) fail("bad timestamp");
        return new Sample(name, labels, number);
    }

    internal static double? ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null,
    };

    private static string Unescape(string text, bool label, Action<string> fail)
    {
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\') { result.Append(text[i]); continue; }
            if (++i >= text.Length) { fail("dangling escape"); break; }
            switch (text[i])
            {
                case '\\': result.Append('\\'); break;
                case 'n': result.Append('\n'); break;
                case '"' when label: result.Append('"'); break;
                default: fail($"bad escape \\{text[i]}"); break;
            }
        }
        return result.ToString();
    }

    private static bool IsMetricName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] is '_' or ':') && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    private static bool IsLabelName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
