using BenchmarkDotNet.Running;

// `probe [N]`: allocations and CPU per gateway request (see Gateway/GatewayRequestProbe.cs).
if (args.Length > 0 && args[0] == "probe-parts") return Switchboard.Bench.Gateway.PartsProbe.Run(args);
if (args.Length > 0 && args[0] == "probe-metrics") return Switchboard.Bench.Gateway.MetricsProbe.Run(args);
if (args.Length > 0 && args[0] == "probe-ledger") return await Switchboard.Bench.Gateway.LedgerProbe.RunAsync(args);
if (args.Length > 0 && args[0] == "probe-keys") return Switchboard.Bench.Gateway.KeysProbe.Run(args);
if (args.Length > 0 && args[0] == "probe-limits") return Switchboard.Bench.Gateway.LimitsProbe.Run(args);
if (args.Length > 0 && args[0] == "dump-semantic") return Switchboard.Bench.Routing.SemanticDumpProbe.Run(args);
if (args.Length > 0 && args[0] == "eval-sets") return await Switchboard.Bench.Routing.TuningSetsProbe.RunAsync(args);
if (args.Length > 0 && args[0] == "probe-semantic") return Switchboard.Bench.Routing.SemanticVariantsProbe.Run(args);
if (args.Length > 0 && args[0] == "probe") return await Switchboard.Bench.Gateway.GatewayRequestProbe.RunAsync(args);

// Every benchmark class in this assembly; pick with --filter, e.g. --filter '*Translator*'.
BenchmarkSwitcher.FromAssembly(typeof(Switchboard.Bench.Gateway.GatewayRequestProbe).Assembly).Run(args);
return 0;
