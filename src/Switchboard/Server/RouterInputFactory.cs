using Switchboard.Routing;

namespace Switchboard.Server;

internal static class RouterInputFactory
{
    public static RouterInput Build(ReadOnlyMemory<byte> body, ApiFormat client, int tokenBudget) => new([]);
}
