using Microsoft.Extensions.Logging;

namespace Switchboard.Ledger;

internal static partial class LedgerLog
{
    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "ledger: {Store}, rows kept {RetentionDays} days, daily rollups after")]
    public static partial void Opened(ILogger logger, string store, int retentionDays);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "ledger: {Dropped} request rows dropped so far ({Reason}); requests are not affected")]
    public static partial void Dropped(ILogger logger, long dropped, string reason);

    [LoggerMessage(EventId = 42, Level = LogLevel.Error, Message = "ledger: cannot open {Store}: {Reason}. Requests are served; no usage is recorded until the gateway restarts with a working ledger.")]
    public static partial void Unavailable(ILogger logger, string store, string reason);

    [LoggerMessage(EventId = 43, Level = LogLevel.Warning, Message = "ledger: maintenance (rollups, retention) failed: {Reason}")]
    public static partial void MaintenanceFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 44, Level = LogLevel.Information, Message = "ledger: rolled up {Days} day(s), pruned {Rows} row(s) older than {Cutoff}")]
    public static partial void Maintained(ILogger logger, int days, long rows, DateOnly cutoff);

    [LoggerMessage(EventId = 45, Level = LogLevel.Information, Message = "ledger: off ({Reason})")]
    public static partial void Off(ILogger logger, string reason);

    [LoggerMessage(EventId = 46, Level = LogLevel.Information, Message = "feedback: kept in the ledger ({Store}), {Records} record(s), {Imported} imported from {File}")]
    public static partial void FeedbackInLedger(ILogger logger, string store, int records, int imported, string file);

    [LoggerMessage(EventId = 47, Level = LogLevel.Warning, Message = "feedback: the ledger cannot keep it ({Reason}); it stays in {File}")]
    public static partial void FeedbackUnavailable(ILogger logger, string reason, string file);

    [LoggerMessage(EventId = 48, Level = LogLevel.Warning, Message = "feedback: reading other replicas' feedback from the ledger failed: {Reason}")]
    public static partial void FeedbackRefreshFailed(ILogger logger, string reason);
}
