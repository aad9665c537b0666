using Switchboard.Ledger;
using Switchboard.Ledger.Queries;
using Switchboard.Ledger.Storage;

namespace Switchboard.Tests.Functional.Ledger;

/// <summary>
/// The two stores under the same tests, so their semantics stay the same: SQLite always, PostgreSQL on a real server
/// (<see cref="PostgresServer"/>). Rows at chosen times, then rollups, retention and the queries over both.
/// </summary>
[Trait("Kind", "Functional")]
public sealed class LedgerStoreTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sb-ledger-store-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private async Task<ILedgerStore> OpenAsync(string kind)
    {
        ILedgerStore store = kind == "sqlite"
            ? new SqliteLedgerStore(Path.Combine(_dir, "nested", "ledger.db"))
            : new PostgresLedgerStore(await (await PostgresServer.GetAsync()).CreateDatabaseAsync());
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    /// <summary>
    /// A batch written as the gateway writes one: on a thread of its own (the ledger's writer thread). Npgsql's blocking
    /// calls made on the test's own thread waited out the 30 s command timeout here, under xunit's synchronization context.
    /// </summary>
    internal static Task WriteAsync(ILedgerStore store, LedgerRow[] rows) => Task.Run(() => store.Write(rows));

    internal static LedgerRow Row(DateTimeOffset time, string model = "openai/gpt-4.1", string? session = "s1", long input = 100, long output = 10, long? costNano = 1000,
        double latency = 100, int status = 200, string? caller = "TEAM_KEY", string route = "none") => new()
    {
        TimeMs = time.ToUnixTimeMilliseconds(), RequestId = "sb_" + Guid.NewGuid().ToString("N")[..12], Session = session, Caller = caller, ClientApi = "openai",
        Operation = "chat_completions", Agent = "codex/0.46.0", RequestedModel = model, Route = route, Selection = "literal", Model = model, Provider = model.Split('/')[0],
        Attempts = 1, Status = status, ErrorKind = status >= 400 ? "upstream_error" : null, LatencyMs = latency, TtfbMs = latency / 2, Stream = true,
        InputTokens = input, CacheReadTokens = input / 10, CacheWriteTokens = 0, OutputTokens = output, ReasoningTokens = 0, CostNanoUsd = costNano,
    };

    [Fact] public Task Sqlite_rows_rollups_and_retention_answer_the_same_totals() => RowsRollupsAndRetention("sqlite");
    [PostgresFact] public Task Postgres_rows_rollups_and_retention_answer_the_same_totals() => RowsRollupsAndRetention("postgres");
    [Fact] public Task Sqlite_migrating_again_changes_nothing_and_the_newest_rows_come_first() => MigrateAgainAndRecent("sqlite");
    [PostgresFact] public Task Postgres_migrating_again_changes_nothing_and_the_newest_rows_come_first() => MigrateAgainAndRecent("postgres");

    [Fact] public Task Sqlite_every_value_of_every_row_reads_back_as_written() => EveryValueReadsBack("sqlite");
    [PostgresFact] public Task Postgres_every_value_of_every_row_reads_back_as_written() => EveryValueReadsBack("postgres");

    /// <summary>
    /// A batch long enough for the multi-row inserts and a remainder written one by one (SQLite binds 16 rows per
    /// statement, each value by its number), with every optional value both set and absent, an empty requested model
    /// (a request that named none), and text beyond ASCII: each row reads back value for value.
    /// </summary>
    private async Task EveryValueReadsBack(string kind)
    {
        await using var store = await OpenAsync(kind);
        var start = new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
        var rows = Enumerable.Range(0, 2 * SqliteLedgerStore.RowsPerInsert + 5).Select(i => new LedgerRow
        {
            TimeMs = start.AddSeconds(i).ToUnixTimeMilliseconds(), RequestId = $"sb_{i:D4}", Session = i % 3 == 0 ? null : $"sess-{i % 4}-é",
            Caller = i % 5 == 0 ? null : "team", ClientApi = i % 2 == 0 ? "anthropic" : "openai", Operation = "messages", Agent = i % 7 == 0 ? null : "claude-code/2.1.330",
            RequestedModel = i % 4 == 0 ? "" : $"model-{i}-日本", Route = i % 2 == 0 ? "none" : "debugging", Selection = "routed", Model = $"openai/gpt-{i}", Provider = "openai",
            Fallbacks = i % 6 == 0 ? "anthropic/a,gemini/b" : null, Attempts = 1 + i % 3, Status = i % 9 == 0 ? 502 : 200, ErrorKind = i % 9 == 0 ? "upstream_error" : null,
            LatencyMs = 100.25 + i, TtfbMs = 50.5 + i, Stream = i % 2 == 1, InputTokens = 1000 + i, CacheReadTokens = 2000 + i, CacheWriteTokens = 3000 + i,
            OutputTokens = 400 + i, ReasoningTokens = 50 + i, CostNanoUsd = i % 8 == 0 ? null : 1_000_000L * i, Router = i % 2 == 0 ? null : "arch-router",
            RoutingReason = i % 2 == 0 ? null : "matched_route", RoutingConfidence = i % 2 == 0 ? null : 0.5 + i / 100.0, RoutingMs = i % 2 == 0 ? null : 12.5 + i,
        }).ToArray();
        await WriteAsync(store, rows);

        var read = new List<LedgerRow>();
        await foreach (var row in store.ReadRowsAsync(start.ToUnixTimeMilliseconds(), start.AddDays(1).ToUnixTimeMilliseconds(), null, null, CancellationToken.None))
            read.Add(row);
        Assert.Equal(rows.Length, read.Count);
        foreach (var (written, back) in rows.Zip(read.OrderBy(r => r.TimeMs)))
            Assert.Equal(written, back);
    }

    private async Task RowsRollupsAndRetention(string kind)
    {
        await using var store = await OpenAsync(kind);
        var day1 = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var rows = new List<LedgerRow>();
        for (var i = 0; i < 10; i++) rows.Add(Row(day1.AddHours(1 + i), latency: 100 + i * 10));
        rows.Add(Row(day1.AddHours(5), model: "anthropic/claude-sonnet-4-5", session: "s2", costNano: null, status: 502));
        for (var i = 0; i < 4; i++) rows.Add(Row(day1.AddDays(1).AddHours(2 + i), model: "anthropic/claude-sonnet-4-5", session: "s2", costNano: 2500));
        await WriteAsync(store, [.. rows]);

        var window = new UsageWindow(day1, day1.AddDays(2));
        var before = await new UsageQuery(store).UsageAsync(window, "model", CancellationToken.None);
        Assert.Equal(15, before.Total.Requests);
        Assert.Equal(1, before.Total.Errors);
        Assert.Equal(1, before.Total.UnpricedRequests);
        Assert.Equal((10 * 1000 + 4 * 2500) / 1_000_000_000m, before.Total.CostUsd);
        Assert.Equal(140, before.Rows.Single(r => r.Key == "openai/gpt-4.1").LatencyP50Ms); // nearest rank of 100..190

        // Roll up both days, prune the rows of the first: the same totals, from the rollups.
        Assert.Equal(2, await store.RollUpAsync(DateOnly.FromDateTime(day1.AddDays(2).UtcDateTime), CancellationToken.None));
        Assert.Equal(0, await store.RollUpAsync(DateOnly.FromDateTime(day1.AddDays(2).UtcDateTime), CancellationToken.None));
        Assert.Equal(11, await store.PruneAsync(DateOnly.FromDateTime(day1.AddDays(1).UtcDateTime), CancellationToken.None));
        var after = await new UsageQuery(store).UsageAsync(window, "model", CancellationToken.None);
        // Sums are exact; percentiles from rollups are the days' percentiles weighted by requests: close, not equal.
        Assert.Equal(Exact(before.Total), Exact(after.Total));
        Assert.Equal(before.Rows.Select(Exact), after.Rows.Select(Exact));
        Assert.InRange(after.Total.LatencyP50Ms, before.Total.LatencyP50Ms * 0.8, before.Total.LatencyP50Ms * 1.2);
        Assert.InRange(after.Total.LatencyP95Ms, before.Total.LatencyP95Ms * 0.8, before.Total.LatencyP95Ms * 1.2);

        var bySession = await new UsageQuery(store).SessionsAsync(window, CancellationToken.None);
        Assert.Equal(["s2", "s1"], bySession.Sessions.Select(s => s.Session));
        Assert.Equal(["anthropic/claude-sonnet-4-5"], bySession.Sessions[0].Models);
        var byDay = await new UsageQuery(store).UsageAsync(window, "day", CancellationToken.None);
        Assert.Equal(["2026-03-01", "2026-03-02"], byDay.Rows.Select(r => r.Key));
        Assert.Equal([11L, 4L], byDay.Rows.Select(r => r.Requests));

        // A window that starts inside a kept day reads that day's rows from the cut, not the whole day.
        var partial = await new UsageQuery(store).UsageAsync(new UsageWindow(day1.AddDays(1).AddHours(4), day1.AddDays(2)), "key", CancellationToken.None);
        Assert.Equal(2, partial.Total.Requests);
        Assert.Equal("TEAM_KEY", Assert.Single(partial.Rows).Key);
    }

    private static UsageFigures Exact(UsageFigures f) => f with { LatencyP50Ms = 0, LatencyP95Ms = 0, TtfbP50Ms = 0 };

    [Fact]
    public async Task A_ledger_a_newer_build_migrated_is_used_while_its_newer_migrations_keep_this_build_working()
    {
        var path = Path.Combine(_dir, "newer.db");
        await using (var first = new SqliteLedgerStore(path)) await first.MigrateAsync(CancellationToken.None);
        var known = LedgerSchema.Migrations.Length;
        async Task NewerBuildApplied(int version, int usableFrom)
        {
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=false");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"INSERT INTO schema_version VALUES ({version}, 0); INSERT INTO schema_compat VALUES ({version}, {usableFrom}); CREATE TABLE extra_{version} (x BIGINT)";
            await command.ExecuteNonQueryAsync();
        }

        await NewerBuildApplied(known + 1, usableFrom: known); // additive: this build keeps working
        await using (var store = new SqliteLedgerStore(path))
        {
            await store.MigrateAsync(CancellationToken.None);
            await WriteAsync(store, [Row(DateTimeOffset.UtcNow)]);
        }

        await NewerBuildApplied(known + 2, usableFrom: known + 2); // changes what this build reads or writes
        await using var refused = new SqliteLedgerStore(path);
        var error = await Assert.ThrowsAsync<LedgerException>(() => refused.MigrateAsync(CancellationToken.None));
        Assert.Contains($"newer than this build knows ({known})", error.Message);
    }

    private async Task MigrateAgainAndRecent(string kind)
    {
        await using var store = await OpenAsync(kind);
        await store.MigrateAsync(CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        await WriteAsync(store, [Row(now.AddMinutes(-3), session: "a"), Row(now.AddMinutes(-2), session: "b"), Row(now.AddMinutes(-1), session: "a")]);
        var recent = await new UsageQuery(store).RequestsAsync(2, null, CancellationToken.None);
        Assert.Equal(["a", "b"], recent.Requests.Select(r => r.Session));
        var ofA = await new UsageQuery(store).RequestsAsync(10, "a", CancellationToken.None);
        Assert.Equal(2, ofA.Requests.Count);
    }
}
