using Microsoft.AspNetCore.Http;
using Switchboard.Config;
using Switchboard.Identity;

namespace Switchboard.Tests.Unit.Identity;

[Trait("Kind", "Unit")]
public sealed class GatewayKeyringTests
{
    private static GatewayConfig Load(string keys, IReadOnlyDictionary<string, string>? env = null)
    {
        var load = ConfigLoader.LoadText($"model_providers:\n  - model: openai/gpt-4.1\ngateway_keys:\n{keys}", env: new EnvironmentSource(name => env?.GetValueOrDefault(name)));
        Assert.True(load.Succeeded, string.Join("\n", load.Diagnostics));
        return load.Config!;
    }

    private static HttpRequest With(string header, string value)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[header] = value;
        return context.Request;
    }

    [Fact]
    public void Each_key_is_a_caller_named_by_its_variable_or_its_place_never_by_the_key()
    {
        var config = Load("  - $TEAM_KEY\n  - sb-literal-secret\n  - key: $OTHER_KEY\n", new Dictionary<string, string> { ["TEAM_KEY"] = "sb-team", ["OTHER_KEY"] = "sb-other" });

        Assert.Equal(["TEAM_KEY", "key-2", "OTHER_KEY"], config.GatewayKeys.Select(k => k.Name));
        var keyring = new GatewayKeyring(config.GatewayKeys);
        Assert.Equal(["TEAM_KEY", "key-2", "OTHER_KEY"], keyring.Callers.Select(c => c.Name));
        Assert.DoesNotContain(keyring.Callers, c => c.Name.Contains("sb-"));
    }

    [Fact]
    public void The_key_presented_names_its_caller()
    {
        var keyring = new GatewayKeyring(Load("  - $TEAM_KEY\n  - sb-literal-secret\n", new Dictionary<string, string> { ["TEAM_KEY"] = "sb-team" }).GatewayKeys);

        Assert.Equal("TEAM_KEY", keyring.Check(With("authorization", "Bearer sb-team")).Caller!.Name);
        Assert.Equal("key-2", keyring.Check(With("x-api-key", "sb-literal-secret")).Caller!.Name);
        Assert.Equal("key-2", keyring.Check(With("authorization", "bearer  sb-literal-secret ")).Caller!.Name);
        Assert.Same(keyring.Check(With("x-api-key", "sb-team")), keyring.Check(With("x-api-key", "sb-team"))); // made once, not per request
    }

    [Theory]
    [InlineData("authorization", "Bearer sb-team-but-longer")]
    [InlineData("authorization", "Basic sb-team")]
    [InlineData("authorization", "sb-team")]
    [InlineData("x-api-key", "SB-TEAM")]
    [InlineData("x-other", "sb-team")]
    [InlineData("x-api-key", "sb-tean")] // the same length, the last byte differs
    [InlineData("x-api-key", "sb-team\0")] // the padding the keys are compared over is not part of a key
    [InlineData("x-api-key", "sb-tea")]
    public void Anything_else_is_refused(string header, string value)
    {
        var keyring = new GatewayKeyring(Load("  - sb-team\n").GatewayKeys);
        var verdict = keyring.Check(With(header, value));
        Assert.True(verdict.IsRefused);
        Assert.Null(verdict.Caller);
    }

    [Fact]
    public void A_long_key_is_checked_like_a_short_one()
    {
        var longKey = "sb-" + new string('k', 2000);
        var keyring = new GatewayKeyring(Load($"  - {longKey}\n").GatewayKeys);
        Assert.Equal("key-1", keyring.Check(With("x-api-key", longKey)).Caller!.Name);
        Assert.True(keyring.Check(With("x-api-key", longKey + "x")).IsRefused);
    }

    [Theory]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    public void Keys_of_different_lengths_around_the_compare_width_each_name_their_own_caller(int length)
    {
        string Key(char c, int n) => "sb-" + new string(c, n - 3);
        var keyring = new GatewayKeyring(Load($"  - {Key('a', length)}\n  - {Key('b', 10)}\n  - {Key('c', 130)}\n").GatewayKeys);

        Assert.Equal("key-1", keyring.Check(With("x-api-key", Key('a', length))).Caller!.Name);
        Assert.Equal("key-2", keyring.Check(With("x-api-key", Key('b', 10))).Caller!.Name);
        Assert.Equal("key-3", keyring.Check(With("authorization", "Bearer " + Key('c', 130))).Caller!.Name);
        Assert.True(keyring.Check(With("x-api-key", Key('a', length - 1))).IsRefused);
        Assert.True(keyring.Check(With("x-api-key", Key('a', length + 1))).IsRefused);
        Assert.True(keyring.Check(With("x-api-key", Key('c', 200))).IsRefused); // longer than every key: cut to the width, refused by its length
    }

    [Fact]
    public void A_key_beyond_ascii_is_compared_by_its_utf8_bytes()
    {
        var keyring = new GatewayKeyring(Load("  - sb-clé-ünïcode\n").GatewayKeys);
        Assert.Equal("key-1", keyring.Check(With("x-api-key", "sb-clé-ünïcode")).Caller!.Name);
        Assert.True(keyring.Check(With("x-api-key", "sb-cle-unicode")).IsRefused);
    }

    [Fact]
    public void Without_keys_the_gateway_is_open_and_nobody_is_named()
    {
        var keyring = new GatewayKeyring([]);
        Assert.True(keyring.IsEmpty);
        Assert.Same(CallerFeature.Open, keyring.Check(With("x-other", "anything")));
        Assert.Null(CallerFeature.Open.Caller);
        Assert.False(CallerFeature.Open.IsRefused);
    }
}
