using System.Text;
using Switchboard.Protocols;
using Switchboard.Tests.TestKit;

namespace Switchboard.Tests.Unit.Protocols;

/// <summary>
/// <see cref="JsonWalk"/>'s value ends (checked JSON only: quote to quote, and 64-byte masks for objects and arrays)
/// against the grammar check's (<see cref="JsonScan.Value"/>), which stops at every escape: the same end for every value,
/// with escapes, backslash runs and brackets inside strings falling on every position of a 64-byte block.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class JsonWalkTests
{
    [Fact]
    public void Ends_every_value_of_Claude_Codes_request_where_the_check_does()
    {
        var body = File.ReadAllBytes(RepoPaths.Fixture("claude-code-2.1.330-request.json"));
        var values = AssertEndsAgree(body, JsonScan.SkipWhitespace(body, 0));
        Assert.True(values > 300, $"only {values} values walked");
    }

    [Theory]
    [InlineData("""{"a":"\\","b":["\\\"]",{"c":"\"}\\\\"}],"d":"\\\\\\\"{"}""")]
    [InlineData("""[{"text":"line\nline\t\"quoted\" \\ back \/ \u0022 \u005c ] } [ {"},[],{},[[[]]],"",1,-2.5e3,true,false,null]""")]
    [InlineData("""{"schema":{"type":"object","properties":{"a":{"type":"string","description":"é 漢字 😀 \ud83d\ude00"}},"required":["a"]}}""")]
    [InlineData("""[ 1 , { "a" : [ "x" , { } ] } , "y\\" ]""")]
    public void Ends_escapes_and_brackets_in_strings_on_every_block_position(string json)
    {
        for (var pad = 0; pad < 70; pad++)
        {
            var body = Encoding.UTF8.GetBytes(new string(' ', pad) + json + "  ");
            AssertEndsAgree(body, pad);
        }
    }

    [Fact]
    public void Ends_generated_strings_of_backslash_runs_and_quotes()
    {
        var random = new Random(19);
        var pieces = new[] { "\\\\", "\\\"", "\\n", "]", "}", "[", "{", "a", "é", "\\u005c", " " };
        for (var round = 0; round < 300; round++)
        {
            var json = new StringBuilder("[");
            for (var item = 0; item < random.Next(1, 8); item++)
            {
                if (item > 0) json.Append(',');
                json.Append("{\"k\":\"");
                for (var p = random.Next(0, 40); p > 0; p--) json.Append(pieces[random.Next(pieces.Length)]);
                json.Append("\",\"n\":[").Append(random.Next()).Append("]}");
            }
            json.Append(']');
            var body = Encoding.UTF8.GetBytes(new string(' ', random.Next(0, 64)) + json);
            AssertEndsAgree(body, JsonScan.SkipWhitespace(body, 0));
        }
    }

    [Fact]
    public void Declines_nesting_deeper_than_the_check_goes()
    {
        var body = Encoding.UTF8.GetBytes(new string('[', 65) + new string(']', 65));
        Assert.Throws<JsonWalkDeclined>(() => JsonWalk.ContainerEndByMasks(body, 0));
        Assert.Throws<JsonWalkDeclined>(() => JsonWalk.ContainerEndBySearch(body, 0));
        var deepest = Encoding.UTF8.GetBytes(new string('[', 64) + new string(']', 64));
        Assert.Equal(deepest.Length, JsonWalk.ContainerEndByMasks(deepest, 0));
    }

    /// <summary>Compares the ends of the value at <paramref name="start"/> and every value inside it; returns how many.</summary>
    private static int AssertEndsAgree(byte[] body, int start)
    {
        var expected = JsonScan.Value(body, start, out _);
        Assert.True(expected > 0, "test input is not valid JSON");
        Assert.Equal(expected, JsonWalk.End(body, start));
        if (body[start] is not ((byte)'{' or (byte)'[')) return 1;
        Assert.Equal(expected, JsonWalk.ContainerEndByMasks(body, start));
        Assert.Equal(expected, JsonWalk.ContainerEndBySearch(body, start));
        var count = 1;
        var i = JsonWalk.Open(body, start);
        if (body[start] == '{')
        {
            while (JsonWalk.NextMember(body, ref i, out _, out var value))
            {
                count += AssertEndsAgree(body, value);
                i = JsonWalk.End(body, value);
            }
        }
        else
        {
            while (JsonWalk.NextItem(body, ref i, out var item))
            {
                count += AssertEndsAgree(body, item);
                i = JsonWalk.End(body, item);
            }
        }
        Assert.Equal(expected, i);
        return count;
    }
}
