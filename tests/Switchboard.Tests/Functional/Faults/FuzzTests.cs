using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Protocols;
using Xunit.Abstractions;

namespace Switchboard.Tests.Functional.Faults;

/// <summary>
/// A bounded, seeded mutation fuzzer: valid requests, responses and stream events of both APIs (golden cases and a
/// real Claude Code request) are mutated and run (a) through the translators in-process, where the only acceptable
/// failure is a documented <see cref="JsonException"/> (<see cref="TranslationException"/>), and (b) a sample through
/// the real gateway, where the answer is never a 5xx (the fake upstreams answer 200).
/// SWITCHBOARD_FUZZ_ITERATIONS (default 20000), SWITCHBOARD_FUZZ_HTTP (default 500), SWITCHBOARD_FUZZ_SEED run more or other inputs.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class FuzzTests(ITestOutputHelper output)
{
    private static readonly int Iterations = Report.EnvInt("SWITCHBOARD_FUZZ_ITERATIONS", 20_000);
    private static readonly int HttpIterations = Report.EnvInt("SWITCHBOARD_FUZZ_HTTP", 500);
    private static readonly int Seed = Report.EnvInt("SWITCHBOARD_FUZZ_SEED", 20_251_122);

    private static string GoldenDir(string direction) => Path.Combine(AppContext.BaseDirectory, "TestData", "Golden", direction);
    private const string AnthropicClient = "anthropic-client.openai-upstream";
    private const string OpenAIClient = "openai-client.anthropic-upstream";

    private static List<JsonNode> Load(string direction, string pattern) =>
        Directory.GetFiles(GoldenDir(direction), pattern).Order(StringComparer.Ordinal).Select(f => JsonNode.Parse(File.ReadAllText(f))!).ToList();

    private static List<List<(string? Type, string Data)>> LoadStreams(string direction) =>
        Directory.GetFiles(GoldenDir(direction), "*.stream.in.sse").Order(StringComparer.Ordinal).Select(f => ParseSse(File.ReadAllText(f))).ToList();

    private static List<(string? Type, string Data)> ParseSse(string text)
    {
        var events = new List<(string?, string)>();
        foreach (var block in text.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? type = null;
            var data = new List<string>();
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event:", StringComparison.Ordinal)) type = line[6..].Trim();
                else if (line.StartsWith("data:", StringComparison.Ordinal)) data.Add(line[5..].TrimStart());
            }
            if (data.Count > 0) events.Add((type, string.Join("\n", data)));
        }
        return events;
    }

    private static readonly TranslationTarget[] OpenAITargets =
    [
        new() { ModelId = "gpt-4.1", Provider = "openai", Api = ApiFormat.OpenAI, MaxOutputTokens = 32768 },
        new() { ModelId = "gpt-5", Provider = "openai", Api = ApiFormat.OpenAI },
        new() { ModelId = "gemini-2.5-pro", Provider = "gemini", Api = ApiFormat.OpenAI, MaxOutputTokens = 8192 },
        new() { ModelId = "deepseek-reasoner", Provider = "deepseek", Api = ApiFormat.OpenAI },
        new() { ModelId = "qwen2.5-coder:7b", Provider = "ollama", Api = ApiFormat.OpenAI },
    ];

    private static readonly TranslationTarget[] AnthropicTargets =
    [
        new() { ModelId = "claude-sonnet-4-5", Provider = "anthropic", Api = ApiFormat.Anthropic, MaxOutputTokens = 64000 },
        new() { ModelId = "claude-haiku-4-5", Provider = "anthropic", Api = ApiFormat.Anthropic },
    ];

    /// <summary>What the fuzzer found: distinct failures by exception type and where it was thrown.</summary>
    private sealed class Findings
    {
        private readonly ConcurrentDictionary<string, (int Count, string Sample, string Exception)> _byKey = new();
        public void Add(string area, Exception ex, byte[] input, string mutation)
        {
            var frame = ex.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains("Switchboard.", StringComparison.Ordinal)) ?? "?";
            var key = $"{area}: {ex.GetType().Name} at {frame}";
            _byKey.AddOrUpdate(key, _ => (1, $"[{mutation}] {JsonMutator.Preview(input)}", ex.ToString()), (_, v) => (v.Count + 1, v.Sample, v.Exception));
        }
        public void Add(string area, string problem, byte[] input, string mutation) =>
            _byKey.AddOrUpdate($"{area}: {problem}", _ => (1, $"[{mutation}] {JsonMutator.Preview(input)}", problem), (_, v) => (v.Count + 1, v.Sample, v.Exception));
        public IReadOnlyDictionary<string, (int Count, string Sample, string Exception)> All => _byKey;
    }

    private sealed class Tally
    {
        public int Tried, ParseRejected, Translated, Rejected;
        public IReadOnlyList<string> Row(string name) => [name, Tried.ToString(), ParseRejected.ToString(), Translated.ToString(), Rejected.ToString()];
    }

    [Fact]
    public async Task Mutated_inputs_never_crash_the_translators_or_the_gateway()
    {
        var findings = new Findings();
        var tallies = new Dictionary<string, Tally>();
        var watch = Stopwatch.StartNew();
        var mutator = new JsonMutator(Seed);

        var anthropicRequests = Load(AnthropicClient, "*.request.in.json");
        anthropicRequests.Add(JsonNode.Parse(File.ReadAllText(RepoPaths.Fixture("claude-code-2.1.330-request.json")))!);
        var openAIRequests = Load(OpenAIClient, "*.request.in.json");
        var openAIResponses = Load(AnthropicClient, "*.response.in.json");
        var anthropicResponses = Load(OpenAIClient, "*.response.in.json");
        var openAIStreams = LoadStreams(AnthropicClient);
        var anthropicStreams = LoadStreams(OpenAIClient);

        // (a) in-process: 40% requests, 20% responses, 40% streams.
        var requestBudget = Iterations * 2 / 5;
        var responseBudget = Iterations / 5;
        var streamBudget = Iterations - requestBudget - responseBudget;
        FuzzRequests("request anthropic→openai", ApiFormat.Anthropic, anthropicRequests, OpenAITargets, requestBudget / 2, mutator, findings, tallies);
        FuzzRequests("request openai→anthropic", ApiFormat.OpenAI, openAIRequests, AnthropicTargets, requestBudget - requestBudget / 2, mutator, findings, tallies);
        FuzzResponses("response openai→anthropic client", ApiFormat.Anthropic, ApiFormat.OpenAI, openAIResponses, responseBudget / 2, mutator, findings, tallies);
        FuzzResponses("response anthropic→openai client", ApiFormat.OpenAI, ApiFormat.Anthropic, anthropicResponses, responseBudget - responseBudget / 2, mutator, findings, tallies);
        FuzzStreams("stream openai→anthropic client", ApiFormat.Anthropic, ApiFormat.OpenAI, openAIStreams, streamBudget / 2, mutator, findings, tallies);
        FuzzStreams("stream anthropic→openai client", ApiFormat.OpenAI, ApiFormat.Anthropic, anthropicStreams, streamBudget - streamBudget / 2, mutator, findings, tallies);
        var inProcess = watch.Elapsed;

        // (b) through the real gateway.
        var http = await FuzzGatewayAsync(anthropicRequests, openAIRequests, new JsonMutator(Seed + 1), findings);
        watch.Stop();

        var sb = new StringBuilder("# Fuzz report\n\n");
        sb.Append($"Seed {Seed}; {tallies.Values.Sum(t => t.Tried)} in-process inputs in {inProcess.TotalSeconds:0.0} s, {http.Sent} through the gateway; total {watch.Elapsed.TotalSeconds:0.0} s.\n\n");
        sb.Append("Streams: inputs = mutations (events dropped, repeated, swapped, retyped, or their data mutated), translated = events translated, " +
            "rejected = streams ended by a JsonException/TranslationException from an event (then OnFailed, as the gateway's pump does).\n\n");
        sb.Append(Report.Table(["target", "inputs", "not JSON (rejected by the parser)", "translated", "rejected (TranslationException, UnsupportedByTargetException)"], tallies.Select(t => t.Value.Row(t.Key))));
        sb.Append("\nThrough the gateway: ").Append(string.Join(", ", http.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))).Append('\n');
        sb.Append("\n## Findings\n\n");
        if (findings.All.Count == 0) sb.Append("None.\n");
        foreach (var (key, (count, sample, exception)) in findings.All.OrderByDescending(f => f.Value.Count))
            sb.Append($"- **{count}×** {key}\n  - input: `{sample.Replace("`", "'").Replace("\n", " ")}`\n  - {exception.Split('\n')[0].Replace("`", "'")}\n");
        var report = sb.ToString();
        output.WriteLine(report);
        output.WriteLine("report: " + Report.Write("fuzz-report.md", report));

        Assert.True(tallies.Values.Sum(t => t.Translated) > Iterations / 10, "too few mutated inputs got as far as a translator: the fuzzer is not exercising it");
        Assert.True(findings.All.Count == 0, $"{findings.All.Count} distinct failures:\n" + string.Join("\n", findings.All.Select(f => $"{f.Value.Count}× {f.Key}\n   {f.Value.Sample}\n   {f.Value.Exception}").Take(10)));
    }

    private static Tally TallyFor(Dictionary<string, Tally> tallies, string name) =>
        tallies.TryGetValue(name, out var t) ? t : tallies[name] = new Tally();

    private static void FuzzRequests(string name, ApiFormat client, List<JsonNode> seeds, TranslationTarget[] targets, int budget, JsonMutator mutator, Findings findings, Dictionary<string, Tally> tallies)
    {
        var tally = TallyFor(tallies, name);
        for (var i = 0; i < budget; i++)
        {
            // The big Claude Code request is one seed of several, but mutating it costs more: use it one time in eight.
            var seed = seeds[^1] is var last && mutator.Random.Next(8) == 0 ? last : seeds[mutator.Random.Next(seeds.Count)];
            var (bytes, mutation) = mutator.Mutate(seed);
            var target = targets[mutator.Random.Next(targets.Length)];
            tally.Tried++;
            JsonDocument document;
            try
            {
                // What the gateway does first: the peek (UTF-8, structure, depth), then the DOM.
                RequestPeek.Read(bytes);
                document = JsonDocument.Parse(bytes, RequestPeek.DocumentOptions);
            }
            catch (JsonException)
            {
                tally.ParseRejected++;
                continue;
            }
            using (document)
            {
                try
                {
                    var translated = ProtocolTranslation.TranslateRequest(client, document.RootElement, target);
                    tally.Translated++;
                    if (!IsJson(translated.Body)) findings.Add(name, "translated body is not valid JSON", bytes, mutation);
                }
                catch (Exception ex) when (ex is TranslationException or UnsupportedByTargetException)
                {
                    tally.Rejected++; // a 400 in the client's format (or, for the latter, the next fallback)
                }
                catch (Exception ex)
                {
                    findings.Add(name, ex, bytes, mutation);
                }
            }
        }
    }

    private static void FuzzResponses(string name, ApiFormat client, ApiFormat upstream, List<JsonNode> seeds, int budget, JsonMutator mutator, Findings findings, Dictionary<string, Tally> tallies)
    {
        var tally = TallyFor(tallies, name);
        for (var i = 0; i < budget; i++)
        {
            var (bytes, mutation) = mutator.Mutate(seeds[mutator.Random.Next(seeds.Count)]);
            tally.Tried++;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(bytes);
            }
            catch (JsonException)
            {
                tally.ParseRejected++;
                continue;
            }
            using (document)
            {
                try
                {
                    var translated = ProtocolTranslation.TranslateResponse(client, upstream, document.RootElement, "client-model", out _);
                    tally.Translated++;
                    if (!IsJson(translated)) findings.Add(name, "translated response is not valid JSON", bytes, mutation);
                }
                catch (TranslationException)
                {
                    tally.Rejected++;
                }
                catch (Exception ex)
                {
                    findings.Add(name, ex, bytes, mutation);
                }
            }
        }
    }

    /// <summary>
    /// Mutated event sequences (payloads mutated, event types changed, events dropped, repeated and swapped) through a
    /// stream translator as the gateway's pump drives it: a throwing event ends the stream through OnFailed. Whatever
    /// comes in, what goes out must be a well-formed client stream.
    /// </summary>
    private static void FuzzStreams(string name, ApiFormat client, ApiFormat upstream, List<List<(string? Type, string Data)>> seeds, int budget, JsonMutator mutator, Findings findings, Dictionary<string, Tally> tallies)
    {
        var tally = TallyFor(tallies, name);
        var random = mutator.Random;
        var wire = client == ApiFormat.Anthropic ? WireApi.Anthropic : WireApi.OpenAI;
        // One iteration = one mutated event; a stream has several.
        while (tally.Tried < budget)
        {
            var events = seeds[random.Next(seeds.Count)].ToList();
            var mutations = new List<string>();
            var rounds = 1 + random.Next(3);
            for (var r = 0; r < rounds && events.Count > 0; r++)
            {
                var at = random.Next(events.Count);
                switch (random.Next(6))
                {
                    case 0: events.RemoveAt(at); mutations.Add($"drop {at}"); break;
                    case 1: events.Insert(at, events[random.Next(events.Count)]); mutations.Add($"repeat at {at}"); break;
                    case 2: var other = random.Next(events.Count); (events[at], events[other]) = (events[other], events[at]); mutations.Add($"swap {at},{other}"); break;
                    case 3: events[at] = (mutator.RandomEventType(), events[at].Data); mutations.Add($"type {at}"); break;
                    default:
                        JsonNode? node = null;
                        try { node = JsonNode.Parse(events[at].Data); _ = node?.ToJsonString(); } catch (Exception ex) when (ex is JsonException or ArgumentException) { node = null; } // duplicate keys from an earlier round
                        if (node is null) { events[at] = (events[at].Type, Encoding.UTF8.GetString(mutator.DamageBytes(Encoding.UTF8.GetBytes(events[at].Data)))); mutations.Add($"bytes {at}"); break; }
                        byte[] bytes; string m;
                        try { (bytes, m) = mutator.Mutate(node); }
                        catch (ArgumentException) { (bytes, m) = (mutator.DamageBytes(Encoding.UTF8.GetBytes(events[at].Data)), "bytes"); } // duplicate keys from an earlier round
                        events[at] = (events[at].Type, Encoding.UTF8.GetString(bytes));
                        mutations.Add($"data {at} ({m})");
                        break;
                }
            }
            tally.Tried += Math.Max(1, mutations.Count);
            var description = string.Join("; ", mutations);
            var input = Encoding.UTF8.GetBytes(string.Join("", events.Select(e => (e.Type is null ? "" : $"event: {e.Type}\n") + $"data: {e.Data}\n\n")));
            var translator = ProtocolTranslation.CreateStreamTranslator(client, upstream, "client-model", clientWantsUsage: random.Next(2) == 0, estimatedInputTokens: 10);
            var output = new ArrayBufferWriter<byte>();
            var eventOutput = new ArrayBufferWriter<byte>();
            var failed = false;
            foreach (var (type, data) in events)
            {
                try
                {
                    // Like the pump: an event's output is flushed once it is translated, dropped if it throws.
                    eventOutput.ResetWrittenCount();
                    translator.OnEvent(type, Encoding.UTF8.GetBytes(data), eventOutput);
                    output.Write(eventOutput.WrittenSpan);
                    tally.Translated++;
                }
                catch (JsonException)
                {
                    tally.Rejected++;
                    failed = true;
                }
                catch (Exception ex)
                {
                    findings.Add(name, ex, input, description);
                    failed = true;
                }
                if (failed) break;
            }
            try
            {
                if (failed) translator.OnFailed("Upstream stream failed: fuzz", output);
                else translator.OnCompleted(output);
            }
            catch (Exception ex)
            {
                findings.Add(name + " (closing)", ex, input, description);
                continue;
            }
            var verdict = ResponseJudge.JudgeStream(wire, Encoding.UTF8.GetString(output.WrittenSpan));
            if (verdict is not (ResponseJudge.StreamVerdict.Complete or ResponseJudge.StreamVerdict.EndedWithError))
                findings.Add(name, $"client stream not well formed ({verdict})", input, description);
        }
    }

    private sealed record HttpTally(int Sent, Dictionary<int, int> Statuses);

    private async Task<HttpTally> FuzzGatewayAsync(List<JsonNode> anthropicRequests, List<JsonNode> openAIRequests, JsonMutator mutator, Findings findings)
    {
        await using var openAI = await ChaosUpstream.StartAsync(WireApi.OpenAI);
        await using var anthropic = await ChaosUpstream.StartAsync(WireApi.Anthropic);
        await using var gateway = await TestGateway.StartAsync(Yaml.TwoProviders(openAI.BaseUrl, anthropic.BaseUrl, """
            resilience:
              max_retries: 0
            """), Yaml.Keys);
        // Prepare the inputs first (the mutator is not thread-safe), then send them 16 at a time.
        var inputs = new List<(WireApi Client, byte[] Body, string Mutation)>();
        for (var i = 0; i < HttpIterations; i++)
        {
            var client = i % 2 == 0 ? WireApi.Anthropic : WireApi.OpenAI;
            var seeds = client == WireApi.Anthropic ? anthropicRequests : openAIRequests;
            var seed = seeds[mutator.Random.Next(seeds.Count)].DeepClone();
            // Half passthrough, half translated.
            if (seed is JsonObject o) o["model"] = mutator.Random.Next(2) == 0 ? "claude-sonnet-4-5" : "gpt-4.1";
            var (bytes, mutation) = mutator.Mutate(seed);
            inputs.Add((client, bytes, mutation));
        }
        var statuses = new ConcurrentDictionary<int, int>();
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(inputs.Select(async input =>
        {
            await gate.WaitAsync();
            try
            {
                var path = input.Client == WireApi.Anthropic ? "/v1/messages" : "/v1/chat/completions";
                var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(input.Body) };
                request.Content.Headers.ContentType = new("application/json");
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try
                {
                    using var response = await gateway.Http.SendAsync(request, cts.Token);
                    var text = await response.Content.ReadAsStringAsync(cts.Token);
                    var status = (int)response.StatusCode;
                    statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                    if (status >= 500) findings.Add("gateway", $"HTTP {status}: {ResponseJudge.Trim(text, 200)}", input.Body, input.Mutation);
                    else if (status >= 400 && ResponseJudge.JudgeJsonError(input.Client, text) is { } problem)
                        findings.Add("gateway", $"HTTP {status} error body: {problem}", input.Body, input.Mutation);
                    else if (status == 200 && response.Content.Headers.ContentType?.MediaType == "text/event-stream"
                        && ResponseJudge.JudgeStream(input.Client, text) is not (ResponseJudge.StreamVerdict.Complete or ResponseJudge.StreamVerdict.EndedWithError) and var verdict)
                        findings.Add("gateway", $"stream not well formed ({verdict})", input.Body, input.Mutation);
                }
                catch (OperationCanceledException)
                {
                    findings.Add("gateway", "no answer within 20 s (hang)", input.Body, input.Mutation);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        foreach (var line in gateway.Logs.Lines.Where(l => l.Contains("failed inside the gateway", StringComparison.Ordinal)))
            findings.Add("gateway log", ResponseJudge.Trim(line, 300), [], "");
        return new HttpTally(inputs.Count, new Dictionary<int, int>(statuses));
    }

    private static bool IsJson(ReadOnlySpan<byte> bytes)
    {
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = 4096 });
        try
        {
            while (reader.Read()) { }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
