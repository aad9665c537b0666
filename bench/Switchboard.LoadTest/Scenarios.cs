using System.Text.Json;

namespace Switchboard.LoadTest;

/// <summary>The client's API and the provider's API.</summary>
internal enum Pairing
{
    OpenAIPassthrough,
    AnthropicPassthrough,
    /// <summary>An Anthropic client, an OpenAI-format provider.</summary>
    Translated,
    /// <summary>An OpenAI Responses client (Codex's API), an Anthropic-format provider: through the Chat form both ways.</summary>
    ResponsesTranslated,
}

/// <summary>Today's small conversation (~1 KB), or what Claude Code sends late in a session (165–214 KB).</summary>
internal enum RequestSize { Small, ClaudeCode }

/// <summary>Non-streaming JSON, a 20-chunk stream 5 ms apart, or a slow stream held open (1 chunk/s) for the memory test.</summary>
internal enum Shape { Json, Stream, Hold }

/// <summary>
/// A gateway configuration. Each profile runs as its own gateway process: the generated config
/// (<see cref="BenchmarkRun"/>) with <see cref="ExtraYaml"/> appended at the top level, its environment plus
/// <see cref="Env"/>; its clients send <see cref="ClientHeaders"/> on top of (or instead of) the usual ones.
/// </summary>
internal sealed record GatewayProfile(string Name, string ExtraYaml = "", IReadOnlyDictionary<string, string>? Env = null,
    (string Name, string Value)[]? ClientHeaders = null)
{
    public static readonly GatewayProfile Bare = new("bare");

    /// <summary>The bare config with the per-request log line off (an ordinary ASP.NET Core logging key).</summary>
    public static readonly GatewayProfile LoggingOff = new("logging off", Env: new Dictionary<string, string> { ["Logging__LogLevel__Switchboard"] = "Warning" });

    /// <summary>
    /// A profile from a config fragment file (<c>--features FILE</c>, e.g. bench/features/gateway-key.yaml): its YAML is
    /// appended to the generated config, and each <c># header: NAME: VALUE</c> comment line is a header its clients send
    /// (a gateway key, say). Named after the file.
    /// </summary>
    public static GatewayProfile FromFragment(string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"--features: no such file {path}");
        var yaml = File.ReadAllText(path);
        var headers = new List<(string, string)>();
        foreach (var line in yaml.Split('\n'))
        {
            var text = line.Trim();
            if (!text.StartsWith("# header:", StringComparison.Ordinal)) continue;
            var header = text["# header:".Length..].Trim();
            var colon = header.IndexOf(':');
            if (colon <= 0) throw new ArgumentException($"--features {path}: '{text}' should read '# header: NAME: VALUE'");
            headers.Add((header[..colon].Trim(), header[(colon + 1)..].Trim()));
        }
        return new GatewayProfile(Path.GetFileNameWithoutExtension(path), "\n" + yaml.TrimEnd() + "\n", ClientHeaders: headers.Count > 0 ? [.. headers] : null);
    }
}

/// <summary>One scenario: what the client sends, how big, and to which gateway configuration.</summary>
internal sealed record ScenarioSpec(string Name, Pairing Pairing, RequestSize Size, GatewayProfile? Profile = null)
{
    public GatewayProfile Gateway => Profile ?? GatewayProfile.Bare;

    /// <summary>
    /// Every scenario, in report order. A scenario against another gateway configuration is one more line, e.g.
    /// <c>new("OpenAI passthrough, Claude Code-size, features on", Pairing.OpenAIPassthrough, RequestSize.ClaudeCode,
    /// new GatewayProfile("features on", ExtraYaml: "…", ClientHeaders: [("authorization", "Bearer sb-…")]))</c>.
    /// </summary>
    public static readonly ScenarioSpec[] All =
    [
        new("OpenAI passthrough", Pairing.OpenAIPassthrough, RequestSize.Small),
        new("Anthropic passthrough", Pairing.AnthropicPassthrough, RequestSize.Small),
        new("Anthropic client → OpenAI provider (translated)", Pairing.Translated, RequestSize.Small),
        new("OpenAI passthrough, Claude Code-size", Pairing.OpenAIPassthrough, RequestSize.ClaudeCode),
        new("Anthropic passthrough, Claude Code-size", Pairing.AnthropicPassthrough, RequestSize.ClaudeCode),
        new("Anthropic client → OpenAI provider (translated), Claude Code-size", Pairing.Translated, RequestSize.ClaudeCode),
        new("Responses client → Anthropic provider (translated)", Pairing.ResponsesTranslated, RequestSize.Small),
    ];

    /// <summary>
    /// The scenarios a filter names, terms separated by ';' (names hold commas): a term that is a scenario's whole name
    /// picks that one; any other term picks every scenario whose name contains it ("Claude Code" picks the large ones).
    /// </summary>
    public static List<ScenarioSpec> Select(string? filter, GatewayProfile? features, string? featuresFilter = null)
    {
        var selected = Select(filter);
        if (features is null) return selected;
        var twinned = Select(featuresFilter).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        return [.. selected.SelectMany(s => twinned.Contains(s.Name) ? new[] { s, s with { Name = $"{s.Name}, {features.Name}", Profile = features } } : [s])];
    }

    public static List<ScenarioSpec> Select(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter)) return [.. All];
        var terms = filter.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return All.Where(s => terms.Any(t => All.Any(a => a.Name.Equals(t, StringComparison.OrdinalIgnoreCase))
            ? s.Name.Equals(t, StringComparison.OrdinalIgnoreCase)
            : s.Name.Contains(t, StringComparison.OrdinalIgnoreCase))).ToList();
    }
}

/// <summary>A scenario's three ways to send the same request: to the upstream directly, through nginx, through the gateway.</summary>
internal sealed record Scenario(ScenarioSpec Spec, Target Direct, Target Nginx, Target Gateway)
{
    public string Name => Spec.Name;
}

/// <summary>Builds a scenario's targets: URLs on the running processes and the bodies for each side.</summary>
internal sealed class ScenarioFactory(int upstreamPort, int nginxPort, ClaudeCodeBodies claudeCode)
{
    public const int StreamChunks = 20, StreamGapMs = 5;
    private static readonly (string, string)[] AnthropicHeaders = [("anthropic-version", "2023-06-01"), ("x-api-key", "sk-ant-bench")];
    private static readonly (string, string)[] OpenAIHeaders = [("authorization", "Bearer sk-bench")];

    /// <summary>The upstream path prefix that picks the fake upstream's stream shape (see FakeUpstream/Program.cs).</summary>
    public static string ShapePath(Shape shape) => shape switch
    {
        Shape.Stream => $"/s{StreamChunks}x{StreamGapMs}",
        Shape.Hold => "/s90x1000",
        _ => "",
    };

    /// <summary>The model-name suffix the generated gateway config maps to that shape.</summary>
    public static string ModelSuffix(Shape shape) => shape switch { Shape.Stream => "stream", Shape.Hold => "hold", _ => "bench" };

    public Scenario Build(ScenarioSpec spec, int gatewayPort, Shape shape)
    {
        var suffix = ModelSuffix(shape);
        var stream = shape != Shape.Json;
        var upstream = $"http://127.0.0.1:{upstreamPort}{ShapePath(shape)}/v1";
        var nginx = $"http://127.0.0.1:{nginxPort}{ShapePath(shape)}/v1";
        var gateway = $"http://127.0.0.1:{gatewayPort}/v1";
        var large = spec.Size == RequestSize.ClaudeCode;

        // The direct baseline is what the client would do without a gateway; for the translated pairing that is
        // calling the OpenAI-format provider itself, with the same conversation in OpenAI form.
        var (directPath, directBody, directHeaders) = spec.Pairing switch
        {
            Pairing.AnthropicPassthrough or Pairing.ResponsesTranslated => ("/messages", large ? claudeCode.Anthropic($"claude-{suffix}", stream) : Bodies.Anthropic($"claude-{suffix}", stream), AnthropicHeaders),
            Pairing.Translated => ("/chat/completions", large ? claudeCode.OpenAIOfAnthropic($"gpt-{suffix}", stream) : Bodies.OpenAI($"gpt-{suffix}", stream), OpenAIHeaders),
            _ => ("/chat/completions", large ? claudeCode.OpenAI($"gpt-{suffix}", stream) : Bodies.OpenAI($"gpt-{suffix}", stream), OpenAIHeaders),
        };
        var (gatewayPath, gatewayBody, gatewayHeaders) = spec.Pairing switch
        {
            Pairing.AnthropicPassthrough => ("/messages", large ? claudeCode.Anthropic($"anthropic/claude-{suffix}", stream) : Bodies.Anthropic($"anthropic/claude-{suffix}", stream), AnthropicHeaders),
            Pairing.Translated => ("/messages", large ? claudeCode.Anthropic($"openai/gpt-{suffix}", stream) : Bodies.Anthropic($"openai/gpt-{suffix}", stream), AnthropicHeaders),
            Pairing.ResponsesTranslated => ("/responses", Bodies.Responses($"anthropic/claude-{suffix}", stream), OpenAIHeaders),
            _ => ("/chat/completions", large ? claudeCode.OpenAI($"openai/gpt-{suffix}", stream) : Bodies.OpenAI($"openai/gpt-{suffix}", stream), OpenAIHeaders),
        };
        return new Scenario(spec,
            new Target("direct", new Uri(upstream + directPath), directBody, directHeaders),
            new Target("nginx", new Uri(nginx + directPath), directBody, directHeaders),
            new Target("gateway", new Uri(gateway + gatewayPath), gatewayBody, WithClientHeaders(gatewayHeaders, spec.Gateway.ClientHeaders)));
    }

    private static (string, string)[] WithClientHeaders((string Name, string Value)[] usual, (string Name, string Value)[]? extra) =>
        extra is null ? usual : [.. usual.Where(u => !extra.Any(e => e.Name.Equals(u.Name, StringComparison.OrdinalIgnoreCase))), .. extra];
}

/// <summary>The small request: a system prompt and three turns, ~1 KB.</summary>
internal static class Bodies
{
    private const string System = "You are a careful senior engineer. Answer concisely, show code when it helps, and explain trade-offs. Prefer the standard library; never invent APIs. When unsure, say so and suggest how to check.";
    private static readonly string[] Turns =
    [
        "I have a C# service that reads orders from a queue and writes them to PostgreSQL. Under load the p99 latency jumps to two seconds. Where would you start?",
        "Start by measuring where the time goes: queue wait, deserialization, the database round trip, and connection pool waits. Enable Npgsql's metrics and look at pool wait time first; a pool that is too small is the usual culprit.",
        "The pool wait is near zero. The database round trip is 3 ms at p50 but 1.8 s at p99. The table has 40 million rows and an index on (customer_id, created_at). What next?",
    ];

    public static byte[] OpenAI(string model, bool stream)
    {
        var messages = new List<object> { new Dictionary<string, string> { ["role"] = "system", ["content"] = System } };
        for (var i = 0; i < Turns.Length; i++) messages.Add(new Dictionary<string, string> { ["role"] = i % 2 == 0 ? "user" : "assistant", ["content"] = Turns[i] });
        var body = new Dictionary<string, object> { ["model"] = model, ["max_tokens"] = 1024, ["temperature"] = 0.2, ["messages"] = messages };
        if (stream) { body["stream"] = true; body["stream_options"] = new Dictionary<string, object> { ["include_usage"] = true }; }
        return Load.Utf8(JsonSerializer.Serialize(body, RoutingJson.Default.DictionaryStringObject));
    }

    /// <summary>The same conversation as an OpenAI Responses request, as Codex writes one (instructions, message items, store false).</summary>
    public static byte[] Responses(string model, bool stream)
    {
        var input = new List<object>();
        for (var i = 0; i < Turns.Length; i++)
        {
            var user = i % 2 == 0;
            input.Add(new Dictionary<string, object>
            {
                ["type"] = "message",
                ["role"] = user ? "user" : "assistant",
                ["content"] = new object[] { new Dictionary<string, string> { ["type"] = user ? "input_text" : "output_text", ["text"] = Turns[i] } },
            });
        }
        var body = new Dictionary<string, object> { ["model"] = model, ["instructions"] = System, ["input"] = input, ["max_output_tokens"] = 1024, ["temperature"] = 0.2, ["store"] = false };
        if (stream) body["stream"] = true;
        return Load.Utf8(JsonSerializer.Serialize(body, RoutingJson.Default.DictionaryStringObject));
    }

    public static byte[] Anthropic(string model, bool stream)
    {
        var messages = new List<object>();
        for (var i = 0; i < Turns.Length; i++) messages.Add(new Dictionary<string, string> { ["role"] = i % 2 == 0 ? "user" : "assistant", ["content"] = Turns[i] });
        var body = new Dictionary<string, object> { ["model"] = model, ["max_tokens"] = 1024, ["temperature"] = 0.2, ["system"] = System, ["messages"] = messages };
        if (stream) body["stream"] = true;
        return Load.Utf8(JsonSerializer.Serialize(body, RoutingJson.Default.DictionaryStringObject));
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, object>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(List<object>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(object[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
[System.Text.Json.Serialization.JsonSerializable(typeof(int))]
[System.Text.Json.Serialization.JsonSerializable(typeof(double))]
[System.Text.Json.Serialization.JsonSerializable(typeof(bool))]
internal sealed partial class RoutingJson : System.Text.Json.Serialization.JsonSerializerContext;
