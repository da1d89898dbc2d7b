using System.CommandLine;
using System.Text.Json;
using Nexus.Ethereum.Artifacts;
using Spectre.Console;

namespace Nexus.Cli.Contracts;

public static class ContractsCommands
{
    public static Command Build()
    {
        var outFile = new Option<FileInfo?>("--out") { Description = "write the addresses as JSON to this file" };
        var deploy = new Command("deploy", "deploy NexusInbox and the SampleAuction dApp; prints their addresses") { outFile };
        deploy.SetAction(async (p, ct) =>
        {
            var sender = await CliOptions.SenderAsync(p, ct);
            var deployed = new Dictionary<string, string>();
            foreach (var name in new[] { SolidityArtifact.NexusInbox, SolidityArtifact.SampleAuction })
            {
                deployed[name] = await sender.DeployAsync(name, ct);
                AnsiConsole.MarkupLineInterpolated($"[green]deployed[/] {name,-14} {deployed[name]}");
            }
            if (p.GetValue(outFile) is { } file)
                await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(deployed, new JsonSerializerOptions { WriteIndented = true }), ct);
            return 0;
        });
        return new Command("contracts", "the Solidity contracts of the network") { deploy };
    }
}
