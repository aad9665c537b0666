using Switchboard.Models;
using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Switchboard.Config;

/// <summary>
/// Reads a Switchboard (or archgw) YAML config into a <see cref="GatewayConfig"/>, collecting every
/// error and warning with its line and a fix, instead of stopping at the first.
/// Uses YamlDotNet's representation model (not reflection) so each value keeps its line number.
/// </summary>
internal sealed partial class ConfigLoader
{
    private static readonly HashSet<string> TopLevelKeys = ["version", "listeners", "model_providers", "llm_providers", "model_aliases", "routing", "limits", "gateway_keys", "resilience", "telemetry",
        "routing_preferences", "tracing", "overrides", "ledger", "state",
        "claude_code"];

    private static readonly HashSet<string> ProviderKeys = ["model", "name", "provider", "provider_interface", "access_key", "base_url", "default", "routing_preferences", "max_output_tokens", "fallbacks", "api_version", "endpoint", "port", "protocol",
        "headers", "passthrough_auth", "http_host", "rate_limit", "cache", "pricing", "responses_api"];

    private readonly EnvironmentSource _env;
    private readonly List<ConfigDiagnostic> _diagnostics = [];

    private ConfigLoader(EnvironmentSource env) => _env = env;

    public static ConfigLoadResult LoadFile(string path, Func<string, string?>? environment = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new ConfigLoadResult(null, [new(DiagnosticSeverity.Error, 0, $"cannot read config file '{path}': {ex.Message}", "check the path given to --config.")]);
        }
        return LoadText(text, Path.GetFullPath(path), EnvironmentSource.ForConfigFile(path, environment));
    }

    public static ConfigLoadResult LoadText(string yaml, string? sourcePath = null, EnvironmentSource? env = null)
    {
        var loader = new ConfigLoader(env ?? new EnvironmentSource());
        var config = loader.Parse(yaml, sourcePath);
        if (config is not null) ConfigValidator.Validate(config, loader._diagnostics);
        var ok = !loader._diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
        return new ConfigLoadResult(ok ? config : null, loader._diagnostics.OrderBy(d => d.Line).ToList());
    }

    private void Error(YamlNode? node, string message, string? fix = null) =>
        _diagnostics.Add(new(DiagnosticSeverity.Error, LineOf(node), message, fix));

    private void Warn(YamlNode? node, string message, string? fix = null) =>
        _diagnostics.Add(new(DiagnosticSeverity.Warning, LineOf(node), message, fix));

    private static int LineOf(YamlNode? node) => node is null ? 0 : (int)node.Start.Line;

    private GatewayConfig? Parse(string yaml, string? sourcePath)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            _diagnostics.Add(new(DiagnosticSeverity.Error, (int)ex.Start.Line, $"invalid YAML: {ex.InnerException?.Message ?? ex.Message}", "fix the YAML syntax (indentation, quotes, colons)."));
            return null;
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            _diagnostics.Add(new(DiagnosticSeverity.Error, 1, "the config is empty or not a mapping.", "start from `./switchboard init`, or see docs/configuration.md."));
            return null;
        }

        foreach (var (keyNode, _) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (TopLevelKeys.Contains(key)) continue;
            if (ArchgwKeys.TopLevel.TryGetValue(key, out var description))
                _diagnostics.Add(ArchgwKeys.Ignored(LineOf(keyNode), key, description));
            else
                Warn(keyNode, $"unknown key '{key}' is ignored.", SpellingFix(KeySpelling.Likely(key, TopLevelKeys)));
        }

        var version = Scalar(root, "version");
        if (version is not null && version.Value is not ("v1" or "v0.1" or "v0.1.0" or "0.1-beta" or "v0.3.0" or "v0.2.0") && !(version.Value ?? "").StartsWith('v'))
            Warn(version, $"unrecognised version '{version.Value}'; reading it as v1.");

        var listeners = ParseListeners(root, out var listenerDefaults);
        var providers = ParseProviders(root);
        var overrides = ParseOverrides(root, listenerDefaults);
        // archgw names its router by a model_providers entry; an arch/ or plano/ one serves the router only, so it leaves the list.
        var routing = ParseRouting(root, providers, overrides.RoutingModel);
        return new GatewayConfig
        {
            Listeners = listeners,
            Providers = providers,
            Aliases = ParseAliases(root),
            RoutingPreferences = ParseTopLevelPreferences(root),
            Routing = routing,
            Limits = ParseLimits(root),
            Resilience = ParseResilience(root, overrides.Resilience),
            Telemetry = ParseTelemetry(root) with { SamplingRatio = ParseTracing(root) },
            GatewayKeys = ParseGatewayKeys(root),
            Ledger = ParseLedger(root, sourcePath),
            ClaudeCode = ParseClaudeCode(root),
            SourcePath = sourcePath,
            State = ParseState(root),
        };
    }

    // ---- listeners -------------------------------------------------------------------------------

    /// <param name="served">The served (first) listener's archgw timeout and retries, as resilience defaults.</param>
    private IReadOnlyList<ListenerConfig> ParseListeners(YamlMappingNode root, out ResilienceConfig served)
    {
        var node = Child(root, "listeners");
        var result = new List<ListenerConfig>();
        var maps = new List<YamlMappingNode>();
        switch (node)
        {
            case null:
                break;
            case YamlSequenceNode list:
                foreach (var item in list)
                {
                    if (item is not YamlMappingNode map) { Error(item, "each listener must be a mapping with name, address and port."); continue; }
                    var kind = Scalar(map, "type")?.Value;
                    if (kind is "agent" or "prompt") { Warn(map, $"listener of type '{kind}' is an archgw feature Switchboard does not implement; it is ignored."); continue; }
                    result.Add(ParseListener(map, Scalar(map, "name")?.Value ?? "llm"));
                    maps.Add(map);
                }
                break;
            case YamlMappingNode objectForm:
                // archgw's object form: egress_traffic is the LLM gateway; ingress_traffic serves prompt targets.
                foreach (var (keyNode, value) in objectForm.Children)
                {
                    var key = ((YamlScalarNode)keyNode).Value;
                    if (key == "egress_traffic" && value is YamlMappingNode egress) { result.Add(ParseListener(egress, "egress_traffic")); maps.Add(egress); }
                    else if (key == "ingress_traffic") Warn(keyNode, "listeners.ingress_traffic (prompt targets) is an archgw feature Switchboard does not implement; it is ignored.");
                    else if (value is YamlMappingNode other && Child(other, "port") is not null) { result.Add(ParseListener(other, key ?? "llm")); maps.Add(other); }
                    else Warn(keyNode, $"unknown listener '{key}' is ignored.");
                }
                break;
            default:
                Error(node, "listeners must be a list of {name, address, port}.", "write e.g.\n  listeners:\n    - name: llm\n      address: 127.0.0.1\n      port: 12000");
                break;
        }
        if (result.Count > 1)
            Warn(node, $"{result.Count} listeners are configured; Switchboard serves the first ('{result[0].Name}') and ignores the rest.");
        if (result.Count == 0) result.Add(new ListenerConfig("llm", "127.0.0.1", 12000));
        served = maps.Count > 0 ? ParseListenerResilience(maps[0]) : new ResilienceConfig();
        return result;
    }

    private ListenerConfig ParseListener(YamlMappingNode map, string name)
    {
        WarnAboutListenerKeys(map);
        var address = (Scalar(map, "address") ?? Scalar(map, "host"))?.Value ?? "127.0.0.1";
        if (address is "localhost") address = "127.0.0.1";
        var port = 12000;
        if (Scalar(map, "port") is { } portNode && (!int.TryParse(portNode.Value, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 0 or > 65535))
        {
            Error(portNode, $"listener port '{portNode.Value}' is not a port number.", "use a number from 1 to 65535 (0 picks a free port).");
            port = 12000;
        }
        if (!System.Net.IPAddress.TryParse(address, out _) && address is not ("*" or "+"))
            Error(Scalar(map, "address"), $"listener address '{address}' is not an IP address.", "use 127.0.0.1 (this machine only) or 0.0.0.0 (all interfaces).");
        return new ListenerConfig(name, address, port);
    }

    // ---- providers -------------------------------------------------------------------------------

    private List<ModelEntry> ParseProviders(YamlMappingNode root)
    {
        var modern = Child(root, "model_providers");
        var legacy = Child(root, "llm_providers");
        if (modern is not null && legacy is not null)
            Warn(legacy, "both model_providers and llm_providers are present; their entries are combined.", "keep one of the two lists.");

        var result = new List<ModelEntry>();
        foreach (var listNode in new[] { modern, legacy })
        {
            if (listNode is null) continue;
            if (listNode is not YamlSequenceNode list)
            {
                Error(listNode, "model_providers must be a list.", "write each provider as a list item starting with '- model: provider/model-id'.");
                continue;
            }
            foreach (var item in list)
            {
                if (item is not YamlMappingNode map) { Error(item, "each provider must be a mapping with at least 'model'."); continue; }
                if (ParseProvider(map) is { } provider) result.Add(provider);
            }
        }
        if (modern is null && legacy is null)
            Error(root, "no model_providers are configured.", "add a model_providers list, e.g.\n  model_providers:\n    - model: openai/gpt-4.1\n      access_key: $OPENAI_API_KEY\n      default: true");
        return result;
    }

    private ModelEntry? ParseProvider(YamlMappingNode map)
    {
        foreach (var (entryKey, _) in map.Children)
        {
            var entryName = ((YamlScalarNode)entryKey).Value ?? "";
            if (ProviderKeys.Contains(entryName)) continue;
            var likely = KeySpelling.Likely(entryName, ProviderKeys);
            Warn(entryKey, likely is null ? $"provider key '{entryName}' is not implemented by Switchboard; it is ignored." : $"unknown provider key '{entryName}' is ignored.",
                SpellingFix(likely));
        }

        var modelNode = Scalar(map, "model");
        var nameNode = Scalar(map, "name");
        var literal = modelNode?.Value ?? nameNode?.Value;
        if (string.IsNullOrWhiteSpace(literal))
        {
            Error(map, "a provider entry has no 'model'.", "add e.g. 'model: openai/gpt-4.1' (provider/model-id).");
            return null;
        }

        var interfaceNode = Scalar(map, "provider_interface") ?? Scalar(map, "provider");
        string providerName, modelId;
        var slash = literal.IndexOf('/');
        if (slash > 0)
        {
            providerName = literal[..slash];
            modelId = literal[(slash + 1)..];
        }
        else if (interfaceNode?.Value is { Length: > 0 } iface)
        {
            // archgw's older form: model: gpt-4o with provider_interface: openai.
            providerName = iface;
            modelId = literal;
            literal = $"{iface}/{literal}";
        }
        else
        {
            Error(modelNode ?? nameNode, $"model '{literal}' does not name its provider.", $"write it as provider/model-id, e.g. 'openai/{literal}'.");
            return null;
        }
        if (modelId.Length == 0)
        {
            Error(modelNode, $"model '{literal}' has no model id after the provider.", "write it as provider/model-id, e.g. 'openai/gpt-4.1' (or 'openai/*' to pass any id through).");
            return null;
        }

        var known = ProviderCatalog.Find(providerName);
        ApiFormat api;
        if (interfaceNode?.Value is { Length: > 0 } declared && ProviderCatalog.TryParseInterface(declared, out var parsed))
            api = parsed;
        else if (known is not null)
            api = known is { Name: "openai" } && modelId != "*" && ProviderCatalog.IsResponsesOnly(modelId) ? ApiFormat.Responses : known.Api;
        else if (interfaceNode?.Value is { Length: > 0 } unknownInterface && ProviderCatalog.Find(unknownInterface) is { } byInterfaceName)
            api = byInterfaceName.Api; // archgw lets provider_interface name a known provider
        else
        {
            if (interfaceNode is not null)
                Error(interfaceNode, $"provider_interface '{interfaceNode.Value}' is not one Switchboard speaks.", "use 'openai' (any OpenAI-compatible server), 'openai_responses' (its /v1/responses API), 'anthropic' or 'gemini'.");
            else if (!IsRouterProvider(providerName) && Scalar(map, "base_url") is not null)
                // archgw knows some providers Switchboard does not (amazon_bedrock, qwen): say how this one will be called.
                Warn(modelNode ?? nameNode, $"provider '{providerName}' is not one Switchboard knows: it is called as an OpenAI-compatible server at its base_url.",
                    "if it speaks another API, set provider_interface (openai, anthropic or gemini).");
            api = ApiFormat.OpenAI;
        }

        var baseUrlNode = Scalar(map, "base_url") ?? Scalar(map, "endpoint");
        Uri? baseUrl = null;
        if (baseUrlNode?.Value is { Length: > 0 } rawUrl)
        {
            var expanded = _env.Expand(rawUrl, out var missing);
            if (missing is not null)
                Error(baseUrlNode, $"base_url uses {string.Join(", ", missing.Select(m => "$" + m))}, which is not set.", $"set {missing[0]} in the environment or in a .env file beside the config.");
            else if (!expanded.Contains("://", StringComparison.Ordinal) && Scalar(map, "endpoint") is not null && baseUrlNode == Scalar(map, "endpoint"))
                expanded = $"{(Scalar(map, "protocol")?.Value ?? "http")}://{expanded}{(Scalar(map, "port")?.Value is { } p ? ":" + p : "")}";
            if (missing is null)
            {
                if (!Uri.TryCreate(expanded, UriKind.Absolute, out baseUrl) || baseUrl.Scheme is not ("http" or "https") || string.IsNullOrEmpty(baseUrl.Host))
                {
                    Error(baseUrlNode, $"base_url '{rawUrl}' is not a valid http(s) URL.", "write a full URL such as 'http://127.0.0.1:11434/v1' or 'https://api.groq.com/openai/v1'.");
                    baseUrl = null;
                }
            }
        }

        if (IsRouterProvider(providerName) && baseUrl is null && baseUrlNode is null)
            Error(modelNode ?? nameNode, $"router entry '{literal}' has no base_url.", "add the address of the server running the router model, e.g. 'base_url: http://127.0.0.1:11434' (Ollama).");
        else if (known is null && baseUrl is null && baseUrlNode is null)
            Error(modelNode ?? nameNode, $"provider '{providerName}' is not one Switchboard knows, and no base_url is given.",
                $"add 'base_url: https://…' and 'provider_interface: openai' (or anthropic), or use one of: {string.Join(", ", ProviderCatalog.All.Select(p => p.Name))}.");
        if (known is { DefaultBaseUrl: null } && baseUrl is null && baseUrlNode is null)
            Error(modelNode, $"provider '{providerName}' needs a base_url.", providerName == "azure_openai"
                ? "add 'base_url: https://YOUR-RESOURCE.openai.azure.com' (the model id is the deployment name)."
                : "add 'base_url: https://…'.");

        if (api == ApiFormat.Responses && known is not null && known.Api != ApiFormat.OpenAI && baseUrl is null && baseUrlNode is null)
            Error(interfaceNode ?? modelNode, $"provider '{providerName}' does not serve the OpenAI Responses API.",
                "use provider_interface: openai_responses with an OpenAI-protocol provider (openai, or any provider with a base_url that serves /responses).");

        SecretValue? key = null;
        if (Scalar(map, "access_key") is { } keyNode && keyNode.Value is { Length: > 0 } rawKey)
            key = ParseSecret(rawKey);

        var passthroughAuth = false;
        if (Scalar(map, "passthrough_auth") is { } passthroughNode)
        {
            if (!TryParseBool(passthroughNode, out passthroughAuth))
                Error(passthroughNode, $"passthrough_auth must be true or false, not '{passthroughNode.Value}'.");
            else if (passthroughAuth && key is not null)
                Warn(passthroughNode, $"'{literal}' has both passthrough_auth: true and access_key: the access_key is not used; the client's own Authorization is forwarded.", "remove access_key, or passthrough_auth.");
        }

        bool? responsesApi = null;
        if (Scalar(map, "responses_api") is { } responsesNode)
        {
            if (!TryParseBool(responsesNode, out var serves))
                Error(responsesNode, $"responses_api must be true or false, not '{responsesNode.Value}'.");
            else if (api != ApiFormat.OpenAI || known is { Auth: not AuthStyle.Bearer })
                Warn(responsesNode, $"'{literal}' is not an OpenAI-compatible server with bearer keys, so responses_api does not apply to it.", "remove responses_api (it is for OpenAI-compatible servers that also serve /responses).");
            else
                responsesApi = serves;
        }

        var isDefault = false;
        if (Scalar(map, "default") is { } defaultNode && !TryParseBool(defaultNode, out isDefault))
            Error(defaultNode, $"default must be true or false, not '{defaultNode.Value}'.");

        int? maxOutput = null;
        if (Scalar(map, "max_output_tokens") is { } maxNode)
        {
            if (int.TryParse(maxNode.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max > 0) maxOutput = max;
            else Error(maxNode, $"max_output_tokens must be a positive whole number, not '{maxNode.Value}'.");
        }

        return new ModelEntry
        {
            Model = literal,
            Provider = providerName,
            ModelId = modelId,
            Interface = api,
            AccessKey = key,
            BaseUrl = baseUrl,
            IsDefault = isDefault,
            MaxOutputTokens = maxOutput,
            Fallbacks = ParseStringList(map, "fallbacks"),
            RoutingPreferences = ParsePreferences(map),
            ApiVersion = Scalar(map, "api_version")?.Value,
            Name = nameNode?.Value,
            Headers = ParseHeaders(map),
            PassthroughAuth = passthroughAuth,
            ResponsesApi = responsesApi,
            HttpHost = ParseHttpHost(map),
            Pricing = ParsePricing(map),
            Line = LineOf(map),
            RateLimit = ParseRateLimit(map, $"model '{literal}'"),
            Cache = ParseCache(map, $"model '{literal}'"),
        };
    }

    private SecretValue ParseSecret(string raw)
    {
        var expanded = _env.Expand(raw, out var missing);
        return missing is null
            ? new SecretValue(expanded, raw.Contains('$') ? VariableIn(raw) : null)
            : new SecretValue(null, missing[0]);
    }

    private static string? VariableIn(string raw)
    {
        var start = raw.IndexOf('$') + 1;
        if (start < raw.Length && raw[start] == '{') start++;
        var end = start;
        while (end < raw.Length && (char.IsAsciiLetterOrDigit(raw[end]) || raw[end] == '_')) end++;
        return end > start ? raw[start..end] : null;
    }

    private List<RoutePreference> ParsePreferences(YamlMappingNode provider)
    {
        var result = new List<RoutePreference>();
        var node = Child(provider, "routing_preferences");
        if (node is null) return result;
        if (node is not YamlSequenceNode list)
        {
            Error(node, "routing_preferences must be a list of {name, description}.");
            return result;
        }
        foreach (var item in list)
        {
            if (item is not YamlMappingNode map) { Error(item, "each routing preference needs a name and a description."); continue; }
            var name = Scalar(map, "name")?.Value?.Trim();
            var description = Scalar(map, "description")?.Value?.Trim();
            if (string.IsNullOrEmpty(name)) { Error(map, "a routing preference has no name.", "add 'name: code generation' (a short label)."); continue; }
            if (string.IsNullOrEmpty(description)) { Error(map, $"routing preference '{name}' has no description.", "describe in plain words what requests it covers."); continue; }
            if (name.Equals("other", StringComparison.OrdinalIgnoreCase)) { Error(map, "'other' is reserved for requests no route fits.", "give the route another name."); continue; }
            result.Add(new RoutePreference(name, description) { Fallbacks = ParseStringList(map, "fallbacks") });
        }
        return result;
    }

    // ---- aliases, routing, limits, keys ------------------------------------------------------------

    private Dictionary<string, AliasConfig> ParseAliases(YamlMappingNode root)
    {
        var result = new Dictionary<string, AliasConfig>(StringComparer.OrdinalIgnoreCase);
        var node = Child(root, "model_aliases");
        if (node is null) return result;
        if (node is not YamlMappingNode map)
        {
            Error(node, "model_aliases must be a mapping of alias → {target}.", "write e.g.\n  model_aliases:\n    fast-model:\n      target: openai/gpt-4.1-mini");
            return result;
        }
        foreach (var (keyNode, value) in map.Children)
        {
            var alias = ((YamlScalarNode)keyNode).Value ?? "";
            string? target = value switch
            {
                YamlMappingNode m => Scalar(m, "target")?.Value,
                YamlScalarNode s => s.Value, // shorthand: alias: provider/model
                _ => null,
            };
            if (string.IsNullOrWhiteSpace(target))
            {
                Error(keyNode, $"alias '{alias}' has no target.", $"add 'target: provider/model-id' under '{alias}'.");
                continue;
            }
            if (result.ContainsKey(alias))
            {
                Error(keyNode, $"alias '{alias}' is defined twice.", "remove one of them.");
                continue;
            }
            var fallbacks = value is YamlMappingNode am ? ParseStringList(am, "fallbacks") : [];
            result[alias] = new AliasConfig(alias, target.Trim(), fallbacks, LineOf(keyNode)) { Cache = value is YamlMappingNode cached ? ParseCache(cached, $"alias '{alias}'") : null };
        }
        return result;
    }

    private static readonly HashSet<string> RoutingKeys = ["router", "base_url", "model", "access_key", "timeout_ms", "token_budget", "threshold", "semantic", "llm_provider", "model_provider", "route_on_user_only"];

    private RoutingConfig ParseRouting(YamlMappingNode root, List<ModelEntry> providers, YamlScalarNode? overridesRoutingModel)
    {
        var config = new RoutingConfig();
        var node = Child(root, "routing");
        var map = node as YamlMappingNode;
        if (node is not null && map is null)
            Error(node, "routing must be a mapping.", "write e.g.\n  routing:\n    router: embedded");
        if (map is not null)
        {
            foreach (var (entryKey, _) in map.Children)
            {
                var key = ((YamlScalarNode)entryKey).Value ?? "";
                if (RoutingKeys.Contains(key)) continue;
                if (ArchgwKeys.Routing.TryGetValue(key, out var description)) _diagnostics.Add(ArchgwKeys.Ignored(LineOf(entryKey), "routing." + key, description));
                else Warn(entryKey, $"routing key '{key}' is not implemented by Switchboard; it is ignored.");
            }
            config = ParseRoutingKeys(map, config);
        }
        config = ResolveRouterEntry(map, providers, overridesRoutingModel, config);
        if (config.Router == RouterKind.Llm && config.BaseUrl is null)
            Error(map, "routing.router is 'llm' but routing.base_url is not set.", "add 'base_url: http://127.0.0.1:11434/v1' (an OpenAI-compatible endpoint serving the router model), or use 'router: embedded'.");
        return config;
    }

    /// <summary>Switchboard's own routing keys (and route_on_user_only).</summary>
    private RoutingConfig ParseRoutingKeys(YamlMappingNode map, RoutingConfig config)
    {
        if (Scalar(map, "router") is { } routerNode)
        {
            switch (routerNode.Value?.ToLowerInvariant())
            {
                case "embedded": config = config with { Router = RouterKind.Embedded }; break;
                case "llm" or "arch-router" or "arch_router": config = config with { Router = RouterKind.Llm }; break;
                default: Error(routerNode, $"routing.router '{routerNode.Value}' is not a router Switchboard has.", "use 'embedded' (offline, in-process) or 'llm' (Arch-Router protocol over an OpenAI-compatible endpoint)."); break;
            }
        }
        var baseUrlNode = Scalar(map, "base_url");
        if (baseUrlNode?.Value is { Length: > 0 } rawUrl)
        {
            var expanded = _env.Expand(rawUrl, out var missing);
            if (missing is not null) Error(baseUrlNode, $"routing.base_url uses ${missing[0]}, which is not set.", $"set {missing[0]}.");
            else if (!Uri.TryCreate(expanded, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                Error(baseUrlNode, $"routing.base_url '{rawUrl}' is not a valid http(s) URL.", "e.g. 'http://127.0.0.1:11434/v1' for Ollama serving Arch-Router-1.5B.");
            else config = config with { BaseUrl = url };
        }
        // archgw's routing.model names its hosted router model; with routing.llm_provider the entry's model id wins.
        if (Scalar(map, "model")?.Value is { Length: > 0 } model) config = config with { Model = model };
        if (Scalar(map, "access_key")?.Value is { Length: > 0 } routerKey) config = config with { AccessKey = ParseSecret(routerKey) };
        if (Scalar(map, "timeout_ms") is { } timeoutNode)
        {
            if (int.TryParse(timeoutNode.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0) config = config with { TimeoutMs = ms };
            else Error(timeoutNode, $"routing.timeout_ms must be a positive number of milliseconds, not '{timeoutNode.Value}'.");
        }
        if (Scalar(map, "token_budget") is { } budgetNode)
        {
            if (int.TryParse(budgetNode.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var budget) && budget >= 64) config = config with { TokenBudget = budget };
            else Error(budgetNode, $"routing.token_budget must be a whole number of at least 64, not '{budgetNode.Value}'.");
        }
        if (Scalar(map, "threshold") is { } thresholdNode)
        {
            if (double.TryParse(thresholdNode.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) && t is >= 0 and <= 1) config = config with { Threshold = t };
            else Error(thresholdNode, $"routing.threshold must be a number from 0 to 1, not '{thresholdNode.Value}'.");
        }
        if (Scalar(map, "semantic") is { } semanticNode)
        {
            switch (semanticNode.Value?.ToLowerInvariant())
            {
                case "auto": config = config with { Semantic = SemanticMode.Auto }; break;
                case "off" or "false": config = config with { Semantic = SemanticMode.Off }; break;
                case "on" or "true": config = config with { Semantic = SemanticMode.On }; break;
                default: Error(semanticNode, $"routing.semantic must be auto, off or on, not '{semanticNode.Value}'."); break;
            }
        }
        if (Scalar(map, "route_on_user_only") is { } userOnlyNode)
        {
            if (TryParseBool(userOnlyNode, out var userOnly)) config = config with { RouteOnUserOnly = userOnly };
            else Error(userOnlyNode, $"routing.route_on_user_only must be true or false, not '{userOnlyNode.Value}'.");
        }
        return config;
    }

    private LimitsConfig ParseLimits(YamlMappingNode root)
    {
        var limits = new LimitsConfig();
        if (Child(root, "limits") is not YamlMappingNode map) return limits;
        foreach (var (entryKey, _) in map.Children)
        {
            var key = ((YamlScalarNode)entryKey).Value;
            if (key is not ("max_request_body_bytes" or "max_concurrent_requests" or "max_request_bytes_in_flight" or "max_upstream_connections"))
                Warn(entryKey, $"limits key '{key}' is not one Switchboard knows; it is ignored.", "use max_request_body_bytes, max_concurrent_requests, max_request_bytes_in_flight or max_upstream_connections.");
        }
        if (Scalar(map, "max_request_body_bytes") is { } node)
        {
            // A body is held in one buffer (retries and fallbacks resend it): at most the largest array .NET allocates.
            if (long.TryParse(node.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes >= 1024 && bytes <= Array.MaxLength)
                limits = limits with { MaxRequestBodyBytes = bytes };
            else Error(node, $"limits.max_request_body_bytes must be a whole number from 1024 to {Array.MaxLength} (a body is held in one buffer), not '{node.Value}'.");
        }
        int Count(string key, int current)
        {
            if (Scalar(map, key) is not { } countNode) return current;
            if (int.TryParse(countNode.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
            Error(countNode, $"limits.{key} must be a whole number (0: no limit), not '{countNode.Value}'.");
            return current;
        }
        if (Scalar(map, "max_request_bytes_in_flight") is { } bytesNode)
        {
            if (long.TryParse(bytesNode.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var cap) && (cap == 0 || cap >= 1024)) limits = limits with { MaxRequestBytesInFlight = cap };
            else Error(bytesNode, $"limits.max_request_bytes_in_flight must be 0 (no cap) or a whole number of at least 1024, not '{bytesNode.Value}'.");
        }
        return limits with
        {
            MaxConcurrentRequests = Count("max_concurrent_requests", limits.MaxConcurrentRequests),
            MaxUpstreamConnections = Count("max_upstream_connections", limits.MaxUpstreamConnections),
        };
    }

    /// <param name="config">Defaults from archgw's listener timeout and retries and plano's overrides; these keys win.</param>
    private ResilienceConfig ParseResilience(YamlMappingNode root, ResilienceConfig config)
    {
        if (Child(root, "resilience") is not YamlMappingNode map) return config;
        int Int(YamlMappingNode m, string key, int current, int min, int max)
        {
            if (Scalar(m, key) is not { } node) return current;
            if (int.TryParse(node.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max) return v;
            Error(node, $"resilience.{key} must be a whole number from {min} to {max}, not '{node.Value}'.");
            return current;
        }
        foreach (var (entryKey, _) in map.Children)
        {
            var key = ((YamlScalarNode)entryKey).Value;
            if (key is not ("max_retries" or "initial_backoff_ms" or "max_backoff_ms" or "max_retry_time_ms" or "connect_timeout_ms" or "first_byte_timeout_ms" or "stream_idle_timeout_ms" or "stream_keepalive_ms" or "circuit_breaker"))
                Warn(entryKey, $"resilience key '{key}' is not one Switchboard knows; it is ignored.", "see docs/configuration.md for the resilience keys.");
        }
        config = config with
        {
            MaxRetries = Int(map, "max_retries", config.MaxRetries, 0, 10),
            InitialBackoffMs = Int(map, "initial_backoff_ms", config.InitialBackoffMs, 1, 600_000),
            MaxBackoffMs = Int(map, "max_backoff_ms", config.MaxBackoffMs, 1, 600_000),
            MaxRetryTimeMs = Int(map, "max_retry_time_ms", config.MaxRetryTimeMs, 0, 3_600_000),
            ConnectTimeoutMs = Int(map, "connect_timeout_ms", config.ConnectTimeoutMs, 100, 600_000),
            FirstByteTimeoutMs = Int(map, "first_byte_timeout_ms", config.FirstByteTimeoutMs, 100, 3_600_000),
            StreamIdleTimeoutMs = Int(map, "stream_idle_timeout_ms", config.StreamIdleTimeoutMs, 100, 3_600_000),
            StreamKeepAliveMs = Int(map, "stream_keepalive_ms", config.StreamKeepAliveMs, 100, 3_600_000),
        };
        if (Child(map, "circuit_breaker") is YamlMappingNode breaker)
        {
            config = config with
            {
                BreakerMinimumThroughput = Int(breaker, "minimum_throughput", config.BreakerMinimumThroughput, 2, 100_000),
                BreakerSamplingSeconds = Int(breaker, "sampling_seconds", config.BreakerSamplingSeconds, 1, 3_600),
                BreakerBreakSeconds = Int(breaker, "break_seconds", config.BreakerBreakSeconds, 1, 3_600),
            };
            if (Scalar(breaker, "failure_ratio") is { } ratioNode)
            {
                if (double.TryParse(ratioNode.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) && ratio is > 0 and <= 1) config = config with { BreakerFailureRatio = ratio };
                else Error(ratioNode, $"resilience.circuit_breaker.failure_ratio must be a number above 0 and at most 1, not '{ratioNode.Value}'.");
            }
        }
        return config;
    }

    private TelemetryConfig ParseTelemetry(YamlMappingNode root)
    {
        var config = new TelemetryConfig();
        if (Child(root, "telemetry") is not YamlMappingNode map) return config;
        foreach (var (entryKey, _) in map.Children)
        {
            var key = ((YamlScalarNode)entryKey).Value;
            if (key is not ("otlp_endpoint" or "service_name" or "export_interval_ms" or "prometheus"))
                Warn(entryKey, $"telemetry key '{key}' is not one Switchboard knows; it is ignored.", "use otlp_endpoint, service_name, export_interval_ms or prometheus.");
        }
        if (Scalar(map, "otlp_endpoint") is { } endpointNode)
        {
            var expanded = _env.Expand(endpointNode.Value ?? "", out var missing);
            if (missing is not null) Error(endpointNode, $"telemetry.otlp_endpoint uses ${missing[0]}, which is not set.", $"set {missing[0]}.");
            else if (!Uri.TryCreate(expanded, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                Error(endpointNode, $"telemetry.otlp_endpoint '{endpointNode.Value}' is not a valid http(s) URL.", "e.g. 'http://127.0.0.1:4318' (an OpenTelemetry Collector's OTLP/HTTP receiver).");
            else config = config with { OtlpEndpoint = url };
        }
        if (Scalar(map, "service_name")?.Value is { Length: > 0 } name) config = config with { ServiceName = name };
        if (Scalar(map, "export_interval_ms") is { } intervalNode)
        {
            if (int.TryParse(intervalNode.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms >= 100) config = config with { ExportIntervalMs = ms };
            else Error(intervalNode, $"telemetry.export_interval_ms must be a whole number of at least 100, not '{intervalNode.Value}'.");
        }
        if (Scalar(map, "prometheus") is { } prometheusNode)
        {
            if (TryParseBool(prometheusNode, out var prometheus)) config = config with { Prometheus = prometheus };
            else Error(prometheusNode, $"telemetry.prometheus must be true or false, not '{prometheusNode.Value}'.", "true serves GET /metrics (the default); false turns it off.");
        }
        return config;
    }

    private List<GatewayKey> ParseGatewayKeys(YamlMappingNode root)
    {
        var result = new List<GatewayKey>();
        var node = Child(root, "gateway_keys");
        if (node is null) return result;
        if (node is not YamlSequenceNode list) { Error(node, "gateway_keys must be a list of keys (use $VAR to read them from the environment)."); return result; }
        var position = 0;
        foreach (var item in list)
        {
            position++;
            if (item is YamlMappingNode named)
            {
                if (ParseNamedKey(named, position) is { } key) result.Add(key);
                continue;
            }
            var raw = (item as YamlScalarNode)?.Value ?? (item is YamlMappingNode m ? Scalar(m, "key")?.Value : null);
            if (string.IsNullOrEmpty(raw)) { Error(item, "a gateway key is empty."); continue; }
            var secret = ParseSecret(raw);
            if (!secret.IsResolved) Error(item, $"gateway key ${secret.VariableName} is not set.", $"set {secret.VariableName} in the environment or in a .env file beside the config.");
            else result.Add(new GatewayKey(secret.VariableName ?? $"key-{position}", secret, LineOf(item)));
        }
        return result;
    }

    // ---- small helpers -----------------------------------------------------------------------------

    private static string SpellingFix(string? likelyKey) => likelyKey is null
        ? "remove it, or check its spelling against docs/configuration.md."
        : $"check its spelling: did you mean '{likelyKey}'?";

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) && !(value is YamlScalarNode s && IsNull(s)) ? value : null;

    private static bool IsNull(YamlScalarNode s) => s.Value is null or "" or "~" or "null";

    private YamlScalarNode? Scalar(YamlMappingNode map, string key)
    {
        var node = Child(map, key);
        if (node is null) return null;
        if (node is YamlScalarNode scalar) return IsNull(scalar) ? null : scalar;
        Error(node, $"'{key}' must be a single value, not a list or mapping.");
        return null;
    }

    private List<string> ParseStringList(YamlMappingNode map, string key)
    {
        var node = Child(map, key);
        switch (node)
        {
            case null: return [];
            case YamlScalarNode s when !IsNull(s): return [s.Value!];
            case YamlSequenceNode list:
                var result = new List<string>();
                foreach (var item in list)
                {
                    if (item is YamlScalarNode { Value: { Length: > 0 } v }) result.Add(v);
                    else Error(item, $"each entry of '{key}' must be a model literal or alias.");
                }
                return result;
            default:
                Error(node, $"'{key}' must be a list of model literals or aliases.");
                return [];
        }
    }

    private bool TryParseBool(YamlScalarNode node, out bool value)
    {
        switch (node.Value?.ToLowerInvariant())
        {
            case "true" or "yes" or "on": value = true; return true;
            case "false" or "no" or "off": value = false; return true;
            default: value = false; return false;
        }
    }
}
