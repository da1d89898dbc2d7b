using System.Diagnostics;

namespace Nexus.IntegrationTests.Infrastructure;

/// <summary>
/// A service run as its own OS process from the build output, killed with SIGKILL: the faithful
/// crash (sockets closed by the kernel, unacknowledged messages returned by the broker).
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServiceProcess(Process process) => _process = process;

    public static ServiceProcess Start(string project, IDictionary<string, string?> settings, string logFile)
    {
        var dll = BuildOutput(project, project);
        if (!File.Exists(dll)) throw new FileNotFoundException($"build output of {project} not found", dll);
        var info = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["urls"] = "http://127.0.0.1:0";
        foreach (var (key, value) in settings) info.Environment[key.Replace(":", "__")] = value;
        var process = Process.Start(info)!;
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServiceProcess(process);
    }

    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    /// <summary>Path of a project's build output, built in the same configuration as the tests.</summary>
    public static string BuildOutput(string project, string assembly) =>
        Path.Combine(RepoRoot(), "artifacts", "bin", project, Configuration(), assembly + ".dll");

    /// <summary>Debug or Release, as this test assembly was built (artifacts/bin/&lt;project&gt;/&lt;config&gt;/).</summary>
    private static string Configuration() => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Name;

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Nexus.Services.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("repository root (Nexus.Services.sln) not found above " + AppContext.BaseDirectory);
    }
}
