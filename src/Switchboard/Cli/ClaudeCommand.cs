using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Switchboard.Config;
using Switchboard.Sessions;

namespace Switchboard.Cli;

/// <summary>
/// `switchboard claude`: Claude Code with every request through the gateway. Starts the gateway in the
/// background when none is running, then runs `claude` on this terminal with the environment pointing at it.
/// </summary>
internal static class ClaudeCommand
{
    /// <summary>The alias Claude Code's small/fast (haiku-class) calls use when the config defines it.</summary>
    public const string SmallFastAlias = ClaudeCodeChoices.SmallFastAlias;

    /// <summary>archgw's name for the same alias, which its configs define; used when the config has no <see cref="SmallFastAlias"/>.</summary>
    public const string ArchgwSmallFastAlias = ClaudeCodeChoices.ArchgwSmallFastAlias;

    /// <summary>Claude Code needs some credential to start; the gateway holds the real keys.</summary>
    public const string PlaceholderToken = "switchboard";

    public static Command Create(CliContext context)
    {
        var settings = new Option<string?>("--settings") { Description = "Claude Code settings (JSON or a file), passed to its own --settings; its \"env\" entries override Switchboard's. Top-level ANTHROPIC_SMALL_FAST_MODEL and NON_INTERACTIVE_MODE are read as archgw's cli-agent does, not passed on." };
        // No short aliases here: -c and -p mean --continue and --print to claude, and users type them out of habit.
        var config = new Option<string?>("--config") { Description = "Config for the gateway, if it has to be started (default: ./config.yaml, else providers from environment keys)." };
        var port = new Option<int?>("--port") { Description = "Port for the gateway, if it has to be started." };
        var url = CliApp.UrlOption();
        var claudeArgs = new Argument<string[]>("claude-args") { Description = "Arguments for claude, after --.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("claude", "Run Claude Code through the gateway (starting the gateway if needed).") { settings, config, port, url, claudeArgs };
        command.WithExamples(
            "switchboard claude",
            "switchboard claude -- -p \"explain this repo\"           # arguments after -- go to claude",
            "switchboard claude --settings '{\"model\": \"opus\"}'",
            "switchboard claude --url http://127.0.0.1:12000        # a gateway started in the foreground");
        command.SetAction((parse, cancellationToken) => RunAsync(context,
            parse.GetValue(settings), parse.GetValue(config), parse.GetValue(port), parse.GetValue(url), parse.GetValue(claudeArgs) ?? [], cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string? settingsValue, string? configPath, int? port, Uri? url, string[] claudeArgs, CancellationToken cancellationToken)
    {
        if (!CliApp.CheckPort(port, context)) return ExitCodes.Usage;
        if (!ClaudeSettings.TryParse(settingsValue, context, out var userSettings, out var settingsError))
        {
            context.Error.WriteLine(settingsError);
            return ExitCodes.Usage;
        }
        // archgw's `cli-agent claude` reads these two from the top level of --settings: they are not Claude Code settings.
        var archgw = ClaudeSettings.TakeArchgwKeys(ref userSettings);
        // Before starting anything: no claude, nothing to do.
        if (ClaudeBinary.Find(context, out var problem) is not { } claude)
        {
            context.Error.WriteLine(problem);
            return ExitCodes.Failure;
        }

        var gatewayUrl = await EnsureGatewayAsync(context, url, configPath, port, cancellationToken).ConfigureAwait(false);
        if (gatewayUrl is null) return ExitCodes.Failure;
        var address = gatewayUrl.ToString().TrimEnd('/');

        var start = new ProcessStartInfo(claude) { UseShellExecute = false, WorkingDirectory = context.WorkingDirectory };
        context.ApplyEnvironment(start);
        var env = start.Environment;
        env.Remove("ANTHROPIC_API_KEY"); // it would win over the gateway's token and bypass nothing but confuse everything
        env["ANTHROPIC_BASE_URL"] = address;
        var gatewayConfig = RunningConfig(context, configPath);
        var gatewayKey = GatewayKey(context, gatewayConfig);
        env["ANTHROPIC_AUTH_TOKEN"] = gatewayKey ?? PlaceholderToken;
        env["API_TIMEOUT_MS"] = "600000";
        env["DISABLE_TELEMETRY"] = "1";
        env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1";
        env["DISABLE_AUTOUPDATER"] = "1";
        env[GatewayLocator.UrlVariable] = address; // so `switchboard statusline` finds this gateway, wherever it runs
        // The hint headers say which requests are the user's turns and which are background calls (the gateway routes
        // only the turns and holds a turn's model through its tool loop); discovery fills /model with the gateway's choices.
        env["CLAUDE_CODE_GATEWAY_HINT_HEADERS"] = "1";
        env["CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY"] = "1";
        var claudeCode = gatewayConfig?.ClaudeCode;
        if (claudeCode?.Opus is { } opus) env["ANTHROPIC_DEFAULT_OPUS_MODEL"] = opus.Name;
        if (claudeCode?.Sonnet is { } sonnet) env["ANTHROPIC_DEFAULT_SONNET_MODEL"] = sonnet.Name;
        if (claudeCode?.Subagent is { } subagent) env["CLAUDE_CODE_SUBAGENT_MODEL"] = subagent.Name;
        if ((archgw.SmallFastModel ?? claudeCode?.Haiku?.Name ?? await SmallFastAliasAsync(gatewayUrl, gatewayKey, cancellationToken).ConfigureAwait(false)) is { } smallFast)
        {
            env["ANTHROPIC_SMALL_FAST_MODEL"] = smallFast;
            env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = smallFast;
        }
        if (archgw.NonInteractive)
        {
            // As archgw does for NON_INTERACTIVE_MODE: no prompts, colours or line editing, for scripts and CI.
            env["CI"] = "true";
            env["FORCE_COLOR"] = "0";
            env["NODE_NO_READLINE"] = "1";
            env["TERM"] = "dumb";
        }
        foreach (var (name, value) in ClaudeSettings.EnvironmentOf(userSettings)) env[name] = value;

        JsonObject? settings = ClaudeSettings.DefinesStatusLine(userSettings, context)
            ? userSettings
            : ClaudeSettings.WithStatusLine(userSettings, InstallLayout.SelfShellCommand() + " statusline");
        if (settings is not null)
        {
            start.ArgumentList.Add("--settings");
            start.ArgumentList.Add(settings.ToJsonString());
        }
        foreach (var arg in claudeArgs) start.ArgumentList.Add(arg);

        try
        {
            return await RunInheritingTerminalAsync(start, cancellationToken).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            context.Error.WriteLine($"Cannot run {claude}: {ex.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>
    /// The gateway to use: --url (or $SWITCHBOARD_URL), else the running background one, else one answering on the
    /// config's listener (started in the foreground), else a newly started background one.
    /// </summary>
    internal static async Task<Uri?> EnsureGatewayAsync(CliContext context, Uri? url, string? configPath, int? port, CancellationToken cancellationToken)
    {
        if (GatewayLocator.Find(context, url, configPath) is { } located)
        {
            using var client = new GatewayClient(located.BaseUrl, TimeSpan.FromSeconds(3));
            if (await client.GetHealthAsync(cancellationToken).ConfigureAwait(false) is not null) return located.BaseUrl;
            if (located.IsGuess) return await StartAsync(context, configPath, port, cancellationToken).ConfigureAwait(false);
            if (located.State is null)
            {
                context.Error.WriteLine($"No Switchboard answers on {located.BaseUrl.ToString().TrimEnd('/')}. Start one there, or drop --url (and $SWITCHBOARD_URL) to let Switchboard start it.");
                return null;
            }
            context.Error.WriteLine($"The background gateway (pid {located.State.Pid}) is not answering on {located.BaseUrl.ToString().TrimEnd('/')}. See `switchboard logs`; `switchboard down` stops it.");
            return null;
        }
        return await StartAsync(context, configPath, port, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Uri?> StartAsync(CliContext context, string? configPath, int? port, CancellationToken cancellationToken)
    {
        var started = await DetachedGateway.StartAsync(context, GatewayStateStore.For(context), configPath, port, cancellationToken).ConfigureAwait(false);
        if (started is null) return null;
        context.Error.WriteLine($"Started Switchboard in the background on {started.Url} (pid {started.Pid}); `switchboard down` stops it.");
        return started.BaseUrl;
    }

    /// <summary>
    /// The gateway key Claude Code must send when the gateway requires one: $SWITCHBOARD_GATEWAY_KEY, else the first
    /// of gateway_keys in the config the gateway runs.
    /// </summary>
    /// <summary>The gateway key a CLI run sends: $SWITCHBOARD_GATEWAY_KEY, else the running config's first one.</summary>
    internal static string? GatewayKey(CliContext context, string? configPath) => GatewayKey(context, RunningConfig(context, configPath));

    private static string? GatewayKey(CliContext context, GatewayConfig? config) =>
        context.GetEnvironmentVariable("SWITCHBOARD_GATEWAY_KEY") is { Length: > 0 } fromEnv
            ? fromEnv
            : config?.GatewayKeys.FirstOrDefault(k => k.Secret.IsResolved)?.Secret.Value;

    /// <summary>The config the gateway runs (--config, the detached gateway's, or ./config.yaml); null when there is none to read.</summary>
    private static GatewayConfig? RunningConfig(CliContext context, string? configPath)
    {
        var path = configPath ?? GatewayStateStore.For(context).ReadLive()?.ConfigPath;
        if (path is null && !File.Exists(context.FullPath("config.yaml"))) return null;
        return ConfigSource.Resolve(path, context).Config;
    }

    /// <summary>The small/fast alias the gateway offers: Switchboard's name, else archgw's; null when it has neither.</summary>
    private static async Task<string?> SmallFastAliasAsync(Uri gatewayUrl, string? gatewayKey, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new GatewayClient(gatewayUrl, TimeSpan.FromSeconds(3), gatewayKey);
            var models = await client.GetModelIdsAsync(cancellationToken).ConfigureAwait(false);
            return models.Contains(SmallFastAlias) ? SmallFastAlias : models.Contains(ArchgwSmallFastAlias) ? ArchgwSmallFastAlias : null;
        }
        catch (Exception ex) when (GatewayClient.IsUnreachable(ex, cancellationToken) || ex is System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Runs the child on this terminal and returns its exit code. Ctrl+C, Ctrl+\ and a closing terminal reach
    /// the child directly (same process group), and it decides what they mean, so this process ignores them
    /// and waits; a SIGTERM sent to this process alone is passed on.
    /// </summary>
    internal static async Task<int> RunInheritingTerminalAsync(ProcessStartInfo start, CancellationToken cancellationToken)
    {
        using var process = Process.Start(start)!;
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true);
        using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => c.Cancel = true);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => c.Cancel = true);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            ProcessProbe.Signal(process.Id, ProcessProbe.SigTerm);
        });
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            ProcessProbe.Signal(process.Id, ProcessProbe.SigTerm);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        return process.ExitCode;
    }
}
