using System.CommandLine;

namespace Switchboard.Cli;

/// <summary>The `switchboard` command line: one entry point for users, docs, tests and scripts.</summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = Build();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine(error.Message);
            Console.Error.WriteLine("Run `switchboard --help` for usage.");
            return ExitCodes.Usage;
        }
        // The gateway's host handles SIGINT/SIGTERM itself, to drain in-flight requests gracefully.
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
    }

    public static RootCommand Build()
    {
        var root = new RootCommand("Switchboard: an LLM gateway that serves the Anthropic and OpenAI APIs and routes each request to the right model.");
        root.Subcommands.Add(UpCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(RouteCommand.Create());
        root.Subcommands.Add(EvalRouterCommand.Create());
        return root;
    }

    internal static Option<string?> ConfigOption() => new("--config", "-c")
    {
        Description = "Path to the YAML config (default: ./config.yaml, else a built-in config from the provider keys in the environment).",
    };
}
