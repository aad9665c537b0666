using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Protocols;
using Switchboard.Protocols.Responses;

namespace Switchboard.Pipeline.Responses;

/// <summary>The Responses front door's use of the response state store: expanding previous_response_id, remembering stored responses.</summary>
internal static class ResponsesFront
{
    private static IResponseStateStore? Store(GatewayRequest request) => request.Context.RequestServices.GetService<IResponseStateStore>();

    /// <summary>Loads the conversation <paramref name="previousId"/> names into the request; false when the store does not have it.</summary>
    public static bool TryExpand(GatewayRequest request, string previousId)
    {
        if (Store(request) is not { } store || !store.TryGet(previousId, out var items)) return false;
        request.PriorItems = items;
        return true;
    }

    /// <summary>After <see cref="TryExpand"/> missed: the conversation from the store other gateways share, if there is one.</summary>
    public static async ValueTask<SharedLookup> TryExpandSharedAsync(GatewayRequest request, string previousId)
    {
        if (Store(request) is not { } store) return SharedLookup.NotFound;
        var lookup = await store.GetSharedAsync(previousId, request.Aborted).ConfigureAwait(false);
        if (lookup.Items is { } items) request.PriorItems = items;
        return lookup;
    }

    /// <summary>A whole translated response: kept when the client asked to store it.</summary>
    public static void Remember(GatewayRequest request, ReadOnlySpan<byte> responseJson)
    {
        if (Store(request) is not { } store || !ResponseState.WantsStore(request.Root)) return;
        using var document = JsonDocument.Parse(responseJson.ToArray());
        var root = document.RootElement;
        if (!root.TryGetProperty("id"u8, out var id) || id.ValueKind != JsonValueKind.String || !root.TryGetProperty("output"u8, out var output)) return;
        store.Put(id.GetString()!, ResponseState.Conversation(request.PriorItems, request.Root, output));
    }

    /// <summary>A translated stream that completed: kept when the client asked to store it.</summary>
    public static void Remember(GatewayRequest request, IStreamTranslator translator)
    {
        if (Store(request) is not { } store || !ResponseState.WantsStore(request.Root)) return;
        if (ResponsesTranslation.EventsOf(translator) is not { Failed: false } events) return;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var item in events.Items) item.WriteTo(json);
            json.WriteEndArray();
        }
        using var output = JsonDocument.Parse(buffer.WrittenMemory);
        store.Put(events.ResponseId, ResponseState.Conversation(request.PriorItems, request.Root, output.RootElement));
    }
}
