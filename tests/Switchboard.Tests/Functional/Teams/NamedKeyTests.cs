using System.Net;
using System.Text.Json;
using Switchboard.Config;

namespace Switchboard.Tests.Functional.Teams;

/// <summary>Named gateway keys: who the caller is, which models it may use, when it expires, and who may see traffic.</summary>
[Trait("Kind", "Functional")]
public sealed class NamedKeyTests : TeamTest
{

    private string Keys(string extra = "") => Team.Config(OpenAIUpstream, AnthropicUpstream, extra: $"""
        model_aliases:
          fast:
            target: openai/gpt-4.1
        gateway_keys:
          - name: team-a
            key: $TEAM_A_KEY
            models: [fast]
          - name: team-b
            key: $TEAM_B_KEY
            models: [anthropic/claude-sonnet-4-5]
          - name: ops
            key: $ADMIN_KEY
            admin: true
          - sb-plain-string-key
          - name: retired
            key: sb-retired-key
            expires: 2020-01-01
        {extra}
        """);

    [Fact]
    public void Object_and_string_entries_load_with_their_fields()
    {
        var load = ConfigLoader.LoadText(Keys(), env: new EnvironmentSource(n => Team.Env.GetValueOrDefault(n)));
        Assert.True(load.Succeeded, string.Join("\n", load.Diagnostics));
        var keys = load.Config!.GatewayKeys;
        Assert.Equal(["team-a", "team-b", "ops", "key-4", "retired"], keys.Select(k => k.Name));
        Assert.Equal(["fast"], keys[0].Models);
        Assert.True(keys[2].Admin);
        Assert.Equal(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), keys[4].Expires);
    }

    [Theory]
    [InlineData("models: [gpt-9]", "allows model 'gpt-9', which is no configured model")]
    [InlineData("budget: {usd: -3}", "budget.usd of gateway key 'team-x' must be a positive amount")]
    [InlineData("rate_limit: {requests_per_minute: many}", "rate_limit.requests_per_minute of gateway key 'team-x' must be a whole number")]
    [InlineData("expires: soon", "expires of gateway key 'team-x' is not a date")]
    public void Bad_key_fields_are_errors_naming_the_line_and_the_fix(string field, string expected)
    {
        var yaml = Team.Config(OpenAIUpstream, AnthropicUpstream, extra: $"gateway_keys:\n  - name: team-x\n    key: sb-x\n    {field}");
        var load = ConfigLoader.LoadText(yaml, env: new EnvironmentSource(n => Team.Env.GetValueOrDefault(n)));
        Assert.False(load.Succeeded);
        var error = Assert.Single(load.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Contains(expected, error.Message);
        Assert.True(error.Line > 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_unknown_or_expired_key_is_a_401_in_the_clients_format(bool anthropic)
    {
        await using var gateway = await TestGateway.StartAsync(Keys(), Team.Env);
        foreach (var (key, words) in new[] { ("sb-nobody", "a gateway key is required"), ("sb-retired-key", "has expired") })
        {
            using var response = await gateway.Http.SendAsync(anthropic ? Team.Messages(key) : Team.Chat(key));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains(words, await Team.ErrorMessageAsync(response, anthropic, "authentication_error"));
        }
        Assert.Empty(OpenAIUpstream.Requests);
        Assert.Empty(AnthropicUpstream.Requests);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_model_the_key_may_not_use_is_a_403_in_the_clients_format_before_anything_is_sent(bool anthropic)
    {
        await using var gateway = await TestGateway.StartAsync(Keys(), Team.Env);
        // team-a may use the alias "fast" only; team-b the Anthropic model only.
        using var response = await gateway.Http.SendAsync(anthropic ? Team.Messages("sb-team-a-SECRET") : Team.Chat("sb-team-b-SECRET"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var message = await Team.ErrorMessageAsync(response, anthropic, "permission_error");
        Assert.Contains(anthropic ? "gateway key 'team-a' may not use model 'anthropic/claude-sonnet-4-5'" : "gateway key 'team-b' may not use model 'openai/gpt-4.1'", message);
        Assert.DoesNotContain("SECRET", message);
        Assert.Empty(OpenAIUpstream.Requests);
        Assert.Empty(AnthropicUpstream.Requests);
    }

    [Fact]
    public async Task An_allowed_alias_grants_its_model_and_the_name_is_the_caller_in_logs_and_events()
    {
        await using var gateway = await TestGateway.StartAsync(Keys(), Team.Env);
        using (var response = await gateway.Http.SendAsync(Team.Chat("sb-team-a-SECRET", model: "fast"))) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The model the alias resolves to, named directly, is not what the key lists: the scope is by name.
        using (var response = await gateway.Http.SendAsync(Team.Chat("sb-team-a-SECRET", model: "openai/gpt-4.1"))) Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Single(OpenAIUpstream.Requests);
        var line = await gateway.Logs.WaitForLineAsync("caller=team-a");
        Assert.DoesNotContain("SECRET", string.Join("\n", gateway.Logs.Lines));
        Assert.Equal("team-a", gateway.Host.Events.Latest?.Caller);
        Assert.NotNull(line);
    }

    [Fact]
    public async Task Admin_endpoints_need_an_admin_key_and_a_plain_key_sees_only_its_own_traffic()
    {
        await using var gateway = await TestGateway.StartAsync(Keys(), Team.Env);
        using (var response = await gateway.Http.SendAsync(Team.Messages("sb-team-b-SECRET"))) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await gateway.Logs.WaitForLineAsync("caller=team-b");

        async Task<(HttpStatusCode, string)> Get(string path, string? key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (key is not null) request.Headers.Authorization = new("Bearer", key);
            using var response = await gateway.Http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        // Loopback is no longer enough once keys exist.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get("/switchboard/last", null)).Item1);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get("/healthz?verbose=true", null)).Item1);
        Assert.Equal(HttpStatusCode.Forbidden, (await Get("/healthz?verbose=true", "sb-team-a-SECRET")).Item1);
        var (status, health) = await Get("/healthz?verbose=true", "sb-admin-SECRET");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"providers\"", health);
        Assert.Equal(HttpStatusCode.OK, (await Get("/healthz", null)).Item1); // liveness stays open

        Assert.Contains("team-b", (await Get("/switchboard/last", "sb-admin-SECRET")).Item2);
        Assert.Contains("team-b", (await Get("/switchboard/last", "sb-team-b-SECRET")).Item2);
        Assert.Equal(HttpStatusCode.NoContent, (await Get("/switchboard/last", "sb-team-a-SECRET")).Item1); // not its traffic

        var (_, all) = await Get("/switchboard/keys", "sb-admin-SECRET");
        using var keys = JsonDocument.Parse(all);
        Assert.Equal(5, keys.RootElement.GetProperty("keys").GetArrayLength());
        var teamB = keys.RootElement.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("name").GetString() == "team-b");
        Assert.Equal(1, teamB.GetProperty("usage").GetProperty("requests").GetInt64());
        Assert.DoesNotContain("SECRET", all);
        var (_, own) = await Get("/switchboard/keys", "sb-team-a-SECRET");
        using var ownKeys = JsonDocument.Parse(own);
        Assert.Equal("team-a", Assert.Single(ownKeys.RootElement.GetProperty("keys").EnumerateArray()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Without_keys_the_admin_endpoints_stay_open_to_loopback()
    {
        await using var gateway = await TestGateway.StartAsync(Team.Config(OpenAIUpstream, AnthropicUpstream), Team.Env);
        using var last = await gateway.Http.GetAsync("/switchboard/last");
        Assert.Equal(HttpStatusCode.NoContent, last.StatusCode);
        using var health = await gateway.Http.GetAsync("/healthz?verbose=true");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
