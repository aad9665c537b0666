using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Switchboard.Cli;

/// <summary>`switchboard keys`: each gateway key by name, with this gateway's usage and its budget's spend and what remains.</summary>
internal static class KeysCommand
{
    public const string KeyVariable = "SWITCHBOARD_ADMIN_KEY";

    public static Command Create(CliContext context)
    {
        var json = CliApp.JsonOption("the keys");
        var url = CliApp.UrlOption();
        var config = CliApp.ConfigOption();
        var command = new Command("keys", "List the gateway keys with their usage and remaining budget.") { json, url, config };
        command.WithExamples("switchboard keys", "switchboard keys --json | jq '.keys[] | {name, budget}'");
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse.GetValue(json), parse.GetValue(url), parse.GetValue(config), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, bool json, Uri? url, string? configPath, CancellationToken cancellationToken)
    {
        var gateway = GatewayLocator.Find(context, url, configPath);
        if (gateway is null)
        {
            context.Out.WriteLine("Switchboard is not running. Start it with `switchboard up --detach`.");
            return ExitCodes.Failure;
        }
        using var http = new HttpClient { BaseAddress = gateway.BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/switchboard/keys");
        if (AdminKey(context, configPath) is { } adminKey) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        string body;
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                context.Out.WriteLine($"The gateway answered {(int)response.StatusCode}: set {KeyVariable} to a gateway key with admin: true.");
                return ExitCodes.Failure;
            }
        }
        catch (Exception ex) when (GatewayClient.IsUnreachable(ex, cancellationToken))
        {
            context.Out.WriteLine($"No Switchboard answers on {gateway.BaseUrl}.");
            return ExitCodes.Failure;
        }
        if (json)
        {
            context.Out.WriteLine(body);
            return ExitCodes.Ok;
        }
        using var document = JsonDocument.Parse(body);
        var keys = document.RootElement.GetProperty("keys");
        if (keys.GetArrayLength() == 0)
        {
            context.Out.WriteLine("No gateway keys are configured: the gateway is open to anyone who can reach it.");
            return ExitCodes.Ok;
        }
        context.Out.WriteLine($"{"name",-20} {"requests",9} {"refused",8} {"cached",7} {"tokens in",10} {"tokens out",11}  budget");
        foreach (var key in keys.EnumerateArray())
        {
            var usage = key.GetProperty("usage");
            var budget = key.TryGetProperty("budget", out var b)
                ? b.TryGetProperty("spent_usd", out var spent)
                    ? $"${spent.GetDouble():0.00##} of ${b.GetProperty("usd").GetDouble():0.00} this {b.GetProperty("period").GetString()}, ${b.GetProperty("remaining_usd").GetDouble():0.00##} left"
                    : b.GetProperty("error").GetString()
                : "-";
            var name = key.GetProperty("name").GetString() + (key.GetProperty("admin").GetBoolean() ? " (admin)" : "");
            context.Out.WriteLine($"{name,-20} {usage.GetProperty("requests").GetInt64(),9} {usage.GetProperty("refused").GetInt64(),8} {usage.GetProperty("cache_hits").GetInt64(),7} {usage.GetProperty("input_tokens").GetInt64(),10} {usage.GetProperty("output_tokens").GetInt64(),11}  {budget}");
        }
        return ExitCodes.Ok;
    }

    /// <summary>$SWITCHBOARD_ADMIN_KEY, else the first admin key of the config the gateway runs.</summary>
    internal static string? AdminKey(CliContext context, string? configPath = null)
    {
        if (context.GetEnvironmentVariable(KeyVariable) is { Length: > 0 } fromEnv) return fromEnv;
        var path = configPath ?? GatewayStateStore.For(context).ReadLive()?.ConfigPath;
        if (path is null && !File.Exists(context.FullPath("config.yaml"))) return null;
        return ConfigSource.Resolve(path, context).Config?.GatewayKeys.FirstOrDefault(k => k.Admin && k.Secret.IsResolved)?.Secret.Value;
    }
}
