using System.Text.Json.Serialization;

namespace Switchboard.Routing.Feedback;

/// <summary>
/// One line of the feedback store: a team's correction of a routing decision ("this should have gone to X", or to no
/// route: "other"), or a rating of the answer a model gave. Keyed by the routing policy it was made under.
/// </summary>
internal sealed record FeedbackRecord
{
    /// <summary>"correction" or "rating".</summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("time")] public required DateTimeOffset Time { get; init; }
    [JsonPropertyName("request_id")] public required string RequestId { get; init; }
    /// <summary><see cref="PolicyKey.Of"/> of the policy the decision was made under.</summary>
    [JsonPropertyName("policy")] public required string Policy { get; init; }
    /// <summary>The policy's route names then (a later policy that only removed routes keeps the rest of its corrections).</summary>
    [JsonPropertyName("policy_routes")] public required IReadOnlyList<string> PolicyRoutes { get; init; }
    /// <summary>The latest user turn the router read (a correction's example); null for ratings.</summary>
    [JsonPropertyName("prompt")] public string? Prompt { get; init; }
    /// <summary>What the router said: a route name, or "other".</summary>
    [JsonPropertyName("routed")] public string? Routed { get; init; }
    /// <summary>A correction's route: a route name, or "other".</summary>
    [JsonPropertyName("route")] public string? Route { get; init; }
    /// <summary>A rating: "good" or "bad".</summary>
    [JsonPropertyName("rating")] public string? Rating { get; init; }
    /// <summary>The model that answered (ratings feed the per-model quality view).</summary>
    [JsonPropertyName("model")] public string? Model { get; init; }

    public const string CorrectionKind = "correction";
    public const string RatingKind = "rating";
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FeedbackRecord))]
[JsonSerializable(typeof(FeedbackRequest))]
[JsonSerializable(typeof(FeedbackResponse))]
internal sealed partial class FeedbackJsonContext : JsonSerializerContext;

/// <summary>POST /switchboard/feedback body: a request id ("last" for the latest routed one) and a route or a rating.</summary>
internal sealed record FeedbackRequest(
    [property: JsonPropertyName("request_id")] string? RequestId,
    [property: JsonPropertyName("route")] string? Route,
    [property: JsonPropertyName("rating")] string? Rating);

/// <summary>What the feedback endpoint answers.</summary>
internal sealed record FeedbackResponse(
    [property: JsonPropertyName("request_id")] string RequestId,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("routed")] string? Routed,
    [property: JsonPropertyName("route")] string? Route,
    [property: JsonPropertyName("rating")] string? Rating,
    [property: JsonPropertyName("model")] string? Model);
