using System.Diagnostics;

namespace Nexus.IntegrationTests.Infrastructure;

/// <summary>Runs the operator CLI as a process, against a test's own schema and the dev node.</summary>
public static class Cli
{
    public static async Task<(int Exit, string Output)> RunAsync(Pipeline p, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet", [ServiceProcess.BuildOutput("Nexus.Cli", "nexus"), "--postgres", LocalInfra.Postgres, "--schema", p.Schema, "--rpc", LocalInfra.RpcUrl, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
