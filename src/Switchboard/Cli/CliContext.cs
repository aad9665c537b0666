using System.Diagnostics;
using Spectre.Console;

namespace Switchboard.Cli;

/// <summary>
/// What a command may touch of the outside world: its streams, environment and working directory.
/// The real process passes <see cref="FromProcess"/>; tests pass their own, so commands run in-process, in parallel.
/// </summary>
internal sealed class CliContext
{
    /// <summary>Not a terminal (a pipe, a file, a test): nothing to fit, so Spectre must not wrap at its default 80.</summary>
    private const int UnwrappedWidth = 400;

    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly Lazy<IAnsiConsole> _ansi;

    public CliContext(
        TextWriter output,
        TextWriter error,
        TextReader input,
        bool inputIsTerminal = false,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        bool color = false)
    {
        Out = output;
        Error = error;
        In = input;
        InputIsTerminal = inputIsTerminal;
        _environment = environment ?? new Dictionary<string, string?>();
        WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory();
        // Built on first use: `statusline` runs after every Claude Code message and never needs it.
        _ansi = new Lazy<IAnsiConsole>(() =>
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(output),
                Ansi = color ? AnsiSupport.Detect : AnsiSupport.No,
                ColorSystem = color ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            });
            if (!color) console.Profile.Width = UnwrappedWidth;
            return console;
        });
    }


    /// <summary>The process's own console, environment and current directory.</summary>
    public static CliContext FromProcess()
    {
        Console.OutputEncoding = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false); // ⇄ and → whatever the locale
        // Console.In is left alone on a terminal: `claude` hands the terminal to its child, untouched.
        var inputIsTerminal = !Console.IsInputRedirected;
        return new CliContext(
            Console.Out, Console.Error, inputIsTerminal ? TextReader.Null : Console.In,
            inputIsTerminal: inputIsTerminal,
            color: !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")));
    }

    public TextWriter Out { get; }
    public TextWriter Error { get; }
    public TextReader In { get; }
    public bool InputIsTerminal { get; }
    /// <summary>Spectre console over <see cref="Out"/>: colour only on a terminal (and never with NO_COLOR).</summary>
    public IAnsiConsole Ansi => _ansi.Value;
    public string WorkingDirectory { get; }

    /// <summary>An environment variable: this context's override first (null there means unset), else the process's.</summary>
    public string? GetEnvironmentVariable(string name) =>
        _environment.TryGetValue(name, out var value) ? value : Environment.GetEnvironmentVariable(name);

    /// <summary>A path as the user meant it: relative to this context's working directory.</summary>
    public string FullPath(string path) => Path.GetFullPath(path, WorkingDirectory);

    /// <summary>Applies this context's environment overrides to a child process.</summary>
    public void ApplyEnvironment(ProcessStartInfo start)
    {
        foreach (var (name, value) in _environment)
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
    }
}
