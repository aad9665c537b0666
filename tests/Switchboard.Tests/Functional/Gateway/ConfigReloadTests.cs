using System.Diagnostics;
using System.Globalization;
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

    /// <summary>A reload is a second's look and a 250 ms settle away at most; a loaded machine gets <see cref="Poll.Patience"/>.</summary>
    private static async Task Eventually(Func<Task<bool>> condition) =>
        Assert.True(await Poll.UntilAsync(condition), $"condition not met within {Poll.Patience.TotalSeconds:0} s");

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

        // A log beside the config, appended to for a while: not even a wake-up, as the folder is watched for names only.
        if (InotifyWatchesOn(dir.FullName) is { } watches)
        {
            Assert.NotEmpty(watches); // the reload's own watch on the folder
            Assert.All(watches, mask => Assert.True((mask & (InModify | InCloseWrite)) == 0, $"the config's folder is watched for writes (inotify mask 0x{mask:x})"));
        }
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

    private static string SymlinkConfig(Uri upstream, string aliasTarget) => $"""
        model_providers:
          - model: openai/gpt-4.1-mini
            access_key: literal-key
            base_url: {upstream}v1
          - model: openai/gpt-4.1-nano
            access_key: literal-key
            base_url: {upstream}v1
        model_aliases:
          fast-model:
            target: {aliasTarget}
        """;

    /// <summary>
    /// config.yaml a link to a file a deploy swaps: Kubernetes mounts a ConfigMap as config.yaml → ..data/config.yaml
    /// with ..data → a folder per version, and swaps ..data; other tools run `ln -sfn v2.yaml config.yaml`. The new file
    /// can have the old one's size and write time (unpacked from an archive), so only where the link leads tells.
    /// </summary>
    [Fact]
    public async Task A_symlinked_config_reloads_when_a_link_along_it_is_swapped_or_its_target_edited()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Canned.OpenAIChat());
        var dir = Directory.CreateTempSubdirectory("sb-reload-").FullName;
        var written = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        void Write(string path, string aliasTarget)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, SymlinkConfig(upstream.BaseUrl, aliasTarget)); // both targets are the same length
            File.SetLastWriteTimeUtc(path, written);
        }
        Write(Path.Combine(dir, "..v1", "config.yaml"), "openai/gpt-4.1-mini");
        File.CreateSymbolicLink(Path.Combine(dir, "..data"), "..v1");
        var path = Path.Combine(dir, "config.yaml");
        File.CreateSymbolicLink(path, Path.Combine("..data", "config.yaml"));
        await using var gateway = await TestGateway.StartFromFileAsync(path);
        Assert.Equal("openai/gpt-4.1-mini", await AnsweringModel(gateway));

        // A ConfigMap update: the new version's folder, then ..data swapped to it by a rename.
        Write(Path.Combine(dir, "..v2", "config.yaml"), "openai/gpt-4.1-nano");
        File.CreateSymbolicLink(Path.Combine(dir, "..data_tmp"), "..v2");
        await Run(dir, "mv", "-T", "..data_tmp", "..data"); // rename(2), as the kubelet does
        await Eventually(async () => await AnsweringModel(gateway) == "openai/gpt-4.1-nano");

        // The file the links lead to, edited in place.
        await File.WriteAllTextAsync(Path.Combine(dir, "..v2", "config.yaml"), SymlinkConfig(upstream.BaseUrl, "openai/gpt-4.1-mini"));
        await Eventually(async () => await AnsweringModel(gateway) == "openai/gpt-4.1-mini");

        // `ln -sfn`, the link itself replaced (GNU ln: a new link renamed over the old one).
        Write(Path.Combine(dir, "v3.yaml"), "openai/gpt-4.1-nano");
        await Run(dir, "ln", "-sfn", "v3.yaml", "config.yaml");
        await Eventually(async () => await AnsweringModel(gateway) == "openai/gpt-4.1-nano");
        Assert.DoesNotContain(gateway.Logs.Lines, line => line.Contains("rejected"));
        Directory.Delete(dir, true);
    }

    private static async Task Run(string folder, string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { WorkingDirectory = folder })!;
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
    }

    private const uint InModify = 0x2, InCloseWrite = 0x8;

    /// <summary>The event masks of this process's inotify watches on <paramref name="folder"/> (from /proc/self/fdinfo); null off Linux.</summary>
    private static List<uint>? InotifyWatchesOn(string folder)
    {
        if (!OperatingSystem.IsLinux()) return null;
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%i", folder]) { RedirectStandardOutput = true })!;
        var inode = ulong.Parse(stat.StandardOutput.ReadToEnd().Trim(), CultureInfo.InvariantCulture);
        stat.WaitForExit();
        var masks = new List<uint>();
        foreach (var fd in Directory.EnumerateFiles("/proc/self/fdinfo"))
        {
            string[] lines;
            try { lines = File.ReadAllLines(fd); } catch (IOException) { continue; } // closed meanwhile
            foreach (var line in lines.Where(l => l.StartsWith("inotify wd:", StringComparison.Ordinal)))
            {
                // inotify wd:1 ino:6b1a8 sdev:800003 mask:3c0 ignored_mask:0 …
                var fields = line.Split(' ').Select(f => f.Split(':', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]);
                if (ulong.Parse(fields["ino"], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == inode)
                    masks.Add(uint.Parse(fields["mask"], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }
        return masks;
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
