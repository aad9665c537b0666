using Switchboard.Models;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Switchboard.Config;

/// <summary>
/// The archgw / plano keys that mean something to Switchboard: the router a config names, plano's top-level
/// routing_preferences, listener timeout and retries, overrides, tracing sampling, and the provider keys
/// headers / http_host. docs/configuration.md lists every archgw key and what Switchboard does with it.
/// </summary>
internal sealed partial class ConfigLoader
{
    private static readonly HashSet<string> ListenerKeys = ["name", "address", "host", "port", "type", "message_format", "timeout", "max_retries"];

    private static readonly HashSet<string> TopLevelRouteKeys = ["name", "description", "models", "selection_policy", "cache"];

    /// <summary>Headers the gateway itself must write; http_host sets Host.</summary>
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase) { "host", "content-length", "content-type", "transfer-encoding", "connection" };

    /// <summary>archgw's "arch/…" and plano's "plano/…" entries name a router model, never one that answers requests.</summary>
    private static bool IsRouterProvider(string provider) =>
        provider.Equals("arch", StringComparison.OrdinalIgnoreCase) || provider.Equals("plano", StringComparison.OrdinalIgnoreCase);

    private void ErrorAt(int line, string message, string? fix = null) => _diagnostics.Add(new(DiagnosticSeverity.Error, line, message, fix));

    private void WarnAt(int line, string message, string? fix = null) => _diagnostics.Add(new(DiagnosticSeverity.Warning, line, message, fix));

    // ---- the router a config names -------------------------------------------------------------------

    /// <summary>
    /// archgw 0.3 names its router with routing.llm_provider (older: model_provider) = an entry's name; plano 0.4 with
    /// overrides.llm_routing_model = an entry's model. That entry's endpoint and model id become the llm router
    /// (Arch-Router protocol). arch/ and plano/ entries serve the router only: they leave the provider list, so they
    /// are never listed, a default, a bare id or a fallback.
    /// </summary>
    private RoutingConfig ResolveRouterEntry(YamlMappingNode? routing, List<ModelEntry> providers, YamlScalarNode? routingModel, RoutingConfig config)
    {
        var namedKey = routing is not null && Scalar(routing, "llm_provider") is not null ? "llm_provider" : "model_provider";
        var namedNode = routing is null ? null : Scalar(routing, namedKey);
        var routerEntries = providers.Where(p => IsRouterProvider(p.Provider)).ToList();

        ModelEntry? entry = null;
        if (namedNode?.Value is { Length: > 0 } named)
        {
            entry = FindEntry(providers, named);
            if (entry is null)
                Error(namedNode, $"routing.{namedKey} '{named}' names no model_providers entry.",
                    $"add the router's entry, e.g.\n  - name: {named}\n    model: arch/hf.co/katanemo/Arch-Router-1.5B.gguf:Q4_K_M\n    base_url: http://127.0.0.1:11434\nor remove routing.{namedKey} to use the embedded router.");
        }
        else if (routingModel?.Value is { Length: > 0 } model)
        {
            entry = FindEntry(providers, model);
            if (entry is null)
                Warn(routingModel, $"overrides.llm_routing_model '{model}' is not a model_providers entry, so it names katanemo's hosted router, which Switchboard does not call; the embedded router routes instead.",
                    "to route with your own copy, serve it (e.g. with Ollama), add an entry 'model: plano/<model id>' with its base_url, and name that model here.");
        }
        else if (routerEntries.Count == 1)
        {
            entry = routerEntries[0]; // the only router entry is the router, as archgw's implicit "arch-router"
        }
        else if (routerEntries.Count > 1)
        {
            ErrorAt(routerEntries[1].Line, $"{routerEntries.Count} router entries (arch/ or plano/ models) are configured and none is named as the router.",
                "name one in routing.llm_provider (by its name) or in overrides.llm_routing_model (by its model).");
        }

        foreach (var routerOnly in routerEntries)
        {
            providers.Remove(routerOnly);
            if (routerOnly.IsDefault)
                ErrorAt(routerOnly.Line, $"'{routerOnly.Model}' serves the router only, so it cannot be the default.", "put 'default: true' on a model that answers requests.");
            if (routerOnly.RoutingPreferences.Count > 0 || routerOnly.Fallbacks.Count > 0)
                ErrorAt(routerOnly.Line, $"'{routerOnly.Model}' serves the router only, so it has no routes or fallbacks.", "move routing_preferences and fallbacks to a model that answers requests.");
            if (entry is not null && !ReferenceEquals(routerOnly, entry))
                WarnAt(routerOnly.Line, $"router entry '{routerOnly.Model}' is not the configured router ('{entry.Model}'); it is ignored.");
        }
        if (entry is null) return config;

        if (routing is not null && (Child(routing, "router") is not null || Child(routing, "base_url") is not null))
        {
            WarnAt(entry.Line, $"routing.router or routing.base_url is set, so the router entry '{entry.Model}' is not used as the router.", "remove one of the two.");
            return config;
        }
        if (entry.Interface != ApiFormat.OpenAI)
        {
            ErrorAt(entry.Line, $"the router entry '{entry.Model}' must speak the OpenAI chat completions API (the Arch-Router protocol runs over it).",
                "point it at an OpenAI-compatible server (Ollama, vLLM, llama.cpp), with provider_interface: openai.");
            return config;
        }
        // A pathless base_url (Ollama's http://host:11434) gets /v1/chat/completions, as LlmRouteSelector.ResolveEndpoint says.
        if ((entry.BaseUrl ?? ProviderCatalog.Find(entry.Provider)?.DefaultBaseUrl) is not { } baseUrl) return config; // already an error
        return config with
        {
            Router = RouterKind.Llm,
            BaseUrl = baseUrl,
            Model = entry.ModelId,
            AccessKey = entry.AccessKey,
            RouterSource = $"model_providers entry '{entry.Name ?? entry.Model}' (line {entry.Line})",
        };
    }

    private static ModelEntry? FindEntry(List<ModelEntry> providers, string name) =>
        providers.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? providers.FirstOrDefault(p => string.Equals(p.Model, name, StringComparison.OrdinalIgnoreCase));

    // ---- plano's top-level routing_preferences --------------------------------------------------------

    private List<RouteConfig> ParseTopLevelPreferences(YamlMappingNode root)
    {
        var result = new List<RouteConfig>();
        var node = Child(root, "routing_preferences");
        if (node is null) return result;
        if (node is not YamlSequenceNode list)
        {
            Error(node, "routing_preferences must be a list of {name, description, models}.", "write e.g.\n  routing_preferences:\n    - name: code generation\n      description: writing new code\n      models: [anthropic/claude-sonnet-4-5, openai/gpt-4.1]");
            return result;
        }
        foreach (var item in list)
        {
            if (item is not YamlMappingNode map) { Error(item, "each routing preference needs a name, a description and models."); continue; }
            foreach (var (keyNode, _) in map.Children)
                if (!TopLevelRouteKeys.Contains(((YamlScalarNode)keyNode).Value ?? ""))
                    Warn(keyNode, $"routing preference key '{((YamlScalarNode)keyNode).Value}' is not one Switchboard knows; it is ignored.", "use name, description, models and selection_policy.");
            var name = Scalar(map, "name")?.Value?.Trim();
            var description = Scalar(map, "description")?.Value?.Trim();
            if (string.IsNullOrEmpty(name)) { Error(map, "a routing preference has no name.", "add 'name: code generation' (a short label)."); continue; }
            if (string.IsNullOrEmpty(description)) { Error(map, $"routing preference '{name}' has no description.", "describe in plain words what requests it covers."); continue; }
            if (name.Equals("other", StringComparison.OrdinalIgnoreCase)) { Error(map, "'other' is reserved for requests no route fits.", "give the route another name."); continue; }
            var models = ParseStringList(map, "models");
            if (models.Count == 0) { Error(map, $"routing preference '{name}' lists no models.", "add 'models: [provider/model-id, …]': the first answers, the rest are its fallbacks in order."); continue; }
            if (Child(map, "selection_policy") is { } policy)
            {
                var prefer = policy is YamlMappingNode policyMap ? Scalar(policyMap, "prefer")?.Value : null;
                if (prefer is not (null or "none"))
                    Warn(policy, $"selection_policy.prefer '{prefer}' of route '{name}' is not applied yet (it needs usage and prices): its models answer in the order listed.");
            }
            result.Add(new RouteConfig(name, description, models, LineOf(map)) { Cache = ParseCache(map, $"route '{name}'") });
        }
        return result;
    }

    // ---- listeners, overrides, tracing ------------------------------------------------------------------

    private void WarnAboutListenerKeys(YamlMappingNode listener)
    {
        foreach (var (keyNode, _) in listener.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (ListenerKeys.Contains(key)) continue;
            if (ArchgwKeys.Listener.TryGetValue(key, out var description)) _diagnostics.Add(ArchgwKeys.Ignored(LineOf(keyNode), "listeners." + key, description));
            else Warn(keyNode, $"listener key '{key}' is not one Switchboard knows; it is ignored.", "a listener has name, address and port.");
        }
    }

    /// <summary>
    /// The served listener's <c>timeout</c> (archgw's request timeout: here the wait for the provider's response headers;
    /// a stream that keeps producing is never cut) and <c>max_retries</c>, as defaults the resilience section may override.
    /// </summary>
    private ResilienceConfig ParseListenerResilience(YamlMappingNode listener)
    {
        var config = new ResilienceConfig();
        if (Scalar(listener, "timeout") is { } timeoutNode)
        {
            if (TryParseDuration(timeoutNode.Value, out var timeout) && timeout.TotalMilliseconds is >= 100 and <= 3_600_000)
                config = config with { FirstByteTimeoutMs = (int)timeout.TotalMilliseconds };
            else
                Error(timeoutNode, $"listener timeout must be a duration from 100ms to 1h, such as '30s' or '500ms', not '{timeoutNode.Value}'.");
        }
        if (Scalar(listener, "max_retries") is { } retriesNode)
        {
            if (int.TryParse(retriesNode.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var retries) && retries <= 10)
                config = config with { MaxRetries = retries };
            else
                Error(retriesNode, $"listener max_retries must be a whole number from 0 to 10, not '{retriesNode.Value}'.");
        }
        return config;
    }

    /// <summary>
    /// plano's overrides: llm_routing_model (the router entry), upstream_connect_timeout and upstream_timeout_ms (as
    /// resilience defaults over the listener's); every other key is warned about.
    /// </summary>
    private (YamlScalarNode? RoutingModel, ResilienceConfig Resilience) ParseOverrides(YamlMappingNode root, ResilienceConfig resilience)
    {
        var node = Child(root, "overrides");
        if (node is null) return (null, resilience);
        if (node is not YamlMappingNode map)
        {
            Warn(node, "overrides is not a mapping; it is ignored.");
            return (null, resilience);
        }
        YamlScalarNode? routingModel = null;
        foreach (var (keyNode, _) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            switch (key)
            {
                case "llm_routing_model":
                    routingModel = Scalar(map, key);
                    break;
                case "upstream_connect_timeout" when Scalar(map, key) is { } connectNode:
                    if (TryParseDuration(connectNode.Value, out var connect) && connect.TotalMilliseconds is >= 100 and <= 600_000)
                        resilience = resilience with { ConnectTimeoutMs = (int)connect.TotalMilliseconds };
                    else
                        Error(connectNode, $"overrides.upstream_connect_timeout must be a duration from 100ms to 10m, such as '5s', not '{connectNode.Value}'.");
                    break;
                case "upstream_timeout_ms" when Scalar(map, key) is { } upstreamNode:
                    if (int.TryParse(upstreamNode.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms is >= 100 and <= 3_600_000)
                        resilience = resilience with { FirstByteTimeoutMs = ms };
                    else
                        Error(upstreamNode, $"overrides.upstream_timeout_ms must be a whole number of milliseconds from 100 to 3600000, not '{upstreamNode.Value}'.");
                    break;
                default:
                    if (ArchgwKeys.Overrides.TryGetValue(key, out var description)) _diagnostics.Add(ArchgwKeys.Ignored(LineOf(keyNode), "overrides." + key, description));
                    else Warn(keyNode, $"overrides key '{key}' is not one Switchboard knows; it is ignored.");
                    break;
            }
        }
        return (routingModel, resilience);
    }

    /// <summary>archgw's <c>tracing.random_sampling</c> (a percentage) as the share of requests traced when OTLP export is on.</summary>
    private double? ParseTracing(YamlMappingNode root)
    {
        var node = Child(root, "tracing");
        if (node is null) return null;
        if (node is not YamlMappingNode map)
        {
            Warn(node, "tracing is not a mapping; it is ignored.");
            return null;
        }
        double? ratio = null;
        foreach (var (keyNode, _) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (key == "random_sampling") continue;
            if (ArchgwKeys.Tracing.TryGetValue(key, out var description)) _diagnostics.Add(ArchgwKeys.Ignored(LineOf(keyNode), "tracing." + key, description));
            else Warn(keyNode, $"tracing key '{key}' is not one Switchboard knows; it is ignored.");
        }
        if (Scalar(map, "random_sampling") is { } samplingNode)
        {
            if (double.TryParse(samplingNode.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) && percent is >= 0 and <= 100)
            {
                ratio = percent / 100;
                var exporting = Child(root, "telemetry") is YamlMappingNode telemetry && Child(telemetry, "otlp_endpoint") is not null;
                if (percent > 0 && !exporting)
                    Warn(samplingNode, "tracing.random_sampling sets the share of requests traced, but traces are exported only when telemetry.otlp_endpoint is set (Switchboard has no default collector).",
                        "add 'telemetry: {otlp_endpoint: http://127.0.0.1:4318}' to export them.");
            }
            else
            {
                Error(samplingNode, $"tracing.random_sampling must be a percentage from 0 to 100, not '{samplingNode.Value}'.");
            }
        }
        return ratio;
    }

    // ---- provider headers and Host ---------------------------------------------------------------------

    private List<KeyValuePair<string, string>> ParseHeaders(YamlMappingNode provider)
    {
        var result = new List<KeyValuePair<string, string>>();
        var node = Child(provider, "headers");
        if (node is null) return result;
        if (node is not YamlMappingNode map)
        {
            Error(node, "headers must be a mapping of header name to value.", "write e.g.\n    headers:\n      User-Agent: \"KimiCLI/1.3\"");
            return result;
        }
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var name = ((YamlScalarNode)keyNode).Value ?? "";
            if (name.Length == 0 || !name.All(IsTokenChar))
            {
                Error(keyNode, $"'{name}' is not a valid HTTP header name.", "use letters, digits and '-', e.g. 'X-Org-Id'.");
                continue;
            }
            if (ReservedHeaders.Contains(name))
            {
                Error(keyNode, $"header '{name}' is set by the gateway itself.", name.Equals("host", StringComparison.OrdinalIgnoreCase) ? "use 'http_host: …' to change the Host header." : "remove it from headers.");
                continue;
            }
            if (valueNode is not YamlScalarNode { Value: { } raw })
            {
                Error(valueNode, $"header '{name}' must have a single text value.");
                continue;
            }
            // Values may hold credentials (account or org keys): messages never repeat them.
            var value = _env.Expand(raw, out var missing);
            if (missing is not null)
                Error(valueNode, $"header '{name}' uses {string.Join(", ", missing.Select(m => "$" + m))}, which is not set.", $"set {missing[0]} in the environment or in a .env file beside the config.");
            else if (value.AsSpan().ContainsAny('\r', '\n'))
                Error(valueNode, $"the value of header '{name}' spans lines.", "write it on one line.");
            else
                result.Add(new(name, value));
        }
        return result;
    }

    private string? ParseHttpHost(YamlMappingNode provider)
    {
        if (Scalar(provider, "http_host") is not { Value: { } host } node) return null;
        var colon = host.LastIndexOf(':');
        var name = colon > 0 && !host.EndsWith(']') ? host[..colon] : host;
        var portOk = colon <= 0 || host.EndsWith(']') || int.TryParse(host.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535;
        if (Uri.CheckHostName(name.Trim('[', ']')) == UriHostNameType.Unknown || !portOk)
        {
            Error(node, $"http_host '{host}' is not a host name.", "write the Host header to send, e.g. 'api.example.com' or 'api.example.com:8443'.");
            return null;
        }
        return host;
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);

    /// <summary>Envoy-style durations: "30s", "0.5s", "500ms", "2m", "1h"; a bare number is seconds.</summary>
    internal static bool TryParseDuration(string? text, out TimeSpan value)
    {
        value = default;
        var span = text.AsSpan().Trim();
        double unitMs = 1000;
        if (span.EndsWith("ms")) { unitMs = 1; span = span[..^2]; }
        else if (span.EndsWith("s")) span = span[..^1];
        else if (span.EndsWith("m")) { unitMs = 60_000; span = span[..^1]; }
        else if (span.EndsWith("h")) { unitMs = 3_600_000; span = span[..^1]; }
        if (!double.TryParse(span, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)) return false;
        value = TimeSpan.FromMilliseconds(amount * unitMs);
        return true;
    }
}
