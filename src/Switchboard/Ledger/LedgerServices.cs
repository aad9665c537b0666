using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Config;
using Switchboard.Ledger.Storage;
using Switchboard.Pipeline;

namespace Switchboard.Ledger;

/// <summary>Puts the ledger in the gateway's container: its completion sink, its writer, and the store its config names.</summary>
internal static class LedgerServices
{
    public const string FileName = "ledger.db";

    /// <param name="stateDirectory">The gateway's state folder (where `switchboard up` keeps its state); null: only ledger.path or ledger.postgres open a ledger.</param>
    public static IServiceCollection AddLedger(this IServiceCollection services, LedgerConfig config, string? stateDirectory)
    {
        services.AddSingleton<LedgerSink>();
        services.AddSingleton<ICompletionSink>(sp => sp.GetRequiredService<LedgerSink>());
        services.AddSingleton(sp => new LedgerWriter(sp.GetRequiredService<LedgerSink>(), CreateStore(config, stateDirectory, sp.GetRequiredService<ILoggerFactory>()),
            config.RetentionDays, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LedgerWriter>>()));
        services.AddHostedService(sp => sp.GetRequiredService<LedgerWriter>());
        services.AddHostedService<LedgerFeedbackLink>(); // after the writer: it needs the ledger open
        return services;
    }

    private static ILedgerStore? CreateStore(LedgerConfig config, string? stateDirectory, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger<LedgerWriter>();
        if (!config.Enabled)
        {
            LedgerLog.Off(logger, "ledger.enabled is false");
            return null;
        }
        if (config.Postgres?.Value is { } connectionString)
        {
            try
            {
                return new PostgresLedgerStore(connectionString);
            }
            catch (ArgumentException ex)
            {
                LedgerLog.Unavailable(logger, "PostgreSQL", "ledger.postgres is not a valid connection string: " + ex.Message);
                return null;
            }
        }
        var path = config.Path ?? (stateDirectory is null ? null : Path.Combine(stateDirectory, FileName));
        if (path is null)
        {
            LedgerLog.Off(logger, "no ledger.path, and no state folder for this gateway");
            return null;
        }
        return new SqliteLedgerStore(path);
    }
}
