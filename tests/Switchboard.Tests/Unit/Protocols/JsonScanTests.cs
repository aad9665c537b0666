using System.Text;
using System.Text.Json;
using Switchboard.Protocols;
using Switchboard.Tests.TestKit;

namespace Switchboard.Tests.Unit.Protocols;

/// <summary>
/// The peek's fast path (<see cref="JsonScan"/>) against the reference, one <see cref="Utf8JsonReader"/> pass: it may
/// give up on anything, but what it accepts the reader must accept, with the same fields read.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class JsonScanTests
{
    [Fact]
    public void Reads_Claude_Codes_recorded_request_like_the_reader()
    {
        var body = File.ReadAllBytes(RepoPaths.Fixture("claude-code-2.1.330-request.json"));
        Assert.True(RequestPeek.TryReadFast(body, out var fast), "the fast path gave up on the request Claude Code sends");
        Assert.Equal(RequestPeek.ReadWithReader(body), fast);
        Assert.True(fast.MessageCount > 0);
    }

    [Theory]
    [InlineData("""{"model":"a","max_tokens":64000,"stream":true,"messages":[{"role":"user","content":"x\ny \"q\" \u00e9 \ud83d\ude00"},[],1,"s",null,true,false,{}]}""")]
    [InlineData("""  {"metadata":{"user_id":"u1","model":"nested"},"model":null,"thinking":{"type":"enabled","budget_tokens":31999},"max_completion_tokens":1.5e3} """)]
    [InlineData("""{"model":{"x":[1,2]},"input":"hi","previous_response_id":"resp_1","user":"me","max_tokens":-0.0}""")]
    [InlineData("""{"model":"a","model":5,"messages":[1],"messages":[2,3],"input":[],"input":"","stream":false}""")]
    [InlineData("""{}""")]
    [InlineData("""{"max_tokens":99999999999999999999999,"thinking":{"budget_tokens":1e2},"metadata":[]}""")]
    public void Gives_the_readers_fields(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        Assert.True(RequestPeek.TryReadFast(body, out var fast));
        Assert.Equal(RequestPeek.ReadWithReader(body), fast);
    }

    [Theory]
    [InlineData("""{"a":01}""")]
    [InlineData("""{"a":1.}""")]
    [InlineData("""{"a":.5}""")]
    [InlineData("""{"a":+1}""")]
    [InlineData("""{"a":-}""")]
    [InlineData("""{"a":1e}""")]
    [InlineData("""{"a":1e+}""")]
    [InlineData("""{"a":1x}""")]
    [InlineData("""{"a":"\x"}""")]
    [InlineData("""{"a":"\u12G4"}""")]
    [InlineData("""{"a":"\u12"}""")]
    [InlineData("{\"a\":\"tab\there\"}")]
    [InlineData("""{"a":tru}""")]
    [InlineData("""{"a":nul}""")]
    [InlineData("""{"a":[1,]}""")]
    [InlineData("""{"a":{"b":1,}}""")]
    [InlineData("""{"a":{"b"}}""")]
    [InlineData("""{"a":{1:2}}""")]
    [InlineData("""{"a":1 2}""")]
    [InlineData("""{"a":[1 2]}""")]
    [InlineData("""{"a":[}""")]
    [InlineData("""{"a":1}x""")]
    [InlineData("""{"a":1},""")]
    [InlineData("""{"a" 1}""")]
    [InlineData("""{"a":1,}""")]
    [InlineData("""{"a":"unterminated}""")]
    [InlineData("""{"a":"x\""")]
    [InlineData("""{"a":1/*c*/}""")]
    [InlineData("""{'a':1}""")]
    [InlineData("""[]""")]
    [InlineData("""{"a":[1]]""")]
    public void Gives_up_where_the_reader_rejects(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        Assert.False(RequestPeek.TryReadFast(body, out _));
        Assert.ThrowsAny<JsonException>(() => RequestPeek.Read(body));
    }

    [Fact]
    public void Gives_up_on_deep_nesting_and_the_reader_keeps_its_limit()
    {
        var deep = Encoding.UTF8.GetBytes("{\"a\":" + new string('[', 100) + new string(']', 100) + "}");
        Assert.False(RequestPeek.TryReadFast(deep, out _));
        Assert.Equal(RequestPeek.ReadWithReader(deep), RequestPeek.Read(deep));
        var tooDeep = Encoding.UTF8.GetBytes("{\"a\":" + new string('[', 200) + new string(']', 200) + "}");
        Assert.ThrowsAny<JsonException>(() => RequestPeek.Read(tooDeep));
    }

    [Fact]
    public void Never_accepts_what_the_reader_rejects_under_random_damage()
    {
        var seeds = new[]
        {
            File.ReadAllBytes(RepoPaths.Fixture("claude-code-2.1.330-request.json")),
            Encoding.UTF8.GetBytes("""{"model":"m","max_tokens":10,"thinking":{"budget_tokens":5},"metadata":{"user_id":"u"},"messages":[{"role":"user","content":"a\\nb\\u00e9\\\"c"},[1.5e-3,-0,true,null]],"stream":true}"""),
        };
        byte[] alphabet = [.. "{}[]:,\"\\/ \n\t0123456789-+.eEtrufalsn\u0001xu"u8];
        var random = new Random(19);
        int fastAccepted = 0, readerRejected = 0;
        for (var n = 0; n < 20_000; n++)
        {
            var seed = seeds[n % 8 == 0 ? 0 : 1];
            var body = seed.ToArray();
            var edits = random.Next(1, 4);
            for (var e = 0; e < edits; e++)
            {
                var at = random.Next(body.Length);
                body = random.Next(3) switch
                {
                    0 => [.. body[..at], alphabet[random.Next(alphabet.Length)], .. body[at..]],
                    1 => [.. body[..at], .. body[(at + 1)..]],
                    _ => [.. body[..at], alphabet[random.Next(alphabet.Length)], .. body[(at + 1)..]],
                };
            }
            RequestPeek reference;
            try
            {
                reference = RequestPeek.ReadWithReader(body);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                readerRejected++;
                bool accepted;
                try
                {
                    accepted = RequestPeek.TryReadFast(body, out _);
                }
                catch (InvalidOperationException) when (ex is InvalidOperationException)
                {
                    accepted = false; // the same string the reader could not decode (a lone surrogate escape)
                }
                Assert.False(accepted, "accepted what the reader rejects: " + Encoding.UTF8.GetString(body));
                continue;
            }
            if (!RequestPeek.TryReadFast(body, out var fast)) continue;
            fastAccepted++;
            Assert.Equal(reference, fast);
        }
        // Both sides of the comparison were exercised.
        Assert.True(fastAccepted > 1_000 && readerRejected > 1_000, $"fast accepted {fastAccepted}, reader rejected {readerRejected}");
    }

    /// <summary>
    /// The string scan takes 32 bytes at a time: every kind of stop (a quote, an escape of each length, an escaped
    /// quote or backslash, a control byte, a broken escape) at every offset around two block edges, against the
    /// byte-by-byte definition of a JSON string's end.
    /// </summary>
    [Fact]
    public void Finds_each_strings_end_wherever_it_falls_in_a_block()
    {
        string[] pieces = ["\\n", "\\\"", "\\\\", "\\u00e9", "\\/", "\"", "\u0001", "\\x", "\\u12G4", "\\\\\"", "é", "\\"];
        var checkedCount = 0;
        foreach (var piece in pieces)
            for (var before = 0; before < 70; before++)
                for (var after = 0; after < 40; after += 7)
                {
                    var text = "\"" + new string('a', before) + piece + new string('b', after) + "\" tail";
                    var json = Encoding.UTF8.GetBytes(text);
                    Assert.Equal(ReferenceStringEnd(json, 0), JsonScan.String(json, 0));
                    // Cut short everywhere: never a read past the span, never an end that is not there.
                    foreach (var cut in new[] { 1 + before, 1 + before + 1, json.Length - 6, json.Length - 5 })
                        if (cut > 0 && cut < json.Length)
                            Assert.Equal(ReferenceStringEnd(json.AsSpan(0, cut), 0), JsonScan.String(json.AsSpan(0, cut), 0));
                    checkedCount++;
                }
        Assert.Equal(pieces.Length * 70 * 6, checkedCount);
    }

    /// <summary>
    /// Broken, overlong, surrogate and cut-short UTF-8 in a string or a name, at every offset around two of the scan's
    /// block edges and in the last bytes (which it reads one search at a time), is the peek's UTF-8 error; valid
    /// sequences there are read like the reader does.
    /// </summary>
    [Fact]
    public void Checks_utf8_inside_strings_wherever_it_falls_in_a_block()
    {
        byte[][] invalid = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80]];
        byte[][] valid = [[0xC3, 0xA9], [0xF0, 0x9F, 0x98, 0x80], [0xE2, 0x80, 0x94]];
        for (var before = 0; before < 70; before++)
        {
            foreach (var bad in invalid)
                foreach (var body in new[] { InText(before, bad), InName(before, bad) })
                    Assert.Contains("not valid UTF-8", Assert.ThrowsAny<JsonException>(() => RequestPeek.Read(body)).Message);
            foreach (var good in valid)
                foreach (var body in new[] { InText(before, good), InName(before, good) })
                {
                    Assert.True(RequestPeek.TryReadFast(body, out var fast));
                    Assert.Equal(RequestPeek.ReadWithReader(body), fast);
                }
        }

        static byte[] InText(int before, byte[] text) =>
            [.. "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\""u8, .. Enumerable.Repeat((byte)'a', before), .. text, .. "\\n end\"}]}"u8];

        static byte[] InName(int before, byte[] text) =>
            [.. "{\"model\":\"m\",\"messages\":[],\""u8, .. Enumerable.Repeat((byte)'a', before), .. text, .. "\":1}"u8];
    }

    /// <summary>A JSON string's end, one byte at a time (RFC 8259): the index after its closing quote, or -1.</summary>
    private static int ReferenceStringEnd(ReadOnlySpan<byte> json, int i)
    {
        for (i++; i < json.Length; i++)
        {
            var b = json[i];
            if (b == '"') return i + 1;
            if (b < 0x20) return -1;
            if (b != '\\') continue;
            if (++i >= json.Length) return -1;
            if (json[i] == 'u')
            {
                if (i + 4 >= json.Length) return -1;
                for (var h = 1; h <= 4; h++)
                    if (!Uri.IsHexDigit((char)json[i + h])) return -1;
                i += 4;
            }
            else if ("\"\\/bfnrt"u8.IndexOf(json[i]) < 0) return -1;
        }
        return -1;
    }
}
