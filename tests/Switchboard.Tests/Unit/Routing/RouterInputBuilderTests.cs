using System.Text.Json;
using Switchboard.Routing;

namespace Switchboard.Tests.Unit.Routing;

[Trait("Kind", "Unit")]
public sealed class RouterInputBuilderTests
{
    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public void Anthropic_keeps_text_blocks_and_drops_tools_thinking_images_and_system()
    {
        var body = Json("""
        {
          "system": [{"type": "text", "text": "You are Claude Code."}],
          "messages": [
            {"role": "user", "content": [
              {"type": "text", "text": "<system-reminder>\nAs you answer, use the tools.\n</system-reminder>"},
              {"type": "text", "text": "fix the failing test in parser.py"},
              {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}},
              {"type": "document", "source": {"type": "text", "data": "doc"}}
            ]},
            {"role": "assistant", "content": [
              {"type": "thinking", "thinking": "secret reasoning", "signature": "sig"},
              {"type": "text", "text": "Let me look at the test."},
              {"type": "tool_use", "id": "t1", "name": "Read", "input": {"path": "parser.py"}}
            ]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "def parse(): ..."}]},
            {"role": "system", "content": "mid-conversation system message"}
          ]
        }
        """);

        var input = RouterInputBuilder.FromAnthropicMessages(body);

        Assert.Equal(
            [new RouterTurn(TurnRole.User, "fix the failing test in parser.py"), new RouterTurn(TurnRole.Assistant, "Let me look at the test.")],
            input.Turns);
    }

    [Fact]
    public void Strips_several_multiline_system_reminders_and_drops_turns_left_empty()
    {
        var body = Json("""
        {"messages": [
          {"role": "user", "content": "<system-reminder>only a reminder</system-reminder>\n  "},
          {"role": "user", "content": "<system-reminder>\nline one\nline two\n</system-reminder>explain this<system-reminder>again</system-reminder> function"}
        ]}
        """);

        var input = RouterInputBuilder.FromAnthropicMessages(body);

        var turn = Assert.Single(input.Turns);
        Assert.Equal("explain this function", turn.Text);
    }

    [Fact]
    public void Unclosed_system_reminder_is_stripped_to_the_end()
    {
        Assert.Equal("keep ", RouterInputBuilder.StripSystemReminders("keep <system-reminder>never closed"));
    }

    [Fact]
    public void OpenAI_drops_system_developer_tool_and_tool_calls_and_reads_text_parts()
    {
        var body = Json("""
        {"model": "gpt-4.1", "messages": [
          {"role": "system", "content": "be brief"},
          {"role": "developer", "content": "dev rules"},
          {"role": "user", "content": [{"type": "text", "text": "write a script"}, {"type": "image_url", "image_url": {"url": "data:"}}, {"type": "text", "text": "in bash"}]},
          {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "run", "arguments": "{}"}}]},
          {"role": "tool", "tool_call_id": "c1", "content": "ok"},
          {"role": "assistant", "content": "Here it is."},
          {"role": "user", "content": "now add logging"}
        ]}
        """);

        var input = RouterInputBuilder.FromOpenAIChat(body);

        Assert.Equal(
            [
                new RouterTurn(TurnRole.User, "write a script\nin bash"),
                new RouterTurn(TurnRole.Assistant, "Here it is."),
                new RouterTurn(TurnRole.User, "now add logging"),
            ],
            input.Turns);
    }

    [Fact]
    public void Budget_keeps_newest_turns_in_order()
    {
        // 40 chars = 10 estimated tokens each.
        var turns = Enumerable.Range(0, 6)
            .Select(i => new RouterTurn(i % 2 == 0 ? TurnRole.User : TurnRole.Assistant, new string((char)('a' + i), 40)))
            .ToList();

        var input = RouterInputBuilder.FromTurns(turns, tokenBudget: 30);

        Assert.Equal(turns.Skip(3), input.Turns); // the three newest, oldest first
    }

    [Fact]
    public void Latest_user_turn_is_kept_whole_even_when_it_alone_exceeds_the_budget()
    {
        var huge = new string('x', 10_000);
        var turns = new List<RouterTurn>
        {
            new(TurnRole.User, "earlier question"),
            new(TurnRole.Assistant, "earlier answer"),
            new(TurnRole.User, huge),
        };

        var input = RouterInputBuilder.FromTurns(turns, tokenBudget: 100);

        var only = Assert.Single(input.Turns);
        Assert.Equal(huge, only.Text);
    }

    [Fact]
    public void Latest_user_turn_is_the_latest_with_text_not_a_tool_result()
    {
        var body = Json("""
        {"messages": [
          {"role": "user", "content": "explain the retry loop in client.go please, in detail"},
          {"role": "assistant", "content": [{"type": "text", "text": "Reading it."}, {"type": "tool_use", "id": "t", "name": "Read", "input": {}}]},
          {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "package main ..."}]}
        ]}
        """);

        // Budget of 1 token: only the latest real user turn survives, whole.
        var input = RouterInputBuilder.FromAnthropicMessages(body, tokenBudget: 1);

        var only = Assert.Single(input.Turns);
        Assert.Equal(TurnRole.User, only.Role);
        Assert.Equal("explain the retry loop in client.go please, in detail", only.Text);
    }

    [Fact]
    public void A_large_assistant_turn_after_the_latest_user_turn_does_not_evict_older_context()
    {
        var turns = new List<RouterTurn>
        {
            new(TurnRole.User, "first"),
            new(TurnRole.User, "second"),
            new(TurnRole.Assistant, new string('y', 4_000)),
        };

        var input = RouterInputBuilder.FromTurns(turns, tokenBudget: 50);

        Assert.Equal([new RouterTurn(TurnRole.User, "first"), new RouterTurn(TurnRole.User, "second")], input.Turns);
    }

    [Fact]
    public void Same_conversation_gives_the_same_cache_key_and_a_new_turn_changes_it()
    {
        var a = RouterInputBuilder.FromOpenAIChat(Json("""{"messages": [{"role": "user", "content": "hi"}]}"""));
        var b = RouterInputBuilder.FromOpenAIChat(Json("""{"messages": [{"role": "system", "content": "x"}, {"role": "user", "content": "hi"}]}"""));
        var c = RouterInputBuilder.FromOpenAIChat(Json("""{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}"""));

        Assert.Equal(a.CacheKey, b.CacheKey);
        Assert.NotEqual(a.CacheKey, c.CacheKey);
    }

    [Fact]
    public void Malformed_bodies_give_an_empty_input()
    {
        Assert.Empty(RouterInputBuilder.FromOpenAIChat(Json("""{"messages": "nope"}""")).Turns);
        Assert.Empty(RouterInputBuilder.FromAnthropicMessages(Json("""[1, 2]""")).Turns);
        Assert.Empty(RouterInputBuilder.FromAnthropicMessages(Json("""{"messages": [{"role": 3}, {"content": "x"}, 7]}""")).Turns);
    }

    [Fact]
    public void For_route_on_user_only_a_conversation_ending_without_user_text_is_cut_at_its_latest_user_turn()
    {
        var userTurn = Json("""{"messages": [{"role": "user", "content": "write a slug function"}]}""");
        var afterTool = Json("""
        {"messages": [
          {"role": "user", "content": "write a slug function"},
          {"role": "assistant", "content": "Let me check util.py.", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "read", "arguments": "{}"}}]},
          {"role": "tool", "tool_call_id": "c1", "content": "def helper(): pass"}
        ]}
        """);

        var atUserTurn = RouterInputBuilder.FromRequest(ApiFormat.OpenAI, userTurn, upToLatestUserTurn: true);
        var held = RouterInputBuilder.FromRequest(ApiFormat.OpenAI, afterTool, upToLatestUserTurn: true);
        var plain = RouterInputBuilder.FromRequest(ApiFormat.OpenAI, afterTool);

        Assert.True(atUserTurn.EndsWithUserTurn);
        Assert.False(held.EndsWithUserTurn);
        Assert.Equal(atUserTurn.CacheKey, held.CacheKey); // the decision made at the user turn is found again
        Assert.False(plain.EndsWithUserTurn);
        Assert.Equal(2, plain.Turns.Count); // without the option, the assistant's text counts
    }
}
