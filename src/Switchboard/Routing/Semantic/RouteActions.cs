using System.Buffers;

namespace Switchboard.Routing.Semantic;

/// <summary>
/// What each route is for, read as the actions its description names, and the action a request asks for. Product teams
/// word routes as an action on an object ("changing or cancelling a booking", "following up on an existing claim",
/// "replacing an ingredient"), and routes of one policy share their objects (a claim, a booking, a recipe): there the
/// action decides, and sentence embeddings, which weigh the object, miss it ("can I challenge it" beside "filing a
/// claim" and "disputing a decision"). A route is for an action when an item of its description, or its name, opens
/// with one of the action's verbs; a request asks for it when it says one of the action's everyday wordings ("stop
/// paying", "instead of", "any update"). Built once per policy, immutable after.
/// </summary>
internal sealed class RouteActions
{
    /// <summary>An everyday action: the verbs that open a route's item for it, and the wordings a request asks for it with.</summary>
    private sealed record Action(string Name, string[] Openers, string[] Wordings);

    // Generic everyday verbs and their usual wordings in requests, not any set's rows. Wordings are matched as whole
    // words in the lower-cased request, apostrophes dropped ("havent"). Left out on purpose: "transfer", as often money or
    // files moved as an arrangement changed ("transfer money between my accounts" is no policy change).
    private static readonly Action[] Actions =
    [
        new("cancel", Words("cancel cancelling canceling terminating leave leaving"),
            Wordings("cancel|cancelling|canceling|unsubscribe|terminate|stop paying|close my account|end my contract|leave my contract")),
        new("change", Words("""
            change changing amend amending modify modifying update updating swap swapping switch switching move moving correct correcting upgrade upgrading downgrade downgrading renew renewing reschedule rescheduling
            rebook rebooking add adding remove removing
            """),
            Wordings("change|changing|amend|modify|update my|update the|swap|swapping|switch|move my|moving my|correct|upgrade|downgrade|renew|reschedule|rebook|add|adding|remove|put me on")),
        new("book", Words("book booking reserve reserving schedule scheduling"), Wordings("book|reserve|schedule|appointment|slot|slots")),
        new("follow up", Words("following follow chasing chase tracking track"),
            Wordings("any update|any news|update on|status of|status on|still waiting|chase|chasing|follow up|following up|where is my|when will|latest on|track|tracking|heard back|havent heard")),
        new("dispute", Words("disputing dispute challenging challenge appealing appeal contesting complaining complaint complaints"),
            Wordings("dispute|challenge|appeal|contest|complain|complaint|unfair|not fair|disagree|rejected|refused|denied|wrong decision|compensation|owed")),
        new("file", Words("filing file making submitting submit reporting report claiming"), Wordings("file a|make a claim|submit|report|claim for|put in a claim")),
        new("substitute", Words("replacing replace substituting substitute"),
            Wordings("instead of|substitute|replace|replacement|alternative to|what can i use|what do i use|out of|ran out|run out")),
        new("rewrite", Words("rewriting rewrite rephrasing rephrase rewording reword editing polishing"),
            Wordings("rewrite|rephrase|reword|sound more|sound less|make it sound|make this sound|more polite|more formal|less formal|friendlier|tone")),
    ];

    private static readonly string[] ItemSeparators = [",", ";", ":", " - ", " – ", " — ", " and ", " or "];

    private readonly bool[] _routeIsFor; // [route * Actions.Length + action]
    private readonly int _routeCount;

    private RouteActions(bool[] routeIsFor, int routeCount)
    {
        _routeIsFor = routeIsFor;
        _routeCount = routeCount;
    }

    public static RouteActions Read(RoutePolicy policy)
    {
        var routeIsFor = new bool[policy.Routes.Count * Actions.Length];
        for (var r = 0; r < policy.Routes.Count; r++)
        {
            var route = policy.Routes[r];
            var items = (route.Description ?? "").ToLowerInvariant().Split(ItemSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var item in items.Append(route.Name.ToLowerInvariant()))
            {
                var opener = Normalize(item).Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
                if (opener is null) continue;
                for (var a = 0; a < Actions.Length; a++)
                    if (Array.IndexOf(Actions[a].Openers, opener) >= 0) routeIsFor[r * Actions.Length + a] = true;
            }
        }
        return new RouteActions(routeIsFor, policy.Routes.Count);
    }

    /// <summary>Whether the route's description or name opens an item with the action (tests, diagnostics).</summary>
    internal bool IsFor(int route, string action) => _routeIsFor[route * Actions.Length + Array.FindIndex(Actions, a => a.Name == action)];

    /// <summary>
    /// Adds <paramref name="weight"/> to each route that is for an action the request asks for, when some route of the
    /// policy is not (an action every route is for, or none, says nothing about which one).
    /// </summary>
    public void Weigh(string request, Span<float> scores, float weight)
    {
        var asked = Asked(request);
        if (asked == 0) return;
        for (var a = 0; a < Actions.Length; a++)
        {
            if ((asked & (1 << a)) == 0) continue;
            var routesFor = 0;
            for (var r = 0; r < _routeCount; r++)
                if (_routeIsFor[r * Actions.Length + a]) routesFor++;
            if (routesFor == 0 || routesFor == _routeCount) continue;
            for (var r = 0; r < _routeCount && r < scores.Length; r++)
                if (_routeIsFor[r * Actions.Length + a]) scores[r] += weight;
        }
    }

    /// <summary>The actions a request asks for, one bit per action in <see cref="Actions"/> order.</summary>
    internal static int Asked(string request)
    {
        var length = Math.Min(request.Length, SentenceEncoderHost.MaxChars);
        var rented = ArrayPool<char>.Shared.Rent(length + 2);
        try
        {
            var text = rented.AsSpan(0, Normalize(request.AsSpan(0, length), rented));
            var asked = 0;
            for (var a = 0; a < Actions.Length; a++)
                foreach (var wording in Actions[a].Wordings)
                    if (text.IndexOf(wording, StringComparison.Ordinal) >= 0) { asked |= 1 << a; break; }
            return asked;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Lower case, apostrophes dropped, every other non-letter or digit a single space, with a space at each end (so a
    /// wording " tone " matches whole words only). Returns the length written into <paramref name="into"/>.
    /// </summary>
    private static int Normalize(ReadOnlySpan<char> text, Span<char> into)
    {
        var n = 0;
        into[n++] = ' ';
        foreach (var c in text)
        {
            if (c is '\'' or '’') continue;
            if (char.IsLetterOrDigit(c)) into[n++] = char.ToLowerInvariant(c);
            else if (into[n - 1] != ' ') into[n++] = ' ';
        }
        if (into[n - 1] != ' ') into[n++] = ' ';
        return n;
    }

    private static string Normalize(string text)
    {
        var buffer = new char[text.Length + 2];
        return new string(buffer, 0, Normalize(text, buffer));
    }

    private static string[] Words(string words) => words.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    private static string[] Wordings(string wordings) => [.. wordings.Split('|').Select(w => " " + w + " ")];
}
