using System.Globalization;

namespace Switchboard;

/// <summary>Counts in messages people read: "1 model", "2 models", "0 aliases".</summary>
internal static class Plural
{
    public static string Count(long count, string singular, string? plural = null) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? singular : plural ?? Of(singular));

    private static string Of(string singular) =>
        singular.EndsWith('s') || singular.EndsWith('x') || singular.EndsWith("ch", StringComparison.Ordinal) || singular.EndsWith("sh", StringComparison.Ordinal)
            ? singular + "es"
            : singular + "s";
}
