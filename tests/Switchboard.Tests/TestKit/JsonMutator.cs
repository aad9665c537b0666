using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Tests.TestKit;

/// <summary>
/// Seeded, structure-aware mutations of JSON documents: type swaps, deleted and duplicated keys, unknown block
/// types and roles, huge numbers, empty and huge strings, deep nesting; then, sometimes, byte-level damage
/// (flips, truncation, insertions). The same seed always gives the same inputs.
/// </summary>
internal sealed class JsonMutator(int seed)
{
    private readonly Random _random = new(seed);
    private static readonly string[] Roles = ["wizard", "system", "developer", "tool", "function", "assistant", "user", "", "USER", "model"];
    private static readonly string[] BlockTypes = ["hologram", "text", "image", "tool_use", "tool_result", "thinking", "redacted_thinking", "document", "image_url",
        "input_audio", "file", "server_tool_use", "web_search_tool_result", "search_result", "refusal", "", "function", "custom"];
    private static readonly string[] EventTypes = ["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta",
        "message_stop", "ping", "error", "hologram", ""];

    public Random Random => _random;

    private JsonNode? RandomValue() => _random.Next(16) switch
    {
        0 => JsonValue.Create(""),
        1 => JsonValue.Create("x"),
        2 => JsonValue.Create(0),
        3 => JsonValue.Create(-1),
        4 => JsonNode.Parse("1e308"),
        5 => JsonNode.Parse("9223372036854775808"),
        6 => JsonNode.Parse("-99999999999999999999999"),
        7 => JsonValue.Create(1.5),
        8 => JsonValue.Create(true),
        9 => null,
        10 => new JsonArray(),
        11 => new JsonObject(),
        12 => new JsonArray(1, "a", null, new JsonObject()),
        13 => new JsonObject { ["type"] = RandomBlockType() },
        14 => JsonValue.Create(new string('z', _random.Next(1, 4) == 1 ? 100_000 : 300)),
        _ => JsonValue.Create("\u0000\uFFFD\u202E<script>"),
    };

    private string RandomBlockType() => BlockTypes[_random.Next(BlockTypes.Length)];

    /// <summary>Every node in the tree with its parent (null for the root) and its key or index.</summary>
    private static void Collect(JsonNode? node, JsonNode? parent, object? key, List<(JsonNode? Node, JsonNode? Parent, object? Key)> into)
    {
        into.Add((node, parent, key));
        switch (node)
        {
            case JsonObject obj:
                foreach (var (k, v) in obj.ToList()) Collect(v, obj, k, into);
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++) Collect(array[i], array, i, into);
                break;
        }
    }

    private static void Replace(JsonNode? parent, object? key, JsonNode? value)
    {
        switch (parent)
        {
            case JsonObject obj: obj[(string)key!] = value; break;
            case JsonArray array: array[(int)key!] = value; break;
        }
    }

    /// <summary>Applies 1–4 structural mutations to a clone of <paramref name="seed"/>; returns the new tree and which objects get a duplicated key.</summary>
    public (JsonNode? Tree, HashSet<JsonObject> Duplicates, List<string> Applied) MutateTree(JsonNode seed)
    {
        JsonNode? root = seed.DeepClone();
        var duplicates = new HashSet<JsonObject>(ReferenceEqualityComparer.Instance);
        var applied = new List<string>();
        var count = 1 + _random.Next(4);
        for (var m = 0; m < count; m++)
        {
            var nodes = new List<(JsonNode? Node, JsonNode? Parent, object? Key)>();
            Collect(root, null, null, nodes);
            var (node, parent, key) = nodes[_random.Next(nodes.Count)];
            var op = _random.Next(12);
            switch (op)
            {
                case 0 or 1: // swap the type of a value
                    if (parent is null) { root = RandomValue(); applied.Add("root→" + (root?.GetValueKind().ToString() ?? "null")); }
                    else { Replace(parent, key, RandomValue()); applied.Add($"swap {key}"); }
                    break;
                case 2: // delete a key or an element
                    if (parent is JsonObject po) { po.Remove((string)key!); applied.Add($"delete {key}"); }
                    else if (parent is JsonArray pa) { pa.RemoveAt((int)key!); applied.Add($"delete [{key}]"); }
                    break;
                case 3: // duplicate a key (written twice by Serialize)
                    if (node is JsonObject dup && dup.Count > 0) { duplicates.Add(dup); applied.Add("duplicate key"); }
                    break;
                case 4: // an unknown (or known but incomplete) content block
                {
                    var arrays = nodes.Where(n => n.Node is JsonArray && n.Key is "content" or "messages" or "tools" or "system" or "tool_calls").Select(n => (JsonArray)n.Node!).ToList();
                    if (arrays.Count == 0) break;
                    var target = arrays[_random.Next(arrays.Count)];
                    var block = new JsonObject { ["type"] = RandomBlockType() };
                    if (_random.Next(2) == 0) block["role"] = Roles[_random.Next(Roles.Length)];
                    if (_random.Next(2) == 0) block["content"] = RandomValue();
                    if (_random.Next(2) == 0) block["text"] = RandomValue();
                    if (_random.Next(3) == 0) block["id"] = RandomValue();
                    if (_random.Next(3) == 0) block["name"] = RandomValue();
                    if (_random.Next(3) == 0) block["input"] = RandomValue();
                    target.Insert(_random.Next(target.Count + 1), block);
                    applied.Add("insert block " + block["type"]);
                    break;
                }
                case 5: // an unknown or unexpected role
                {
                    var roles = nodes.Where(n => n.Key is "role" && n.Parent is JsonObject).ToList();
                    if (roles.Count == 0) break;
                    var (_, rp, _) = roles[_random.Next(roles.Count)];
                    ((JsonObject)rp!)["role"] = _random.Next(6) == 0 ? RandomValue() : Roles[_random.Next(Roles.Length)];
                    applied.Add("role");
                    break;
                }
                case 6: // huge / negative / fractional numbers where numbers are
                {
                    var numbers = nodes.Where(n => n.Node is JsonValue v && v.GetValueKind() == JsonValueKind.Number).ToList();
                    if (numbers.Count == 0) break;
                    var (_, np, nk) = numbers[_random.Next(numbers.Count)];
                    Replace(np, nk, JsonNode.Parse(new[] { "0", "-1", "1e308", "-1e308", "9223372036854775808", "2147483648", "0.5", "-0", "1E+2" }[_random.Next(9)]));
                    applied.Add($"number {nk}");
                    break;
                }
                case 7: // empty strings
                {
                    var strings = nodes.Where(n => n.Node is JsonValue v && v.GetValueKind() == JsonValueKind.String).ToList();
                    if (strings.Count == 0) break;
                    var (_, sp, sk) = strings[_random.Next(strings.Count)];
                    Replace(sp, sk, JsonValue.Create(""));
                    applied.Add($"empty {sk}");
                    break;
                }
                case 8: // deep nesting
                {
                    if (parent is null) break;
                    var depth = _random.Next(1, 140);
                    JsonNode? wrapped = node?.DeepClone();
                    for (var d = 0; d < depth; d++) wrapped = _random.Next(2) == 0 ? new JsonArray(wrapped) : new JsonObject { ["a"] = wrapped };
                    Replace(parent, key, wrapped);
                    applied.Add($"nest {key} ×{depth}");
                    break;
                }
                case 9: // array ↔ object
                    if (parent is null) break;
                    if (node is JsonArray arr) { var o = new JsonObject(); for (var i = 0; i < arr.Count; i++) o[i.ToString()] = arr[i]?.DeepClone(); Replace(parent, key, o); applied.Add($"array→object {key}"); }
                    else if (node is JsonObject obj2) { Replace(parent, key, new JsonArray(obj2.Select(p => p.Value?.DeepClone()).ToArray())); applied.Add($"object→array {key}"); }
                    break;
                case 10: // a type field to another type
                {
                    var types = nodes.Where(n => n.Key is "type" && n.Parent is JsonObject).ToList();
                    if (types.Count == 0) break;
                    var (_, tp, _) = types[_random.Next(types.Count)];
                    ((JsonObject)tp!)["type"] = _random.Next(2) == 0 ? RandomBlockType() : EventTypes[_random.Next(EventTypes.Length)];
                    applied.Add("type");
                    break;
                }
                default: // an unknown key
                    if (node is JsonObject target2) { target2["unknown_" + _random.Next(100)] = RandomValue(); applied.Add("unknown key"); }
                    break;
            }
        }
        return (root, duplicates, applied);
    }

    /// <summary>Writes the tree, duplicating the first key of each object in <paramref name="duplicates"/>.</summary>
    public static byte[] Serialize(JsonNode? tree, HashSet<JsonObject> duplicates)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true, MaxDepth = 4096 }))
            Write(writer, tree, duplicates);
        return stream.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, JsonNode? node, HashSet<JsonObject> duplicates)
    {
        switch (node)
        {
            case null: writer.WriteNullValue(); break;
            case JsonObject obj:
                writer.WriteStartObject();
                var first = true;
                foreach (var (k, v) in obj)
                {
                    writer.WritePropertyName(k);
                    Write(writer, v, duplicates);
                    if (first && duplicates.Contains(obj))
                    {
                        writer.WritePropertyName(k);
                        writer.WriteStringValue("duplicate");
                    }
                    first = false;
                }
                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array) Write(writer, item, duplicates);
                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }

    /// <summary>Byte damage: flip, truncate, insert, delete or repeat a span.</summary>
    public byte[] DamageBytes(byte[] bytes)
    {
        if (bytes.Length == 0) return bytes;
        var list = new List<byte>(bytes);
        var at = _random.Next(list.Count);
        switch (_random.Next(5))
        {
            case 0: list[at] ^= (byte)(1 << _random.Next(8)); break;
            case 1: list.RemoveRange(at, list.Count - at); break;
            case 2: list.Insert(at, new byte[] { 0x00, 0xFF, (byte)'"', (byte)'{', (byte)']', (byte)',', (byte)'\\', 0xC3 }[_random.Next(8)]); break;
            case 3: list.RemoveRange(at, Math.Min(list.Count - at, _random.Next(1, 16))); break;
            default: list.InsertRange(at, list.Skip(at).Take(_random.Next(1, 32)).ToArray()); break;
        }
        return list.ToArray();
    }

    /// <summary>One mutated document: structural mutations, and byte damage one time in four.</summary>
    public (byte[] Bytes, string Description) Mutate(JsonNode seed)
    {
        var (tree, duplicates, applied) = MutateTree(seed);
        var bytes = Serialize(tree, duplicates);
        if (_random.Next(4) == 0)
        {
            bytes = DamageBytes(bytes);
            applied.Add("bytes");
        }
        return (bytes, string.Join(", ", applied));
    }

    public string RandomEventType() => EventTypes[_random.Next(EventTypes.Length)];

    public static string Preview(byte[] bytes, int max = 300)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return text.Length <= max ? text : text[..max] + "…";
    }
}
