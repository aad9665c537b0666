using System.Net;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Tests.Functional.Gateway;

[Trait("Kind", "Functional")]
public sealed class ConfigReloadTests
{
    private static string Config(Uri upstream, string aliasTarget) => $"""
        model_providers:
          - model: openai/gpt-4.1
            access_key: literal-key
            base_url: {upstream}v1
          - model: openai/gpt-4.1-mini
            access_key: literal-key
            base_url: {upstream}v1
        model_aliases:
          fast-model:
            target: {aliasTarget}
        """;

    private static async Task<string?> AnsweringModel(TestGateway gateway)
    {
        using var response = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", """{"model":"fast-model","messages":[{"role":"user","content":"hi"}]}"""));
        return response.Headers.TryGetValues("x-switchboard-model", out var v) ? v.Single() : null;
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition()) return;
            await Task.Delay(50);
        }
        Assert.Fail("condition not met within 5 s");
    }

    [Fact]
    public async Task Editing_the_file_reloads_it_and_an_invalid_edit_keeps_the_running_config()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Canned.OpenAIChat());
        var dir = Directory.CreateTempSubdirectory("sb-reload-");
        var path = Path.Combine(dir.FullName, "config.yaml");
        await File.WriteAllTextAsync(path, Config(upstream.BaseUrl, "openai/gpt-4.1"));
        await using var gateway = await TestGateway.StartFromFileAsync(path);
        Assert.Equal("openai/gpt-4.1", await AnsweringModel(gateway));

        await File.WriteAllTextAsync(path, Config(upstream.BaseUrl, "openai/gpt-4.1-mini"));
        await Eventually(async () => await AnsweringModel(gateway) == "openai/gpt-4.1-mini");
        await gateway.Logs.WaitForLineAsync("config reloaded");

        await File.WriteAllTextAsync(path, Config(upstream.BaseUrl, "openai/gpt-9"));
        await gateway.Logs.WaitForLineAsync("rejected with 1 error;");
        await gateway.Logs.WaitForLineAsync("openai/gpt-9");
        Assert.Equal("openai/gpt-4.1-mini", await AnsweringModel(gateway));
        dir.Delete(true);
    }

    [Fact]
    public async Task A_file_replaced_by_a_rename_reloads_and_writes_to_other_files_beside_it_do_not()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Canned.OpenAIChat());
        var dir = Directory.CreateTempSubdirectory("sb-reload-");
        var path = Path.Combine(dir.FullName, "config.yaml");
        await File.WriteAllTextAsync(path, Config(upstream.BaseUrl, "openai/gpt-4.1"));
        await using var gateway = await TestGateway.StartFromFileAsync(path);

        // A log beside the config, appended to for a while: no reload.
        var log = Path.Combine(dir.FullName, "gateway.log");
        for (var i = 0; i < 30; i++)
        {
            await File.AppendAllTextAsync(log, $"line {i}\n");
            await Task.Delay(50);
        }
        Assert.DoesNotContain(gateway.Logs.Lines, line => line.Contains("config reloaded"));
        Assert.Equal("openai/gpt-4.1", await AnsweringModel(gateway));

        // An editor's atomic save: a new file renamed over the config.
        var next = Path.Combine(dir.FullName, "config.yaml.tmp");
        await File.WriteAllTextAsync(next, Config(upstream.BaseUrl, "openai/gpt-4.1-mini"));
        File.Move(next, path, overwrite: true);
        await Eventually(async () => await AnsweringModel(gateway) == "openai/gpt-4.1-mini");
        await gateway.Logs.WaitForLineAsync("config reloaded");
        dir.Delete(true);
    }

    [Fact]
    public async Task A_request_in_flight_finishes_on_the_config_it_started_with()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var release = new TaskCompletionSource();
        upstream.Handler = async (c, _) =>
        {
            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync("data: {\"id\":\"1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n");
            await c.Response.Body.FlushAsync();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await c.Response.WriteAsync("data: [DONE]\n\n");
        };
        var dir = Directory.CreateTempSubdirectory("sb-reload-");
        var path = Path.Combine(dir.FullName, "config.yaml");
        await File.WriteAllTextAsync(path, Config(upstream.BaseUrl, "openai/gpt-4.1"));
        await using var gateway = await TestGateway.StartFromFileAsync(path);

        using var streaming = await gateway.Http.SendAsync(JsonPost("/v1/chat/completions", """{"model":"fast-model","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("openai/gpt-4.1", streaming.Headers.GetValues("x-switchboard-model").Single());
        await File.WriteAllTextAsync(path, Config(upstream.BaseUrl, "openai/gpt-4.1-mini").Replace("literal-key", "other-key"));
        await gateway.Logs.WaitForLineAsync("config reloaded");
        release.SetResult();
        var body = await streaming.Content.ReadAsStringAsync();
        Assert.Contains("[DONE]", body);
        Assert.DoesNotContain("error", body);
        dir.Delete(true);
    }
}
