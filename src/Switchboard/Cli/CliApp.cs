using System.CommandLine;

namespace Switchboard.Cli;

/// <summary>The `switchboard` command line: one entry point for users, docs, tests and scripts.</summary>
internal static class CliApp
{
    public static Task<int> RunAsync(string[] args) => RunAsync(args, CliContext.FromProcess());

    /// <summary>Runs a command line against <paramref name="context"/>; cancelling the token stops long-running commands.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        var root = Build(context);
        // No command at all: show what there is, as a usage error.
        var parse = root.Parse(args.Length == 0 ? ["--help"] : args);
        if (parse.Errors.Count > 0 && parse.Action is not { ClearsParseErrors: true })
        {
            foreach (var error in parse.Errors) context.Error.WriteLine(error.Message);
            context.Error.WriteLine($"Run `switchboard {CommandPath(parse.CommandResult.Command)}--help` for usage.");
            return ExitCodes.Usage;
        }
        // The gateway's host handles SIGINT/SIGTERM itself, to drain in-flight requests gracefully.
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null, Output = context.Out, Error = context.Error };
        var exitCode = await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        return args.Length == 0 ? ExitCodes.Usage : exitCode;
    }

    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand("Switchboard: an LLM gateway that serves the Anthropic and OpenAI APIs and routes each request to the right model.");
        root.Subcommands.Add(UpCommand.Create(context));
        root.Subcommands.Add(DownCommand.Create(context));
        root.Subcommands.Add(StatusCommand.Create(context));
        root.Subcommands.Add(LogsCommand.Create(context));
        root.Subcommands.Add(WatchCommand.Create(context));
        root.Subcommands.Add(ClaudeCommand.Create(context));
        root.Subcommands.Add(CodexCommand.Create(context));
        root.Subcommands.Add(StatuslineCommand.Create(context));
        root.Subcommands.Add(InitCommand.Create(context));
        root.Subcommands.Add(ValidateCommand.Create(context));
        root.Subcommands.Add(ModelsCommand.Create(context));
        root.Subcommands.Add(RouteCommand.Create(context));
        root.Subcommands.Add(EvalRouterCommand.Create(context));
        root.Subcommands.Add(UsageCommand.Create(context));
        root.Subcommands.Add(KeysCommand.Create(context));
        root.Subcommands.Add(FeedbackCommand.Create(context));
        CliHelp.Install(root);
        return root;
    }

    private static string CommandPath(Command command) => command is RootCommand ? "" : command.Name + " ";

    internal static Option<string?> ConfigOption() => new("--config", "-c")
    {
        Description = "Path to the YAML config (default: ./config.yaml, else a built-in config from the provider keys in the environment).",
    };

    internal static Option<int?> PortOption() => new("--port", "-p")
    {
        Description = "Listen on this port instead of the config's (0 picks a free port).",
    };

    internal static Option<bool> JsonOption(string what) => new("--json")
    {
        Description = $"Print {what} as JSON, for scripts.",
    };

    /// <summary>--url for a gateway that `up --detach` did not start (a foreground one); also $SWITCHBOARD_URL.</summary>
    internal static Option<Uri?> UrlOption() => new("--url")
    {
        Description = "The gateway's address, e.g. http://127.0.0.1:12000 (default: $SWITCHBOARD_URL, else the gateway `up --detach` started).",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (GatewayLocator.TryParseUrl(text, out var url)) return url;
            result.AddError($"--url '{text}' is not an http:// address such as http://127.0.0.1:12000.");
            return null;
        },
    };

    /// <summary>A port given on the command line must be one; returns false (after saying so) when it is not.</summary>
    internal static bool CheckPort(int? port, CliContext context)
    {
        if (port is null or (>= 0 and <= 65535)) return true;
        context.Error.WriteLine($"--port {port} is not a port number (0-65535).");
        return false;
    }
}
