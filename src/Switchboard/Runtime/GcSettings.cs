namespace Switchboard.Runtime;

/// <summary>GC settings as the runtime read them, for the idle trim and /healthz alike.</summary>
internal static class GcSettings
{
    /// <summary>The gen0 budget (the runtimeconfig's System.GC.Gen0MaxBudget, or DOTNET_GCGen0MaxBudget); null when unset.</summary>
    public static long? Gen0Budget() =>
        GC.GetConfigurationVariables().TryGetValue("GCGen0MaxBudget", out var value) && value is ulong or long
            ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)
            : null;
}
