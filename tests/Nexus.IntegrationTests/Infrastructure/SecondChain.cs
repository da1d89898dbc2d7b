using System.Diagnostics;

namespace Nexus.IntegrationTests.Infrastructure;

/// <summary>
/// Another Hardhat dev node (same chain id, its own history): an Ethereum RPC that disagrees with the
/// one the listener reads, as a replica with a different view of the chain would see it.
/// </summary>
public sealed class SecondChain : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _home;

    private SecondChain(Process process, string home, string url)
    {
        _process = process;
        _home = home;
        RpcUrl = url;
    }

    public string RpcUrl { get; }

    public static async Task<SecondChain> StartAsync()
    {
        var repo = ServiceProcess.RepoRoot();
        var port = Nexus.LocalDev.Hosting.InProcessService.FreePort();
        var home = Directory.CreateTempSubdirectory("nexus-chain2-").FullName;
        var info = new ProcessStartInfo("node", [Path.Combine(repo, "node_modules", "hardhat", "internal", "cli", "cli.js"), "node",
            "--hostname", "127.0.0.1", "--port", port.ToString(), "--config", Path.Combine(repo, "infra", "hardhat", "hardhat.config.js")])
        {
            WorkingDirectory = repo,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["NEXUS_HOME"] = home;
        info.Environment["HARDHAT_DISABLE_TELEMETRY_PROMPT"] = "true";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var chain = new SecondChain(process, home, $"http://127.0.0.1:{port}");
        var reader = new Nexus.Ethereum.Chain.JsonRpcChainReader(chain.RpcUrl);
        await Poll.Until(async () =>
        {
            try { await reader.GetChainIdAsync(default); return true; }
            catch (Exception) { return process.HasExited ? throw new InvalidOperationException("the second hardhat node exited") : false; }
        });
        return chain;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_home, recursive: true); } catch (IOException) { }
    }
}
