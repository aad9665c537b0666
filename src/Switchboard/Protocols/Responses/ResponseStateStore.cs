using System.Buffers;
using System.Text.Json;
using Switchboard.Protocols.Translation;

namespace Switchboard.Protocols.Responses;

/// <summary>
/// Where responses are kept for <c>previous_response_id</c>: each response's whole conversation (the items before it,
/// its input and its output) as a JSON array of Responses items, so a follow-up request that names it can be expanded
/// to the full conversation an upstream without state needs. In process, and shared by several gateways through
/// <c>state.redis</c> (<see cref="State.SharedResponseStateStore"/>).
/// </summary>
internal interface IResponseStateStore
{
    /// <summary>The conversation items of a stored response (UTF-8 JSON array), or false when unknown or expired.</summary>
    bool TryGet(string responseId, out ReadOnlyMemory<byte> items);

    void Put(string responseId, ReadOnlyMemory<byte> items);

    /// <summary>
    /// After <see cref="TryGet"/> missed: the items from the store other gateways share (Redis). A store in process
    /// has nothing more and answers "not found" at once.
    /// </summary>
    ValueTask<SharedLookup> GetSharedAsync(string responseId, CancellationToken cancellationToken);
}

/// <summary>What the shared store said: the items, or not found, or it could not be asked (then the response may well exist).</summary>
internal readonly record struct SharedLookup(ReadOnlyMemory<byte>? Items, bool Unavailable)
{
    public static SharedLookup NotFound => default;
}

/// <summary>
/// A bounded in-process <see cref="IResponseStateStore"/>: least recently used entries go past <c>capacity</c>, and
/// entries older than <c>timeToLive</c> are gone. Only responses a client asked to store (<c>store</c> not false) are put here.
/// </summary>
internal sealed class InMemoryResponseStateStore(int capacity = 1024, TimeSpan? timeToLive = null, TimeProvider? time = null) : IResponseStateStore
{
    private readonly TimeSpan _timeToLive = timeToLive ?? TimeSpan.FromHours(1);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<string, LinkedListNode<Entry>> _byId = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new(); // most recently used first
    private readonly Lock _lock = new();

    private sealed record Entry(string Id, byte[] Items, DateTimeOffset Expires);

    public int Count { get { lock (_lock) return _byId.Count; } }

    public bool TryGet(string responseId, out ReadOnlyMemory<byte> items)
    {
        lock (_lock)
        {
            if (_byId.TryGetValue(responseId, out var node))
            {
                if (node.Value.Expires > _time.GetUtcNow())
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    items = node.Value.Items;
                    return true;
                }
                _recency.Remove(node);
                _byId.Remove(responseId);
            }
        }
        items = default;
        return false;
    }

    public ValueTask<SharedLookup> GetSharedAsync(string responseId, CancellationToken cancellationToken) => new(SharedLookup.NotFound);

    public void Put(string responseId, ReadOnlyMemory<byte> items)
    {
        var entry = new Entry(responseId, items.ToArray(), _time.GetUtcNow() + _timeToLive);
        lock (_lock)
        {
            if (_byId.Remove(responseId, out var old)) _recency.Remove(old);
            _byId[responseId] = _recency.AddFirst(entry);
            while (_byId.Count > capacity && _recency.Last is { } oldest)
            {
                _recency.RemoveLast();
                _byId.Remove(oldest.Value.Id);
            }
        }
    }
}

/// <summary>What the Responses front door does with the store: expand previous_response_id, and remember what a client asked to store.</summary>
internal static class ResponseState
{
    /// <summary>Whether the client asked for the response to be stored (the API's default is true; Codex sends false).</summary>
    public static bool WantsStore(JsonElement request) =>
        !(request.TryGetProperty("store"u8, out var store) && store.ValueKind == JsonValueKind.False);

    /// <summary>
    /// The whole conversation after this response: the items before it, the request's input, the response's output.
    /// </summary>
    public static byte[] Conversation(ReadOnlyMemory<byte> prior, JsonElement request, JsonElement output)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
        {
            json.WriteStartArray();
            if (!prior.IsEmpty)
            {
                using var priorDocument = JsonDocument.Parse(prior);
                foreach (var item in priorDocument.RootElement.EnumerateArray()) item.WriteTo(json);
            }
            if (request.TryGetProperty("input"u8, out var input))
            {
                if (input.ValueKind == JsonValueKind.String)
                {
                    json.WriteStartObject();
                    json.WriteString("type"u8, "message"u8);
                    json.WriteString("role"u8, "user"u8);
                    json.WriteString("content"u8, input.GetString());
                    json.WriteEndObject();
                }
                else if (input.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in input.EnumerateArray()) item.WriteTo(json);
                }
            }
            if (output.ValueKind == JsonValueKind.Array)
                foreach (var item in output.EnumerateArray()) item.WriteTo(json);
            json.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
