namespace Switchboard.Tests.TestKit;

/// <summary>Finds the repository (the folder with Switchboard.slnx) and the test fixtures.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "Fixtures", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Switchboard.slnx) above " + AppContext.BaseDirectory);
    }
}
