using System.Text.Json;
using Switchboard.Routing;

namespace Switchboard.Tests.Unit.Routing;

/// <summary>What the router reads from the envelopes coding clients put around a request (Routing/README.md lists them).</summary>
[Trait("Kind", "Unit")]
public sealed class ClientEnvelopeTests
{
    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static IReadOnlyList<RouterTurn> Turns(string json) => RouterInputBuilder.FromOpenAIChat(Json(json)).Turns;

    [Fact]
    public void Codex_agents_md_and_environment_turns_are_dropped_and_the_prompt_decides()
    {
        var turns = Turns("""
        {"messages": [
          {"role": "developer", "content": "<permissions instructions>sandboxed</permissions instructions>"},
          {"role": "user", "content": [{"type": "text", "text": "# AGENTS.md instructions for /repo\n\n<INSTRUCTIONS>\n- Fix every failing test.\n- Document public items.\n</INSTRUCTIONS>"}]},
          {"role": "user", "content": [{"type": "text", "text": "<environment_context>\n  <cwd>/repo</cwd>\n  <shell>zsh</shell>\n</environment_context>"}]},
          {"role": "user", "content": "<user_instructions>\nExplain decisions in comments.\n</user_instructions>"},
          {"role": "user", "content": [{"type": "text", "text": "add a --json flag to the report command"}]}
        ]}
        """);

        Assert.Equal([new RouterTurn(TurnRole.User, "add a --json flag to the report command")], turns);
    }

    [Fact]
    public void Cursor_user_query_is_the_request_and_attached_files_and_linter_errors_read_as_pasted_code()
    {
        var turns = Turns("""
        {"messages": [{"role": "user", "content": "<additional_data>\nBelow are some potentially helpful pieces of information:\n<attached_files>\n<file_contents path=\"src/a.ts\" lines=\"1-3\">\nthrow new Error('x')\n</file_contents>\n</attached_files>\n<linter_errors>\nL3: Cannot find name 'User'.\n</linter_errors>\n</additional_data>\n\n<user_query>\nwhat does this regex match?\n</user_query>"}]}
        """);

        Assert.Equal([new RouterTurn(TurnRole.User, "what does this regex match?\n```\n```")], turns);
    }

    [Fact]
    public void Copilot_agent_request_keeps_only_the_user_request_and_notes_the_attachment()
    {
        var turns = Turns("""
        {"messages": [{"role": "user", "content": "<attachments>\n<attachment id=\"file:a.cs\" filePath=\"/src/a.cs\">\nclass A {}\n</attachment>\n</attachments>\n<reminder>\nAvoid repeating existing code.\n</reminder>\n<userRequest>\nwrite docs for this class\n</userRequest>"}]}
        """);

        Assert.Equal([new RouterTurn(TurnRole.User, "write docs for this class\n```\n```")], turns);
    }

    [Theory]
    [InlineData("/explain #file:src/auth/session.ts", "explain this code: `src/auth/session.ts`")]
    [InlineData("@workspace /fix the off-by-one in paging", "fix: the off-by-one in paging")]
    [InlineData("/tests", "write unit tests for this code:")]
    [InlineData("/doc #selection", "write documentation comments for this code: this code")]
    [InlineData("/fix-issue 123", "fix issue: 123")]
    [InlineData("@workspace how are routes registered?", "how are routes registered?")]
    [InlineData("#file:README.md add a proxy section", "`README.md` add a proxy section")]
    public void Copilot_participants_slash_commands_and_references_become_words(string typed, string read)
    {
        Assert.Equal(read, ClientEnvelope.UserRequest(typed));
    }

    [Theory]
    [InlineData("/etc/hosts is ignored by the resolver")] // a path, not a command
    [InlineData("why does if (a < b && c > d) never run")] // a '<' that opens no known tag
    [InlineData("my C# #region folding is broken, issue #42")] // '#' glued to a word or a number
    [InlineData("<div>why is this not centered</div>")] // markup the user pasted is theirs
    [InlineData("explain what this function does")]
    [InlineData("why does Ant skip <task>copy</task> in my build file?")] // Cline's task tag only opens a turn
    [InlineData("[WIP] fix the redirect after login")] // brackets that are no tool's result header
    public void Text_without_an_envelope_is_read_as_typed_without_a_copy(string typed)
    {
        Assert.Same(typed, ClientEnvelope.UserRequest(typed));
    }

    [Fact]
    public void Claude_code_slash_command_tags_give_the_command_and_its_arguments_and_ide_notes_are_dropped()
    {
        var body = Json("""
        {"messages": [{"role": "user", "content": [
          {"type": "text", "text": "<ide_opened_file>The user opened the file src/app.ts in the IDE.</ide_opened_file>"},
          {"type": "text", "text": "<command-message>review is running…</command-message>\n<command-name>/review</command-name>\n<command-args>482</command-args>"}
        ]}]}
        """);

        var turn = Assert.Single(RouterInputBuilder.FromAnthropicMessages(body).Turns);

        Assert.Equal("review this code: \n482", turn.Text);
    }

    [Fact]
    public void Ide_selection_reads_as_pasted_code_beside_the_prompt()
    {
        var text = "<ide_selection>The user selected the lines 1 to 2 from a.py:\nx = fix(y)\n</ide_selection>\nis this thread-safe?";

        Assert.Equal("is this thread-safe?\n```\n```", ClientEnvelope.UserRequest(text));
    }

    [Fact]
    public void A_turn_holding_only_client_context_has_no_request()
    {
        Assert.False(ClientEnvelope.HasRequest("<environment_context>\n  <cwd>/repo</cwd>\n</environment_context>"));
        Assert.False(ClientEnvelope.HasRequest("<local-command-stdout>ok</local-command-stdout>"));
        Assert.True(ClientEnvelope.HasRequest("<environment_context><cwd>/r</cwd></environment_context>\nfix the build"));
    }

    [Fact]
    public void Cline_task_is_the_request_environment_details_are_dropped_and_a_tool_result_turn_is_no_turn()
    {
        var turns = Turns("""
        {"messages": [
          {"role": "user", "content": [{"type": "text", "text": "<task>\nadd a dark mode toggle to the settings page\n</task>"},
            {"type": "text", "text": "<environment_details>\n# VSCode Visible Files\nsrc/settings.tsx\n\n# Current Mode\nACT MODE\n</environment_details>"}]},
          {"role": "assistant", "content": "I'll read the settings page first."},
          {"role": "user", "content": [{"type": "text", "text": "[read_file for 'src/settings.tsx'] Result:\nexport function Settings() { throw new Error('not implemented') }"},
            {"type": "text", "text": "<environment_details>\n# Current Time\n6/1/2025, 10:00:00 AM\n</environment_details>"}]}
        ]}
        """);

        Assert.Equal([new RouterTurn(TurnRole.User, "add a dark mode toggle to the settings page"), new RouterTurn(TurnRole.Assistant, "I'll read the settings page first.")], turns);
    }

    [Theory]
    [InlineData("[attempt_completion] Result:\nThe user has provided feedback on the results. Consider their input to continue the task, and then attempt completion again.\n<feedback>\nthe toggle does not survive a reload\n</feedback>\n<environment_details>\n# Current Mode\nACT MODE\n</environment_details>", "the toggle does not survive a reload")]
    [InlineData("[ask_followup_question for 'Which database should I use?'] Result:\n<answer>\npostgres, we already run it\n</answer>", "postgres, we already run it")]
    [InlineData("[execute_command for 'npm test'] Result:\nCommand executed.\nOutput:\n3 failing", "")]
    public void Cline_tool_results_carry_only_the_users_feedback_or_answer(string text, string read) => Assert.Equal(read, ClientEnvelope.UserRequest(text));

    [Fact]
    public void Claude_code_interruptions_and_bash_mode_are_not_requests()
    {
        var turns = Turns("""
        {"messages": [
          {"role": "user", "content": "rename the helper to parseAmount"},
          {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "Edit", "input": {}}]},
          {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "interrupted"}, {"type": "text", "text": "[Request interrupted by user for tool use]"}]},
          {"role": "user", "content": [{"type": "text", "text": "<bash-input>npm test</bash-input>"}, {"type": "text", "text": "<bash-stdout>3 failing</bash-stdout><bash-stderr></bash-stderr>"}]}
        ]}
        """);
        Assert.Equal([new RouterTurn(TurnRole.User, "rename the helper to parseAmount")], turns);

        Assert.Equal("no, keep the old name and add an alias", ClientEnvelope.UserRequest("[Request interrupted by user]\nno, keep the old name and add an alias"));
    }

    [Fact]
    public void A_tag_named_in_prose_without_its_closing_tag_is_text_not_an_envelope()
    {
        const string prose = "why does my xml parser choke on <reminder> elements and skip the rest of the feed?";
        Assert.Equal(prose, ClientEnvelope.UserRequest(prose));
    }

    [Fact]
    public void Many_unfinished_tags_are_read_in_linear_time() =>
        AssertLinear(n => string.Concat(Enumerable.Repeat("<attachment x\n", n)), 3_125, text => Assert.Equal(text, ClientEnvelope.UserRequest(text)));

    /// <summary>
    /// The turn is the client's, of any shape: a tag that must open the turn checked against the whole lead-in once per
    /// '&lt;', an unclosed tag searched for to the end once per opening, and a tag's attributes scanned to the end once
    /// per '&lt;tag ' were each quadratic (a 1 MB turn: tens of seconds on the request path).
    /// </summary>
    [Theory]
    [InlineData("spaces then opening tags")]
    [InlineData("unclosed tags")]
    [InlineData("tags with attributes and no end")]
    [InlineData("AGENTS.md headings without instructions")]
    public void Crafted_turns_are_read_in_linear_time(string shape)
    {
        Func<int, string> make = shape switch
        {
            "spaces then opening tags" => n => new string(' ', 5 * n) + string.Concat(Enumerable.Repeat("<task", n)),
            "unclosed tags" => n => string.Concat(Enumerable.Repeat("<user_query></a>", n)),
            "tags with attributes and no end" => n => string.Concat(Enumerable.Repeat("<reminder ", n)),
            _ => n => string.Concat(Enumerable.Repeat("\n# AGENTS.md instructions for x <b", n)),
        };
        AssertLinear(make, 6_250, text => ClientEnvelope.UserRequest(text));
    }

    /// <summary>
    /// Reads a turn of size n and one of size 16n (each the fastest of five, after a warm-up) and fails when the larger
    /// took more than 80 times as long: 16 when linear, 256 when quadratic. A ratio, not a wall-clock limit, so a loaded
    /// machine slows both sizes alike (the margin is for load so heavy that even the fastest of five is preempted); a
    /// quadratic scan at 16n stops early (over 10 s).
    /// </summary>
    private static void AssertLinear(Func<int, string> make, int n, Action<string> read)
    {
        string small = make(n), large = make(16 * n);
        read(small);
        var smallTime = Fastest(small, read);
        var largeTime = Fastest(large, read);
        var ratio = largeTime.TotalMilliseconds / Math.Max(smallTime.TotalMilliseconds, 0.05);
        Assert.True(ratio < 80, $"n: {smallTime.TotalMilliseconds:F1} ms, 16n: {largeTime.TotalMilliseconds:F1} ms, ratio {ratio:F1} (linear ≈ 16, quadratic ≈ 256)");
    }

    private static TimeSpan Fastest(string text, Action<string> read)
    {
        var fastest = TimeSpan.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            read(text);
            var elapsed = started.Elapsed;
            if (elapsed < fastest) fastest = elapsed;
            if (elapsed > TimeSpan.FromSeconds(10)) break;
        }
        return fastest;
    }
}
