using System.Runtime.CompilerServices;
using System.Text.Json;
using Switchboard.Routing.Feedback;

namespace Switchboard.Ledger.Storage;

/// <summary>Routing feedback in the ledger's database (migration 2): appended by the feedback endpoint, read back by every replica.</summary>
internal abstract partial class SqlLedgerStore
{
    public async Task<int> AppendFeedbackAsync(IReadOnlyList<FeedbackRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0) return 0;
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = Command(connection, transaction,
            "INSERT INTO feedback (time_ms, request_id, kind, policy, model, rating, record) VALUES (@time_ms, @request_id, @kind, @policy, @model, @rating, @record) ON CONFLICT DO NOTHING");
        var added = 0;
        foreach (var record in records)
        {
            insert.Parameters.Clear();
            Add(insert, "time_ms", record.Time.ToUnixTimeMilliseconds());
            Add(insert, "request_id", record.RequestId);
            Add(insert, "kind", record.Kind);
            Add(insert, "policy", record.Policy);
            Add(insert, "model", Db(record.Model));
            Add(insert, "rating", Db(record.Rating));
            Add(insert, "record", JsonSerializer.Serialize(record, FeedbackJsonContext.Default.FeedbackRecord));
            added += await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return added;
    }

    public async IAsyncEnumerable<FeedbackRecord> ReadFeedbackAsync(long fromMs, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT record FROM feedback WHERE time_ms >= @from ORDER BY time_ms, request_id, kind");
        Add(command, "from", fromMs);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            FeedbackRecord? record;
            try { record = JsonSerializer.Deserialize(reader.GetString(0), FeedbackJsonContext.Default.FeedbackRecord); }
            catch (JsonException) { record = null; } // written by a newer build in a shape this one cannot read: skip it
            if (record is not null) yield return record;
        }
    }

    public async Task<IReadOnlyDictionary<string, ModelRatings>> ReadRatingsAsync(long fromMs, long toMs, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null,
            // A request rated twice counts once, as its latest rating.
            "SELECT model, rating, COUNT(*) FROM (SELECT model, rating, ROW_NUMBER() OVER (PARTITION BY request_id ORDER BY time_ms DESC) AS n FROM feedback " +
            "WHERE kind = 'rating' AND model IS NOT NULL AND time_ms >= @from AND time_ms < @to) latest WHERE n = 1 GROUP BY model, rating");
        Add(command, "from", fromMs);
        Add(command, "to", toMs);
        var ratings = new Dictionary<string, ModelRatings>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var model = reader.GetString(0);
            var count = reader.GetInt64(2);
            var current = ratings.GetValueOrDefault(model);
            ratings[model] = Str(reader, 1) == "good" ? current with { Good = current.Good + count } : current with { Bad = current.Bad + count };
        }
        return ratings;
    }
}
