return await Switchboard.Cli.CliApp.RunAsync(args);
