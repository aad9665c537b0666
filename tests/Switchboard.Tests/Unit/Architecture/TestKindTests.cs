using System.Reflection;

namespace Switchboard.Tests.Unit.Architecture;

/// <summary>
/// Every test class says its kind (Unit: no sockets or processes; Functional: the real gateway on Kestrel with fake
/// upstreams, or the CLI as a process; EndToEnd: a real coding-agent CLI) with a <c>Kind</c> trait, and lives in the
/// folder of that kind, so `./test.sh --kind unit` runs exactly the folder it names.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class TestKindTests
{
    private static readonly string[] Kinds = ["Unit", "Functional", "EndToEnd"];

    [Fact]
    public void Every_test_class_has_a_kind_that_matches_its_folder()
    {
        var problems = new List<string>();
        foreach (var type in typeof(TestKindTests).Assembly.GetTypes().Where(IsTestClass))
        {
            var kind = type.GetCustomAttributesData()
                .Where(a => a.AttributeType == typeof(TraitAttribute) && (string?)a.ConstructorArguments[0].Value == "Kind")
                .Select(a => (string?)a.ConstructorArguments[1].Value).FirstOrDefault();
            var folder = type.Namespace?.Split('.').ElementAtOrDefault(2);
            if (kind is null) problems.Add($"{type.FullName}: no [Trait(\"Kind\", …)] (one of {string.Join(", ", Kinds)})");
            else if (!Kinds.Contains(kind)) problems.Add($"{type.FullName}: unknown kind '{kind}'");
            else if (folder != kind) problems.Add($"{type.FullName}: kind {kind} but lives under {folder ?? "the project root"}/");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static bool IsTestClass(Type type) =>
        type is { IsClass: true, IsAbstract: false } &&
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any());
}
