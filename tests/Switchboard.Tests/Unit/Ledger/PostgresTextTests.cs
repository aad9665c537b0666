using Switchboard.Ledger.Storage;

namespace Switchboard.Tests.Unit.Ledger;

/// <summary>A client's odd model id or session (NUL, a lone surrogate) must not fail a PostgreSQL batch of other requests' rows.</summary>
[Trait("Kind", "Unit")]
public sealed class PostgresTextTests
{
    // Built in code: a lone surrogate does not survive an attribute's metadata.
    private const char High = '\ud83d', Low = '\ude00', Replacement = '\uFFFD';

    [Fact]
    public void Text_postgres_refuses_is_replaced_and_the_rest_kept()
    {
        Assert.Equal("a" + Replacement + "b", PostgresLedgerStore.PostgresText("a\0b"));
        Assert.Equal("x" + Replacement + "y", PostgresLedgerStore.PostgresText("x" + High + "y"));
        Assert.Equal(Replacement.ToString(), PostgresLedgerStore.PostgresText(Low.ToString()));
        Assert.Equal("ok " + High + Low + " " + Replacement, PostgresLedgerStore.PostgresText("ok " + High + Low + " " + High));
    }

    [Fact]
    public void Clean_text_is_returned_as_it_is()
    {
        var value = "sess-\u00e9" + High + Low;
        Assert.Same(value, PostgresLedgerStore.PostgresText(value));
        Assert.Same("openai/gpt-4.1", PostgresLedgerStore.PostgresText("openai/gpt-4.1"));
    }
}
