using Switchboard.Config;

namespace Switchboard.Tests.Functional.Cli;

/// <summary>`switchboard validate`: every problem with its line and fix, unset keys and misspelt keys included.</summary>
[Trait("Kind", "Functional")]
public sealed class ValidateTests
{
    [Fact]
    public async Task An_unset_key_variable_is_a_warning_with_its_line_not_an_error()
    {
        using var cli = new CliHarness();
        cli.WriteConfig("""
            model_providers:
              - model: openai/gpt-4.1
                access_key: $OPENAI_API_KEY
                default: true
            """);

        var result = await cli.RunAsync("validate");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("config.yaml: warning: line 6: openai/gpt-4.1: OPENAI_API_KEY is not set; requests routed to it will fail until it is. Fix: export OPENAI_API_KEY=...", result.Out);
        Assert.Contains("OK — 1 model, 0 aliases, 0 routes, router embedded", result.Out);
    }

    [Fact]
    public async Task A_misspelt_provider_key_names_the_key_it_likely_meant()
    {
        using var cli = new CliHarness();
        cli.WriteConfig("""
            model_providers:
              - model: openai/gpt-4.1
                acess_key: sk-test
                default: true
            limit:
              max_request_body_bytes: 4096
            """);

        var result = await cli.RunAsync("validate");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("warning: line 7: unknown provider key 'acess_key' is ignored. Fix: check its spelling: did you mean 'access_key'?", result.Out);
        Assert.Contains("warning: line 9: unknown key 'limit' is ignored. Fix: check its spelling: did you mean 'limits'?", result.Out);
        // The consequence, too: without access_key the model has no key.
        Assert.Contains("openai/gpt-4.1: OPENAI_API_KEY is not set", result.Out);
    }

    [Fact]
    public async Task Counts_read_as_english()
    {
        using var cli = new CliHarness();
        cli.WriteConfig("""
            model_providers:
              - model: openai/gpt-4.1
                access_key: sk-test
                default: true
                routing_preferences:
                  - name: debugging
                    description: finding and fixing bugs
              - model: openai/gpt-4.1-mini
                access_key: sk-test
            model_aliases:
              fast:
                target: openai/gpt-4.1-mini
            """);

        var result = await cli.RunAsync("validate");

        Assert.Contains("OK — 2 models, 1 alias, 1 route, router embedded", result.Out);
    }

    [Theory]
    [InlineData("acess_key", "access_key")]
    [InlineData("base_ulr", "base_url")]
    [InlineData("defualt", "default")]
    [InlineData("routing_preference", "routing_preferences")]
    [InlineData("Access_Key", "access_key")]
    [InlineData("usage_tracking", null)]   // an unrelated key gets no guess
    [InlineData("passthrough_auth", null)]
    public void The_likely_key_is_a_close_one_or_none(string typo, string? expected) =>
        Assert.Equal(expected, KeySpelling.Likely(typo, ["model", "name", "provider", "provider_interface", "access_key", "base_url", "default", "routing_preferences", "fallbacks"]));

    [Theory]
    [InlineData(0, "0 models")]
    [InlineData(1, "1 model")]
    [InlineData(2, "2 models")]
    public void Plural_counts(long count, string expected) => Assert.Equal(expected, Switchboard.Plural.Count(count, "model"));

    [Fact]
    public void Plural_of_words_ending_in_s() => Assert.Equal("3 aliases", Switchboard.Plural.Count(3, "alias"));
}
