using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Routing.Feedback;

/// <summary>
/// Which policy a correction belongs to: its set of route names. Rewording a description or swapping a route's model
/// keeps the team's corrections; another set of routes is another policy, and corrections never cross to it, except
/// that a policy that only removed routes keeps the corrections of the routes it still has (the removed routes'
/// corrections retire).
/// </summary>
internal static class PolicyKey
{
    public const string Other = "other";

    public static string Of(RoutePolicy policy) => Of(policy.Routes.Select(r => r.Name));

    public static string Of(IEnumerable<string> routeNames)
    {
        var names = routeNames.Select(n => n.Trim().ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', names))), 0, 12);
    }

    /// <summary>Whether a correction made under <paramref name="record"/>'s policy applies to <paramref name="policy"/>.</summary>
    public static bool Applies(FeedbackRecord record, RoutePolicy policy, string policyKey)
    {
        if (record.Kind != FeedbackRecord.CorrectionKind || record.Route is null || string.IsNullOrWhiteSpace(record.Prompt)) return false;
        var routeExists = record.Route.Equals(Other, StringComparison.OrdinalIgnoreCase) || policy.Find(record.Route) is not null;
        if (!routeExists) return false; // its route was removed: retired
        if (record.Policy == policyKey) return true;
        // The current policy is the old one less some routes: the rest of the team's corrections still hold.
        var old = new HashSet<string>(record.PolicyRoutes, StringComparer.OrdinalIgnoreCase);
        return policy.Routes.Count < old.Count && policy.Routes.All(r => old.Contains(r.Name));
    }
}
