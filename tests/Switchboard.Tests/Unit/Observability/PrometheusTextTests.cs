namespace Switchboard.Tests.Unit.Observability;

/// <summary>The test kit's Prometheus text parser refuses what Prometheus would, so a scrape that parses means something.</summary>
[Trait("Kind", "Unit")]
public sealed class PrometheusTextTests
{
    private const string Good = """
        # TYPE a_total counter
        # HELP a_total Things, with a \\ and a \n.
        a_total{model="x",route="say \"hi\""} 3
        a_total{model="y",route="none"} 4 1700000000000
        # TYPE d_seconds histogram
        d_seconds_bucket{le="0.5"} 1
        d_seconds_bucket{le="+Inf"} 2
        d_seconds_sum 0.75
        d_seconds_count 2
        # some other comment

        """;

    [Fact]
    public void A_well_formed_scrape_parses_into_families_and_samples()
    {
        var text = PrometheusText.Parse(Good);
        Assert.Equal("counter", text.Families["a_total"].Type);
        Assert.Equal("Things, with a \\ and a \n.", text.Families["a_total"].Help);
        Assert.Equal(3, text.Value("a_total", ("route", "say \"hi\"")));
        Assert.Equal(7, text.Sum("a_total"));
        Assert.Equal(2, text.Value("d_seconds_bucket", ("le", "+Inf")));
        Assert.Equal(0.75, text.Value("d_seconds_sum"));
    }

    [Theory]
    [InlineData("1bad 1", "bad metric name")]
    [InlineData("a{1x=\"v\"} 1", "bad label name")]
    [InlineData("a{x=v} 1", "label value must be quoted")]
    [InlineData("a{x=\"v} 1", "unterminated label value")]
    [InlineData("a{x=\"v\",x=\"w\"} 1", "label x twice")]
    [InlineData("a 1 2 3", "at most a timestamp")]
    [InlineData("a{x=\"v\"}1", "space before the value")]
    [InlineData("a{x=\"\\q\"} 1", "bad escape")]
    [InlineData("# TYPE a countr", "TYPE needs one of")]
    [InlineData("a 1\n# TYPE a counter", "TYPE after the family's samples")]
    [InlineData("a 1\nb 1\na{x=\"1\"} 2", "not together")]
    [InlineData("a 1\na 2", "series twice")]
    [InlineData("# TYPE h histogram\nh_bucket 1", "le belongs on _bucket")]
    [InlineData("# TYPE h histogram\nh 1", "not _bucket, _sum or _count")]
    public void Malformed_text_is_refused(string text, string why)
    {
        var error = Assert.ThrowsAny<Exception>(() => PrometheusText.Parse(text));
        Assert.Contains(why, error.Message);
    }
}
