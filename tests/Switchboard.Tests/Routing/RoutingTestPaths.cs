namespace Switchboard.Tests.Routing;

/// <summary>Where test data lives: found from the test binary by walking up to the repository root.</summary>
internal static class RoutingTestPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Switchboard.slnx"))) return directory.FullName;
        throw new InvalidOperationException("Switchboard.slnx not found above " + AppContext.BaseDirectory);
    });

    public static string RepositoryRoot => Root.Value;

    /// <summary>../shared/routing-dev: the shared folder is a sibling of the repository root.</summary>
    public static string SharedRoutingDev => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "routing-dev"));

    public static string Data(string file) => Path.Combine(RepositoryRoot, "tests", "Switchboard.Tests", "Routing", "Data", file);

    public static string Golden(string file) => Path.Combine(RepositoryRoot, "tests", "Switchboard.Tests", "Routing", "Golden", file);
}
