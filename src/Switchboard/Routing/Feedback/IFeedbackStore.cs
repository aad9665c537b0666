namespace Switchboard.Routing.Feedback;

/// <summary>
/// Where corrections and ratings are kept: the usage ledger's database when the ledger is on
/// (Ledger/LedgerFeedbackStore), else a JSON Lines file beside the config (<see cref="JsonlFeedbackStore"/>);
/// <see cref="SharedFeedbackStore"/> switches from the one to the other when the ledger opens.
/// </summary>
internal interface IFeedbackStore
{
    /// <summary>Bumped on every append: routers rebuild what they learnt when it changes.</summary>
    long Version { get; }

    /// <summary>Durably adds a record (written before the task completes). Asynchronous: a database store must never
    /// block a request thread that may be the one its own socket I/O completes on.</summary>
    ValueTask AppendAsync(FeedbackRecord record, CancellationToken cancellationToken);

    /// <summary>Every record, oldest first.</summary>
    IReadOnlyList<FeedbackRecord> ReadAll();
}
