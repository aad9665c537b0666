using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Help;
using System.Runtime.CompilerServices;

namespace Switchboard.Cli;

/// <summary>
/// Examples in each command's own --help, after the options: the one-line description stays short in the
/// top-level command list, and `switchboard up --help` still shows how to use it.
/// </summary>
internal static class CliHelp
{
    private static readonly ConditionalWeakTable<Command, string[]> Examples = new();

    public static Command WithExamples(this Command command, params string[] examples)
    {
        Examples.AddOrUpdate(command, examples);
        return command;
    }

    /// <summary>Wraps the built-in help so every command's examples follow its usage and options.</summary>
    public static void Install(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        if (help.Action is HelpAction builtIn) help.Action = new HelpWithExamples(builtIn);
    }

    private sealed class HelpWithExamples(HelpAction builtIn) : SynchronousCommandLineAction
    {
        // As the built-in help does: `route --help` shows usage even though the prompt it requires is missing.
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var result = builtIn.Invoke(parseResult);
            if (Examples.TryGetValue(parseResult.CommandResult.Command, out var examples))
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Examples:");
                foreach (var example in examples) output.WriteLine("  " + example);
                output.WriteLine();
            }
            return result;
        }
    }
}
