using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Switchboard.Config;
using Switchboard.Identity;

namespace Switchboard.Bench.Gateway;

/// <summary>
/// `probe-keys [N]`: what the gateway-key check (<see cref="GatewayKeyring.Check"/>) costs per request, in process:
/// a keyring of K keys (1, 4, 16), the request presenting the last one as `Authorization: Bearer`, then as
/// `x-api-key`, then a wrong key; nanoseconds per check (fastest and median of 9 rounds of N) and bytes allocated.
/// </summary>
internal static class KeysProbe
{
    public static int Run(string[] args)
    {
        var n = args.Length > 1 && int.TryParse(args[1], out var parsed) ? parsed : 200_000;
        Console.Error.WriteLine($"{"keys, presented as",-34} {"ns fastest",10} {"ns median",10} {"bytes/check",12}");
        foreach (var count in new[] { 1, 4, 16 })
        {
            var keys = Enumerable.Range(0, count).Select(i => new GatewayKey($"team-{i}", new SecretValue($"sb-bench-gateway-key-{i:D4}-0123456789abcdef", null), i + 1)).ToArray();
            var keyring = new GatewayKeyring(keys);
            var last = keys[^1].Secret.Value!;
            Measure(keyring, $"{count}, Authorization: Bearer", "authorization", "Bearer " + last, expectMatch: true, n);
            Measure(keyring, $"{count}, x-api-key", "x-api-key", last, expectMatch: true, n);
            Measure(keyring, $"{count}, a wrong key", "authorization", "Bearer sb-bench-gateway-key-9999-0123456789abcdeX", expectMatch: false, n);
        }
        return 0;
    }

    private static void Measure(GatewayKeyring keyring, string name, string header, string value, bool expectMatch, int n)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[header] = value;
        for (var i = 0; i < 20_000; i++) Check(keyring, context.Request, expectMatch);
        var rounds = new List<double>();
        long bytes = 0;
        for (var round = 0; round < 9; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < n; i++) Check(keyring, context.Request, expectMatch);
            rounds.Add(Stopwatch.GetElapsedTime(start).TotalNanoseconds / n);
            bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        rounds.Sort();
        Console.Error.WriteLine($"{name,-34} {rounds[0],10:0} {rounds[rounds.Count / 2],10:0} {(double)bytes / n,12:0.0}");
    }

    private static void Check(GatewayKeyring keyring, HttpRequest request, bool expectMatch)
    {
        if (keyring.Check(request).IsRefused == expectMatch) throw new InvalidOperationException("the keyring's verdict is not the expected one");
    }
}
