using System.CommandLine;
using Nexus.Cli;
using Nexus.Cli.Apps;
using Nexus.Cli.Audit;
using Nexus.Cli.Contracts;
using Nexus.Cli.Demo;
using Nexus.Cli.Prover;
using Nexus.Cli.Signers;
using Spectre.Console;

// Piped output (CI logs, `| less`) gets wide lines instead of Spectre's 80-column default.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;

var root = new RootCommand("nexus: operate a Nexus network — contracts, apps, streams, signers, proofs");
CliOptions.AddTo(root);
root.Subcommands.Add(ContractsCommands.Build());
root.Subcommands.Add(AppCommands.Build());
root.Subcommands.Add(AuditCommand.Build());
root.Subcommands.Add(SignersCommands.Build());
root.Subcommands.Add(DemoCommand.Build());
foreach (var command in ProverCommands.Build())
    root.Subcommands.Add(command);

try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException or InvalidOperationException or FormatException or Nexus.Runtime.Wasm.InvalidAppModuleException or Nexus.Ethereum.Chain.ChainUnavailableException or Npgsql.NpgsqlException or Nexus.Crypto.Frost.FrostException or Grpc.Core.RpcException)
{
    // Our own errors name the field; infrastructure ones say more at their root (e.g. connection refused).
    var message = e is ArgumentException or InvalidDataException or FileNotFoundException or FormatException or InvalidOperationException or Nexus.Runtime.Wasm.InvalidAppModuleException or Nexus.Crypto.Frost.FrostException ? e.Message
        : e is Grpc.Core.RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.GetBaseException().Message;
    AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {message}");
    return 1;
}
