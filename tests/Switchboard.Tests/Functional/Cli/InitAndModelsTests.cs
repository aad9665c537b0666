using System.Text.Json;

namespace Switchboard.Tests.Functional.Cli;

[Trait("Kind", "Functional")]
public sealed class InitAndModelsTests
{
    [Fact]
    public async Task Init_with_no_keys_writes_anthropic_and_openai_by_reference_and_validates_clean()
    {
        using var cli = new CliHarness();
        var init = await cli.RunAsync("init");
        Assert.True(init.ExitCode == 0, init.ToString());

        var yaml = await File.ReadAllTextAsync(Path.Combine(cli.Directory, "config.yaml"));
        Assert.Contains("access_key: $ANTHROPIC_API_KEY", yaml);
        Assert.Contains("access_key: $OPENAI_API_KEY", yaml);
        Assert.Contains("router: embedded", yaml);
        Assert.Contains("switchboard.claude.code.small.fast:", yaml);
        foreach (var route in new[] { "code generation", "code understanding", "architecture", "debugging", "documentation" })
            Assert.Contains($"- name: {route}", yaml);
        Assert.Contains("description: finding and fixing bugs, errors, crashes, failing tests and performance problems", yaml);

        var validate = await cli.RunAsync("validate");
        Assert.True(validate.ExitCode == 0, validate.ToString());
        Assert.Contains("OK", validate.Out);
        Assert.DoesNotContain("error", validate.Out + validate.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("5 routes", validate.Out);
    }

    [Fact]
    public async Task Init_uses_only_the_providers_whose_keys_are_set_and_never_writes_a_key()
    {
        using var cli = new CliHarness(new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk-test-SECRET-openai" });
        Assert.Equal(0, (await cli.RunAsync("init")).ExitCode);

        var yaml = await File.ReadAllTextAsync(Path.Combine(cli.Directory, "config.yaml"));
        Assert.DoesNotContain("anthropic/", yaml);
        Assert.DoesNotContain("SECRET", yaml);
        Assert.Contains("target: openai/gpt-4.1-mini", yaml);
        var validate = await cli.RunAsync("validate");
        Assert.True(validate.ExitCode == 0, validate.ToString());
    }

    [Fact]
    public async Task Init_never_overwrites_without_force()
    {
        using var cli = new CliHarness();
        var path = Path.Combine(cli.Directory, "config.yaml");
        await File.WriteAllTextAsync(path, "# mine\n");

        var refused = await cli.RunAsync("init");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--force", refused.Error);
        Assert.Equal("# mine\n", await File.ReadAllTextAsync(path));

        Assert.Equal(0, (await cli.RunAsync("init", "--force")).ExitCode);
        Assert.Contains("model_providers:", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Models_lists_literals_and_aliases_with_provider_and_key_status()
    {
        using var cli = new CliHarness(new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk-test" });
        await File.WriteAllTextAsync(Path.Combine(cli.Directory, "config.yaml"), """
            model_providers:
              - model: openai/gpt-4.1
                access_key: $OPENAI_API_KEY
                default: true
                routing_preferences:
                  - name: code generation
                    description: writing code
              - model: anthropic/claude-sonnet-4-5
                access_key: $ANTHROPIC_API_KEY
            model_aliases:
              fast-model:
                target: anthropic/claude-sonnet-4-5
            """);

        var json = await cli.RunAsync("models", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = JsonDocument.Parse(json.Out);
        var rows = document.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!);
        Assert.Equal(["openai/gpt-4.1", "anthropic/claude-sonnet-4-5", "fast-model"], rows.Keys);
        Assert.True(rows["openai/gpt-4.1"].GetProperty("key_set").GetBoolean());
        Assert.True(rows["openai/gpt-4.1"].GetProperty("default").GetBoolean());
        Assert.Equal("code generation", rows["openai/gpt-4.1"].GetProperty("routes")[0].GetString());
        Assert.False(rows["anthropic/claude-sonnet-4-5"].GetProperty("key_set").GetBoolean());
        Assert.Equal("ANTHROPIC_API_KEY", rows["anthropic/claude-sonnet-4-5"].GetProperty("missing_key_variable").GetString());
        Assert.Equal("alias", rows["fast-model"].GetProperty("kind").GetString());
        Assert.Equal("anthropic", rows["fast-model"].GetProperty("provider").GetString());
        Assert.False(rows["fast-model"].GetProperty("key_set").GetBoolean());

        var human = await cli.RunAsync("models");
        Assert.Equal(0, human.ExitCode);
        Assert.Contains("fast-model", human.Out);
        Assert.Contains("missing (ANTHROPIC_API_KEY)", human.Out);
    }

    [Fact]
    public async Task Models_with_a_broken_config_fails_with_the_diagnostics()
    {
        using var cli = new CliHarness();
        await File.WriteAllTextAsync(Path.Combine(cli.Directory, "bad.yaml"), "model_providers: [\n");

        var result = await cli.RunAsync("models", "--config", "bad.yaml");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("invalid YAML", result.Error);
    }
}
