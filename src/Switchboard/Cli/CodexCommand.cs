using System.CommandLine;
using System.Diagnostics;

namespace Switchboard.Cli;

/// <summary>
/// `switchboard codex`: the OpenAI Codex CLI with every request through the gateway's Responses API. Starts the gateway
/// in the background when none is running, then runs `codex` on this terminal with a provider defined for this run
/// only (<c>-c model_provider=switchboard -c model_providers.switchboard={…}</c>): nothing is written to ~/.codex, so
/// nothing points at the gateway once it is gone.
/// </summary>
internal static class CodexCommand
{
    /// <summary>The provider id the run defines.</summary>
    public const string ProviderId = "switchboard";

    /// <summary>The variable Codex reads the gateway key from (the provider's env_key).</summary>
    public const string KeyVariable = "SWITCHBOARD_CODEX_KEY";

    public const string OverrideVariable = "SWITCHBOARD_CODEX_BIN";

    private static readonly AgentBinary Agent = new("codex", "The Codex CLI", OverrideVariable, "npm install -g @openai/codex");

    public static Command Create(CliContext context)
    {
        var config = new Option<string?>("--config") { Description = "Config for the gateway, if it has to be started (default: ./config.yaml, else providers from environment keys)." };
        var port = new Option<int?>("--port") { Description = "Port for the gateway, if it has to be started." };
        var url = CliApp.UrlOption();
        var codexArgs = new Argument<string[]>("codex-args") { Description = "Arguments for codex, after --.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("codex", "Run the OpenAI Codex CLI through the gateway (starting the gateway if needed).") { config, port, url, codexArgs };
        command.WithExamples(
            "switchboard codex -- -m fast                          # a model or alias of the gateway",
            "switchboard codex -- exec -m anthropic/claude-sonnet-4-5 \"fix the failing test\"",
            "switchboard codex --url http://127.0.0.1:12000 -- -m fast");
        command.SetAction((parse, cancellationToken) => RunAsync(context,
            parse.GetValue(config), parse.GetValue(port), parse.GetValue(url), parse.GetValue(codexArgs) ?? [], cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string? configPath, int? port, Uri? url, string[] codexArgs, CancellationToken cancellationToken)
    {
        if (!CliApp.CheckPort(port, context)) return ExitCodes.Usage;
        if (Agent.Find(context, InstallLayout.RepositoryRoot, out var problem) is not { } codex)
        {
            context.Error.WriteLine(problem);
            return ExitCodes.Failure;
        }
        var gatewayUrl = await ClaudeCommand.EnsureGatewayAsync(context, url, configPath, port, cancellationToken).ConfigureAwait(false);
        if (gatewayUrl is null) return ExitCodes.Failure;
        var address = gatewayUrl.ToString().TrimEnd('/');

        var start = new ProcessStartInfo(codex) { UseShellExecute = false, WorkingDirectory = context.WorkingDirectory };
        context.ApplyEnvironment(start);
        start.Environment[KeyVariable] = ClaudeCommand.GatewayKey(context, configPath) ?? ClaudeCommand.PlaceholderToken;
        start.Environment[GatewayLocator.UrlVariable] = address;
        foreach (var arg in Arguments(address, codexArgs)) start.ArgumentList.Add(arg);
        try
        {
            return await ClaudeCommand.RunInheritingTerminalAsync(start, cancellationToken).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            context.Error.WriteLine($"Cannot run {codex}: {ex.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>
    /// Codex's arguments: a subcommand the user gave (exec, resume…) first, since `-c` belongs after it to apply to it;
    /// then the per-run provider; then the rest of the user's arguments.
    /// </summary>
    internal static List<string> Arguments(string gatewayAddress, IReadOnlyList<string> codexArgs)
    {
        var args = new List<string>(codexArgs.Count + 4);
        var rest = 0;
        if (codexArgs.Count > 0 && IsSubcommand(codexArgs[0]))
        {
            args.Add(codexArgs[0]);
            rest = 1;
        }
        args.Add("-c");
        args.Add("model_provider=" + ProviderId);
        args.Add("-c");
        args.Add(ProviderDefinition(gatewayAddress));
        for (var i = rest; i < codexArgs.Count; i++) args.Add(codexArgs[i]);
        return args;
    }

    /// <summary>
    /// The provider as a TOML inline table: the Responses API over HTTP (the gateway serves no WebSocket), the key from
    /// <see cref="KeyVariable"/>, and the gateway's model catalog (so Codex declares apply_patch and its shell for our models).
    /// </summary>
    internal static string ProviderDefinition(string gatewayAddress) =>
        $"model_providers.{ProviderId}={{name=\"Switchboard\", base_url={TomlString(gatewayAddress + "/v1")}, wire_api=\"responses\", env_key=\"{KeyVariable}\", "
        + $"model_catalog_url={TomlString(gatewayAddress + "/v1/models")}, supports_websockets=false}}";

    private static bool IsSubcommand(string arg) => arg is "exec" or "e" or "resume" or "fork" or "review" or "apply" or "a";

    private static string TomlString(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
