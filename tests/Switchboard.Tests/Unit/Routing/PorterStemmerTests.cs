using Switchboard.Routing;

namespace Switchboard.Tests.Unit.Routing;

[Trait("Kind", "Unit")]
public sealed class PorterStemmerTests
{
    [Theory]
    [InlineData("caresses", "caress")]
    [InlineData("ponies", "poni")]
    [InlineData("running", "run")]
    [InlineData("hopping", "hop")]
    [InlineData("generating", "gener")]
    [InlineData("generation", "gener")]
    [InlineData("explaining", "explain")]
    [InlineData("documentation", "document")]
    [InlineData("crashes", "crash")]
    [InlineData("relational", "relat")]
    [InlineData("happy", "happi")]
    [InlineData("go", "go")]
    [InlineData("c++", "c++")]
    public void Stems_like_the_reference_algorithm(string word, string stem)
    {
        var buffer = word.ToCharArray();

        var length = PorterStemmer.Stem(buffer);

        Assert.Equal(stem, new string(buffer, 0, length));
    }
}
