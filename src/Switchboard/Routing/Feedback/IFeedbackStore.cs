namespace Switchboard.Routing.Feedback;

/// <summary>
/// Where corrections and ratings are kept. Today a JSON Lines file beside the config (<see cref="JsonlFeedbackStore"/>);
/// the usage ledger can implement this later and keep them in its database.
/// </summary>
internal interface IFeedbackStore
{
    /// <summary>Bumped on every append: routers rebuild what they learnt when it changes.</summary>
    long Version { get; }

    /// <summary>Durably adds a record (written before it returns).</summary>
    void Append(FeedbackRecord record);

    /// <summary>Every record, oldest first.</summary>
    IReadOnlyList<FeedbackRecord> ReadAll();
}
