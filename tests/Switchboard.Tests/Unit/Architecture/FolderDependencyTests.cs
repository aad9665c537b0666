using System.Reflection;
using System.Reflection.Emit;
using Switchboard.Pipeline;

namespace Switchboard.Tests.Unit.Architecture;

/// <summary>
/// The folders of src/Switchboard (one namespace each) depend on each other in one direction only, in the order
/// docs/architecture.md states. Read from the compiled assembly: every type's signatures, fields, locals and the
/// members its method bodies call (compiler-generated closures and state machines count for the type that wrote them).
/// </summary>
[Trait("Kind", "Unit")]
public sealed class FolderDependencyTests
{
    /// <summary>
    /// The order, lowest first: a folder may use the folders of earlier layers, never one of its own layer or a later
    /// one. Types in the root namespace (ApiFormat, Plural) may be used by all and use nothing of ours.
    /// </summary>
    private static readonly string[][] Layers =
    [
        ["Models"],
        ["Protocols"],
        ["Config"],
        ["Providers", "Routing"],
        ["Identity"],
        ["Runtime"],
        ["Sessions"],
        ["Pipeline"],
        ["Limits", "Caching"],
        ["State"],
        ["Observability"],
        ["Ledger"],
        ["Dashboard"],
        ["Endpoints"],
        ["Hosting"],
        ["Cli"],
    ];

    /// <summary>
    /// Known, named exceptions, each to be removed by the change that ends it (none today: keep the mechanism for the
    /// next one, and name it here).
    /// </summary>
    private static readonly HashSet<(string From, string To)> Pending = [];

    [Fact]
    public void Every_dependency_between_folders_points_down_the_stated_order()
    {
        var edges = FolderEdges();
        var layerOf = Layers.SelectMany((names, layer) => names.Select(name => (name, layer))).ToDictionary(p => p.name, p => p.layer);

        var unknown = edges.Keys.Concat(edges.Values.SelectMany(e => e.Keys)).Distinct().Where(f => f.Length > 0 && !layerOf.ContainsKey(f)).ToList();
        Assert.True(unknown.Count == 0, $"folders not in the stated order (add each to {nameof(Layers)} and to docs/architecture.md): {string.Join(", ", unknown)}");

        var violations = new List<string>();
        foreach (var (from, targets) in edges)
        {
            foreach (var (to, example) in targets)
            {
                if (to.Length == 0 || Pending.Contains((from, to))) continue;
                if (from.Length == 0) violations.Add($"the root namespace uses {to} ({example})");
                else if (layerOf[to] >= layerOf[from]) violations.Add($"{from} → {to} ({example})");
            }
        }
        Assert.True(violations.Count == 0, "dependencies against the order:\n" + string.Join("\n", violations));

        var ended = Pending.Where(p => !edges.GetValueOrDefault(p.From)?.ContainsKey(p.To) ?? true).ToList();
        Assert.True(ended.Count == 0, $"no longer a dependency, remove it from {nameof(Pending)}: {string.Join(", ", ended)}");
    }

    [Fact]
    public void There_is_no_cycle_between_folders()
    {
        var edges = FolderEdges();
        var graph = edges.ToDictionary(e => e.Key, e => e.Value.Keys.Where(to => to.Length > 0 && !Pending.Contains((e.Key, to))).ToList());
        var state = new Dictionary<string, int>(); // 1: on the path, 2: done
        var path = new Stack<string>();
        foreach (var start in graph.Keys)
            Visit(start);

        void Visit(string folder)
        {
            if (state.GetValueOrDefault(folder) == 2) return;
            if (state.GetValueOrDefault(folder) == 1)
                Assert.Fail("folder cycle: " + string.Join(" → ", path.Reverse().SkipWhile(f => f != folder).Append(folder)));
            state[folder] = 1;
            path.Push(folder);
            foreach (var next in graph.GetValueOrDefault(folder) ?? []) Visit(next);
            path.Pop();
            state[folder] = 2;
        }
    }

    [Fact]
    public void The_reader_sees_what_only_a_method_body_names()
    {
        // SnapshotFactory names the embedded router nowhere in a signature, only in Create's body: reading signatures
        // alone would miss such uses, and with them most of what the order is about.
        var factory = typeof(Switchboard.Runtime.SnapshotFactory);
        var signatures = factory.GetMethods(Everything).SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType));
        Assert.DoesNotContain(typeof(Switchboard.Routing.EmbeddedRouteSelector), signatures);
        Assert.Contains(typeof(Switchboard.Routing.EmbeddedRouteSelector), UsedTypes(factory));
    }

    // ---- reading the assembly --------------------------------------------------------------------------------------

    private static readonly Assembly Gateway = typeof(CompletionPipeline).Assembly;

    /// <summary>Folder → folder it uses → one example (type → type).</summary>
    private static Dictionary<string, Dictionary<string, string>> FolderEdges()
    {
        var edges = new Dictionary<string, Dictionary<string, string>>();
        foreach (var type in Gateway.GetTypes())
        {
            if (FolderOf(type) is not { } from) continue;
            foreach (var used in UsedTypes(type))
            {
                if (FolderOf(used) is not { } to || to == from) continue;
                var targets = edges.TryGetValue(from, out var t) ? t : edges[from] = [];
                targets.TryAdd(to, $"{Outermost(type).FullName} uses {Outermost(used).FullName}");
            }
        }
        return edges;
    }

    /// <summary>"Switchboard.Pipeline.Steps" → "Pipeline"; "Switchboard" → "" (the root); null for types not ours.</summary>
    private static string? FolderOf(Type type)
    {
        if (type.Assembly != Gateway) return null;
        var ns = Outermost(type).Namespace;
        if (ns is null || !(ns == "Switchboard" || ns.StartsWith("Switchboard.", StringComparison.Ordinal))) return null;
        return ns == "Switchboard" ? "" : ns["Switchboard.".Length..].Split('.')[0];
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer) type = outer;
        return type;
    }

    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static IEnumerable<Type> UsedTypes(Type type)
    {
        var used = new List<Type>();
        if (type.BaseType is { } baseType) used.Add(baseType);
        used.AddRange(type.GetInterfaces());
        foreach (var field in type.GetFields(Everything)) used.Add(field.FieldType);
        foreach (var property in type.GetProperties(Everything)) used.Add(property.PropertyType);
        var methods = type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything));
        foreach (var method in methods)
        {
            if (method is MethodInfo info) used.Add(info.ReturnType);
            used.AddRange(method.GetParameters().Select(p => p.ParameterType));
            if (method.GetMethodBody() is not { } body) continue;
            used.AddRange(body.LocalVariables.Select(l => l.LocalType));
            used.AddRange(TypesInBody(method, body));
        }
        return used.SelectMany(Expand);
    }

    /// <summary>A type and what it is built from: element types, generic arguments.</summary>
    private static IEnumerable<Type> Expand(Type type)
    {
        if (type.HasElementType) return Expand(type.GetElementType()!);
        if (!type.IsGenericType || type.IsGenericTypeDefinition) return [type];
        return type.GetGenericArguments().SelectMany(Expand).Prepend(type.GetGenericTypeDefinition());
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(op => op.Value);

    /// <summary>The types a method body names: those of every method, field, type and token its instructions reference.</summary>
    private static IEnumerable<Type> TypesInBody(MethodBase method, MethodBody body)
    {
        var il = body.GetILAsByteArray() ?? [];
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var found = new List<Type>();
        for (var i = 0; i < il.Length;)
        {
            var op = il[i] == 0xFE ? OpCodesByValue[unchecked((short)(0xFE00 | il[i + 1]))] : OpCodesByValue[il[i]];
            i += op.Size;
            switch (op.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArguments, methodArguments);
                    if (member is Type referenced) found.Add(referenced);
                    else if (member?.DeclaringType is { } owner) found.Add(owner);
                    if (member is MethodInfo called)
                    {
                        found.Add(called.ReturnType);
                        if (called.IsGenericMethod) found.AddRange(called.GetGenericArguments());
                    }
                    else if (member is FieldInfo field) found.Add(field.FieldType);
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + 4 * BitConverter.ToInt32(il, i);
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineSig or OperandType.InlineString or OperandType.ShortInlineR:
                    i += 4;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
            }
        }
        return found;
    }
}
