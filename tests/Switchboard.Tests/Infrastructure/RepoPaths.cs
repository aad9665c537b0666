namespace Switchboard.Tests.Infrastructure;

/// <summary>Finds the repository (the folder with Switchboard.slnx) and the shared folder beside it.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>../shared beside the repository (the design brief and the routing dev set).</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Switchboard.slnx) above " + AppContext.BaseDirectory);
    }
}
