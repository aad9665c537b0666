namespace Switchboard.Config;

internal enum DiagnosticSeverity { Warning, Error }

/// <summary>One finding about a config: where (line), what, and how to fix it.</summary>
internal sealed record ConfigDiagnostic(DiagnosticSeverity Severity, int Line, string Message, string? Fix = null)
{
    public override string ToString()
    {
        var where = Line > 0 ? $"line {Line}: " : "";
        var kind = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        return Fix is null ? $"{kind}: {where}{Message}" : $"{kind}: {where}{Message} Fix: {Fix}";
    }
}

/// <summary>The outcome of loading a config: the config when there were no errors, and every diagnostic.</summary>
internal sealed record ConfigLoadResult(GatewayConfig? Config, IReadOnlyList<ConfigDiagnostic> Diagnostics)
{
    public bool Succeeded => Config is not null && !Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
    public IEnumerable<ConfigDiagnostic> Errors => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);
    public IEnumerable<ConfigDiagnostic> Warnings => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning);
}

/// <summary>Thrown when a config cannot be used; carries every diagnostic.</summary>
internal sealed class ConfigException(string source, IReadOnlyList<ConfigDiagnostic> diagnostics)
    : Exception($"{source}: {Plural.Count(diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error), "error")} in config:\n" +
                string.Join('\n', diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => "  " + d)))
{
    public IReadOnlyList<ConfigDiagnostic> Diagnostics { get; } = diagnostics;
}
