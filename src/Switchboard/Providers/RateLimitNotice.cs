using System.Globalization;
using System.Net;

namespace Switchboard.Providers;

/// <summary>
/// A model's 429 as the upstream sent it (its error body, in the upstream's protocol) and when its retry-after ends:
/// what a client gets, with the time that remains, when the model is cooling down and nothing else can answer.
/// </summary>
internal sealed class RateLimitNotice
{
    private readonly TimeProvider _time;
    private readonly long _retryAt; // TimeProvider timestamp; 0 when the upstream gave no retry-after

    internal RateLimitNotice(ReadOnlyMemory<byte> body, TimeSpan? retryAfter, TimeProvider time)
    {
        Body = body;
        _time = time;
        _retryAt = retryAfter is { } wait && wait > TimeSpan.Zero ? time.GetTimestamp() + (long)(wait.TotalSeconds * time.TimestampFrequency) : 0;
    }

    /// <summary>The upstream's error body (empty when it could not be read).</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>Time left until the upstream's retry-after ends (zero once it has); null when it gave none.</summary>
    public TimeSpan? RetryAfter => _retryAt == 0 ? null : _time.GetTimestamp() is var now && now < _retryAt
        ? TimeSpan.FromSeconds((_retryAt - now) / (double)_time.TimestampFrequency)
        : TimeSpan.Zero;

    /// <summary>Whether the retry-after is still running.</summary>
    public bool IsActive => _retryAt != 0 && _time.GetTimestamp() < _retryAt;

    /// <summary>retry-after (whole seconds, rounded up) and retry-after-ms for the time that remains.</summary>
    public (string Seconds, string Milliseconds)? RetryAfterHeaders => RetryAfter is { } left
        ? (Math.Ceiling(left.TotalSeconds).ToString(CultureInfo.InvariantCulture), Math.Ceiling(left.TotalMilliseconds).ToString(CultureInfo.InvariantCulture))
        : null;

    /// <summary>
    /// Reads a 429's body (bounded in size and time) and its retry-after. The content is buffered first, so the response
    /// can still be relayed to the client afterwards. A body that cannot be read leaves the notice without one.
    /// </summary>
    internal static async Task<RateLimitNotice> ReadAsync(HttpResponseMessage response, TimeSpan readTimeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var retryAfter = ProviderResilience.RetryAfter(response);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(readTimeout);
        try
        {
            await response.Content.LoadIntoBufferAsync(ProviderResilience.MaxErrorBodyBytes, timeout.Token).ConfigureAwait(false);
            return new RateLimitNotice(await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false), retryAfter, time);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Stalled, broken or too large: the client gets the status and retry-after with a message of the gateway's own.
            response.Content.Dispose();
            response.Content = new ByteArrayContent([]);
            return new RateLimitNotice(ReadOnlyMemory<byte>.Empty, retryAfter, time);
        }
    }

    internal static bool IsRateLimit(HttpResponseMessage response) => response.StatusCode == HttpStatusCode.TooManyRequests;
}
