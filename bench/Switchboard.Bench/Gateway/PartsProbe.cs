using System.Diagnostics;
using System.Text.Json;
using Switchboard.Protocols;

namespace Switchboard.Bench.Gateway;

/// <summary>
/// `probe-parts [N]`: what each piece of the gateway's own work costs on the Claude Code-size bodies, in process, no
/// sockets: the fastest of N runs of each (the minimum is what the code costs; the rest is the shared machine) and the
/// bytes it allocates. The request path's other costs (sockets, Kestrel, HttpClient) are what `probe` adds on top.
/// </summary>
internal static class PartsProbe
{
    public static int Run(string[] args)
    {
        var n = args.Length > 1 && int.TryParse(args[1], out var parsed) ? parsed : 200;
        if (args.Length > 1 && args[1] == "--types") n = 50;
        if (args.Contains("--responses")) return ResponsesParts(n, args.Contains("--types"));
        if (args.Contains("--streams")) return StreamPartsProbe.Run(n);
        var bodies = new Switchboard.LoadTest.ClaudeCodeBodies(GatewayRequestProbe.ClaudeCodeFixture());
        var openAI = bodies.OpenAI("openai/gpt-bench", false);
        var anthropic = bodies.Anthropic("openai/gpt-bench", false);
        var target = new TranslationTarget { ModelId = "gpt-bench", Provider = "openai", Api = ApiFormat.OpenAI };
        var openAIPeek = RequestPeek.Read(openAI);
        var anthropicPeek = RequestPeek.Read(anthropic);
        Console.Error.WriteLine($"{"part",-58} {"µs (min)",9} {"µs (p50)",9} {"bytes",10}");
        Console.Error.WriteLine($"fast path taken: OpenAI form {RequestPeek.TryReadFast(openAI, out _)}, Anthropic form {RequestPeek.TryReadFast(anthropic, out _)}");
        Measure($"JsonScan.Value alone, {openAI.Length:N0} B", n, () => JsonScan.Value(openAI, 0, out _));
        Measure($"UTF-8 validation, {openAI.Length:N0} B", n, () => System.Text.Unicode.Utf8.IsValid(openAI));
        Measure($"RequestPeek.Read (UTF-8 check + JsonScan), {openAI.Length:N0} B", n, () => RequestPeek.Read(openAI));
        Measure($"RequestPeek.Read, {anthropic.Length:N0} B (Anthropic form)", n, () => RequestPeek.Read(anthropic));
        Measure($"RequestPeek.ReadWithReader (one Utf8JsonReader pass, before), {openAI.Length:N0} B", n, () => RequestPeek.ReadWithReader(openAI));
        Measure($"RequestPeek.ReadWithReader, {anthropic.Length:N0} B (Anthropic form)", n, () => RequestPeek.ReadWithReader(anthropic));
        Measure("splice edits (model, max_tokens): no body copy", n, () => openAIPeek.Splice("gpt-4.1", 32000));
        Measure($"the whole-body copy it replaced (WithModel), {openAI.Length:N0} B", n, () => openAIPeek.WithModel(openAI, "gpt-4.1", 32000));
        Measure($"rewrite markers' scan, Anthropic form: the signature members, {anthropic.Length:N0} B", n, () => Switchboard.Protocols.Anthropic.UnsignedThinking.MayContainForeignThinking(anthropic));
        Measure("the same as the five whole-body searches it replaced", n, () => _ =
            anthropic.AsSpan().IndexOf("\"signature\":\"\""u8) >= 0 || anthropic.AsSpan().IndexOf("\"signature\": \"\""u8) >= 0
            || anthropic.AsSpan().IndexOf("\"signature\":\"gemini:"u8) >= 0 || anthropic.AsSpan().IndexOf("\"signature\": \"gemini:"u8) >= 0
            || anthropic.AsSpan().IndexOf("openai-responses:"u8) >= 0);
        Measure($"rewrite marker's scan, OpenAI form (__ts), {openAI.Length:N0} B", n, () => Switchboard.Protocols.Translation.SignedToolCallIds.MayContainSignedIds(openAI));
        Measure("JsonDocument.Parse (the DOM translation reads), 165 KB", n, () => { using var d = JsonDocument.Parse(anthropic, RequestPeek.DocumentOptions); });
        using var document = JsonDocument.Parse(anthropic, RequestPeek.DocumentOptions);
        var capacity = anthropic.Length + anthropic.Length / 4; // as UpstreamPlan sizes the translation's buffer
        Measure("Anthropic → OpenAI, DOM path: translation alone, given the DOM", n, () => { using var w = new PooledBufferWriter(capacity); Switchboard.Protocols.Anthropic.AnthropicToOpenAIRequest.TranslateWithDom(document.RootElement, target, w); });
        Measure("Anthropic → OpenAI, DOM path: parse + translation (before)", n, () =>
        {
            using var d = JsonDocument.Parse(anthropic, RequestPeek.DocumentOptions);
            using var w = new PooledBufferWriter(capacity);
            Switchboard.Protocols.Anthropic.AnthropicToOpenAIRequest.TranslateWithDom(d.RootElement, target, w);
        });
        Measure("token estimate from the DOM (streams, before)", n, () => CountTokensEstimator.EstimateAnthropicRequest(document.RootElement));
        Measure("Anthropic → OpenAI, forward pass (no DOM)", n, () => { using var w = new PooledBufferWriter(capacity); Forward(anthropic, anthropicPeek, target, w, false); });
        Measure("Anthropic → OpenAI, forward pass + token estimate (streams)", n, () => { using var w = new PooledBufferWriter(capacity); Forward(anthropic, anthropicPeek, target, w, true); });
        Measure("Anthropic → OpenAI request, as a new array (JsonElement entry)", n, () => ProtocolTranslation.TranslateRequest(ApiFormat.Anthropic, document.RootElement, target));
        var dump = Array.IndexOf(args, "--dump");
        if (dump > 0 && dump + 1 < args.Length)
        {
            // The forward pass's output on the 165 KB body (OpenAI and Gemini-schema targets), for a byte comparison of two builds.
            var gemini = new TranslationTarget { ModelId = "gemini-bench", Provider = "gemini", Api = ApiFormat.OpenAI };
            foreach (var (name, t) in new[] { ("openai", target), ("gemini", gemini) })
            {
                using var w = new PooledBufferWriter(capacity);
                Forward(anthropic, anthropicPeek, t, w, true);
                File.WriteAllBytes(Path.Combine(args[dump + 1], $"forward-{name}.json"), w.WrittenSpan.ToArray());
            }
        }
        if (args.Contains("--loop"))
        {
            // For a profiler (dotnet-trace collect -- … probe-parts 1 --loop): the forward pass alone, 20,000 times.
            for (var i = 0; i < 20000; i++) { using var w = new PooledBufferWriter(capacity); Forward(anthropic, anthropicPeek, target, w, false); }
            return 0;
        }
        if (args.Contains("--types"))
        {
            // What the forward pass allocates, by type (sampled by the runtime every ~100 KB).
            using var sampler = new AllocationSampler();
            for (var i = 0; i < 2000; i++) { using var w = new PooledBufferWriter(capacity); Forward(anthropic, anthropicPeek, target, w, true); }
            sampler.Print("forward pass + estimate", 2000);
        }
        return 0;
    }

    /// <summary>`probe-parts N --responses`: a Responses client's translations toward Anthropic, one step against the pivot they replace.</summary>
    private static int ResponsesParts(int n, bool types)
    {
        var target = new TranslationTarget { ModelId = "claude-bench", Provider = "anthropic", Api = ApiFormat.Anthropic, MaxOutputTokens = 64000 };
        var codex = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "codex-0.171.0-request.json"));
        var small = System.Text.Encoding.UTF8.GetBytes(
            """{"model":"anthropic/claude-bench","instructions":"You are a careful senior engineer. Answer concisely, show code when it helps, and explain trade-offs.","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"I have a C# service that reads orders from a queue and writes them to PostgreSQL. Under load the p99 latency jumps to two seconds. Where would you start?"}]},{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Start by measuring where the time goes: queue wait, deserialization, the database round trip, and connection pool waits."}]},{"type":"message","role":"user","content":[{"type":"input_text","text":"The pool wait is near zero. What next?"}]}],"max_output_tokens":1024,"temperature":0.2,"store":false}""");
        Console.Error.WriteLine($"{"part",-58} {"µs (min)",9} {"µs (p50)",9} {"bytes",10}");
        foreach (var (name, body) in new[] { ("small", small), ($"Codex {codex.Length / 1024} KB", codex) })
        {
            Measure($"request {name}: DOM + pivot (before)", n, () =>
            {
                using var d = JsonDocument.Parse(body, RequestPeek.DocumentOptions);
                Switchboard.Protocols.Responses.ResponsesTranslation.TranslateThroughChat(d.RootElement, target);
            });
            Measure($"request {name}: DOM + one step, pooled buffer", n, () =>
            {
                using var d = JsonDocument.Parse(body, RequestPeek.DocumentOptions);
                using var w = new PooledBufferWriter(Math.Max(4096, body.Length + body.Length / 2));
                if (!Switchboard.Protocols.Responses.ResponsesToAnthropicRequest.TryTranslate(d.RootElement, target, w, out _, out _)) throw new InvalidOperationException("declined");
            });
        }
        if (types)
        {
            // What the one-step request translation allocates on the Codex request, by type (sampled every ~100 KB).
            using var sampler = new AllocationSampler();
            for (var i = 0; i < 2000; i++)
            {
                using var d = JsonDocument.Parse(codex, RequestPeek.DocumentOptions);
                using var w = new PooledBufferWriter(Math.Max(4096, codex.Length + codex.Length / 2));
                Switchboard.Protocols.Responses.ResponsesToAnthropicRequest.TryTranslate(d.RootElement, target, w, out _, out _);
            }
            sampler.Print("request Codex: DOM + one step", 2000);
        }
        var answer = System.Text.Encoding.UTF8.GetBytes(
            """{"id":"msg_bench","type":"message","role":"assistant","model":"claude-bench","content":[{"type":"text","text":"Hello from the fake upstream: a short answer of about twenty tokens, as a small completion would be."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":42,"output_tokens":21}}""");
        Measure("answer: parse + Anthropic → Chat → Responses (before)", n, () =>
        {
            using var d = JsonDocument.Parse(answer);
            Switchboard.Protocols.Responses.ResponsesTranslation.TranslateResponseThroughChat(ApiFormat.Anthropic, d.RootElement, null, out _, null, null);
        });
        Measure("answer: parse + Anthropic → Responses, one step", n, () =>
        {
            using var d = JsonDocument.Parse(answer);
            Switchboard.Protocols.Responses.AnthropicToResponsesResponse.Translate(d.RootElement, null, null, out _);
        });
        // The fake upstream's 20-chunk stream, event by event, into one reused output buffer.
        var events = new List<(string Type, byte[] Data)>
        {
            ("message_start", System.Text.Encoding.UTF8.GetBytes("""{"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","model":"claude-bench","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":42,"output_tokens":1}}}""")),
            ("content_block_start", System.Text.Encoding.UTF8.GetBytes("""{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""")),
        };
        for (var i = 0; i < 20; i++)
            events.Add(("content_block_delta", System.Text.Encoding.UTF8.GetBytes($$$"""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"~tk{{{123456789012 + i}}} "}}""")));
        events.Add(("content_block_stop", System.Text.Encoding.UTF8.GetBytes("""{"type":"content_block_stop","index":0}""")));
        events.Add(("message_delta", System.Text.Encoding.UTF8.GetBytes("""{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":21}}""")));
        events.Add(("message_stop", System.Text.Encoding.UTF8.GetBytes("""{"type":"message_stop"}""")));
        var output = new System.Buffers.ArrayBufferWriter<byte>(64 * 1024);
        void Pump(IStreamTranslator translator)
        {
            output.ResetWrittenCount();
            foreach (var (type, data) in events) translator.OnEvent(type, data, output);
            translator.OnCompleted(output);
        }
        Measure("stream, 20 chunks: Anthropic → Chat → Responses (before)", n, () => Pump(Switchboard.Protocols.Responses.ResponsesTranslation.CreateChainedStreamTranslator(ApiFormat.Anthropic, "fast", null, null)));
        Measure("stream, 20 chunks: Anthropic → Responses, one step", n, () => Pump(ProtocolTranslation.CreateStreamTranslator(ApiFormat.Responses, ApiFormat.Anthropic, "fast")));
        return 0;
    }

    private static void Forward(byte[] body, in RequestPeek peek, TranslationTarget target, PooledBufferWriter output, bool estimate)
    {
        if (!Switchboard.Protocols.Anthropic.AnthropicToOpenAIRequest.TryTranslateForward(body, peek, target, output, estimate, out _, out _))
            throw new InvalidOperationException("the forward pass declined the Claude Code-size body");
    }

    internal static void Measure(string name, int n, Action action)
    {
        for (var i = 0; i < 20; i++) action();
        var times = new double[n];
        long bytes = 0;
        for (var i = 0; i < n; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            bytes += GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Array.Sort(times);
        Console.Error.WriteLine($"{name,-58} {times[0],9:0.0} {times[n / 2],9:0.0} {bytes / n,10:N0}");
    }
}
