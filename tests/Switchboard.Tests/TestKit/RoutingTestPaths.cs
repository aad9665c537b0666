namespace Switchboard.Tests.TestKit;

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

    /// <summary>
    /// ../shared/routing-dev, the design brief's dev set beside the repository: CI has it, a fresh clone does not.
    /// Only <see cref="SharedDevSetFactAttribute"/> tests read it; every other test uses the repository's own data.
    /// </summary>
    public static string SharedRoutingDev => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "routing-dev"));

    public static string Data(string file) => Path.Combine(RepositoryRoot, "tests", "Switchboard.Tests", "TestData", "Routing", file);

    public static string Golden(string file) => Path.Combine(RepositoryRoot, "tests", "Switchboard.Tests", "TestData", "RoutingGolden", file);

    /// <summary>The project's own coding policy (five routes), which the coding data sets here are labelled against.</summary>
    public static string CodingPolicy => Data("coding-policy.yaml");
}

/// <summary>
/// A test on the shared dev set (../shared/routing-dev): skipped, saying why, when that folder is not beside the
/// repository, so a fresh clone's suite needs nothing outside it.
/// </summary>
internal sealed class SharedDevSetFactAttribute : FactAttribute
{
    public SharedDevSetFactAttribute()
    {
        if (!Directory.Exists(RoutingTestPaths.SharedRoutingDev))
            Skip = $"the shared routing dev set is not beside the repository ({RoutingTestPaths.SharedRoutingDev}); the floors on the repository's own sets still run";
    }
}
