using Switchboard.Routing;

namespace Switchboard.Tests.Unit.Routing;

[Trait("Kind", "Unit")]
public sealed class ArchRouterPromptTests
{
    [Fact]
    public void Prompt_matches_the_published_Arch_Router_prompt_byte_for_byte()
    {
        var policy = new RoutePolicy(
        [
            new RouteDefinition("code generation", "generating new code snippets, functions or boilerplate", "openai/gpt-4.1"),
            new RouteDefinition("debugging", "finding and fixing \"bugs\", errors & crashes <fast>", "anthropic/claude-sonnet-4-5"),
        ]);
        var input = new RouterInput(
        [
            new RouterTurn(TurnRole.User, "hi"),
            new RouterTurn(TurnRole.Assistant, "Hello! How can I assist you today?"),
            new RouterTurn(TurnRole.User, "fix the bug in <main.c>:\n\t\"segfault\" at line 3 — café"),
        ]);

        var expected = File.ReadAllText(RoutingTestPaths.Golden("arch-router-prompt.txt"));

        Assert.Equal(expected, ArchRouterPrompt.Build(policy, input));
    }

    [Fact]
    public void Routes_are_in_config_order_with_only_name_and_description()
    {
        var policy = new RoutePolicy([new RouteDefinition("b", "second", "m1"), new RouteDefinition("a", "first", "m2")]);

        Assert.Equal("""[{"name":"b","description":"second"},{"name":"a","description":"first"}]""", ArchRouterPrompt.RoutesJson(policy));
    }

    [Fact]
    public void Control_characters_are_escaped_like_serde_json()
    {
        var input = new RouterInput([new RouterTurn(TurnRole.User, "a\u0001b\\c\r")]);

        Assert.Equal("""[{"role":"user","content":"a\u0001b\\c\r"}]""", ArchRouterPrompt.ConversationJson(input));
    }
}
