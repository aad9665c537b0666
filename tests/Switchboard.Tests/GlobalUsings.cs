// Every test namespace, so a test finds the shared kit (TestKit) and its neighbours wherever its kind put it.
global using Switchboard.Tests.EndToEnd;
global using Switchboard.Tests.Functional.Cli;
global using Switchboard.Tests.Functional.Config;
global using Switchboard.Tests.Functional.Faults;
global using Switchboard.Tests.Functional.Gateway;
global using Switchboard.Tests.Functional.Ledger;
global using Switchboard.Tests.Functional.Routing;
global using Switchboard.Tests.TestKit;
global using Switchboard.Tests.Unit.Architecture;
global using Switchboard.Tests.Unit.Config;
global using Switchboard.Tests.Unit.Identity;
global using Switchboard.Tests.Unit.Observability;
global using Switchboard.Tests.Unit.Pipeline;
global using Switchboard.Tests.Unit.Protocols;
global using Switchboard.Tests.Unit.Providers;
global using Switchboard.Tests.Unit.Routing;
global using static Switchboard.Tests.TestKit.TestRequests;
