using System.Text.Json;

namespace Switchboard.Tests.Unit.Runtime;

/// <summary>
/// The gateway's runtimeconfig carries the thread-pool and GC settings its benchmarks were measured with
/// (docs/benchmarks.md, round 6): read from the switchboard.runtimeconfig.json the build copies beside the tests.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class RuntimeConfigTests
{
    private static JsonElement ConfigProperties()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "switchboard.runtimeconfig.json");
        Assert.True(File.Exists(path), $"{path} is missing: the test project no longer gets the gateway's runtimeconfig");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    [Fact]
    public void Idle_thread_pool_workers_do_not_spin()
    {
        // Spinning idle workers were ~16% of the gateway's CPU on streams; blocking at once took 8–23% off CPU per chunk.
        Assert.True(ConfigProperties().TryGetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", out var limit));
        Assert.Equal(0, limit.GetInt32());
    }

    [Fact]
    public void The_gateway_runs_the_workstation_concurrent_gc()
    {
        var properties = ConfigProperties();
        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.True(properties.GetProperty("System.GC.Concurrent").GetBoolean());
    }

    [Fact]
    public void The_gen0_budget_is_capped_at_6_MB()
    {
        // 4–8 MB less peak RSS under Claude Code-size load (round 10); the runtime reads it under this name only.
        Assert.Equal(6 * 1024 * 1024, ConfigProperties().GetProperty("System.GC.Gen0MaxBudget").GetInt64());
    }
}
