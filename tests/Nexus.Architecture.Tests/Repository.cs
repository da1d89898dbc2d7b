using System.Xml.Linq;

namespace Nexus.Architecture.Tests;

/// <summary>The repository's projects and what each references, read from the project files themselves.</summary>
internal static class Repository
{
    public static readonly string Root = FindRoot();

    /// <summary>Project folder (relative, '/'-separated, e.g. <c>services/sequencer/Nexus.Sequencer</c>) → the project folders it references.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Projects = ReadProjects();

    public static bool IsService(string project) => project.StartsWith("services/", StringComparison.Ordinal);
    public static bool IsShared(string project) => project.StartsWith("shared/", StringComparison.Ordinal);
    public static bool IsTool(string project) => project.StartsWith("tools/", StringComparison.Ordinal);
    public static bool IsTest(string project) => project.StartsWith("tests/", StringComparison.Ordinal);

    /// <summary>The service a project belongs to (<c>services/sequencer/…</c> → <c>sequencer</c>), or null.</summary>
    public static string? ServiceOf(string project) => IsService(project) ? project.Split('/')[1] : null;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Nexus.Services.sln")))
                return dir.FullName;
        throw new InvalidOperationException("the repository root (Nexus.Services.sln) is not above the test's directory");
    }

    private static Dictionary<string, IReadOnlyList<string>> ReadProjects()
    {
        var projects = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var file in Directory.EnumerateFiles(Root, "*.csproj", SearchOption.AllDirectories))
        {
            var relative = Relative(Path.GetDirectoryName(file)!);
            if (relative.Split('/').Any(part => part is "node_modules" or "artifacts" or "bin" or "obj" || part.StartsWith('.')))
                continue;
            var references = XDocument.Load(file).Descendants("ProjectReference")
                .Select(r => r.Attribute("Include")!.Value.Replace("$(RepoRoot)", Root + Path.DirectorySeparatorChar))
                .Select(path => Relative(Path.GetDirectoryName(Path.GetFullPath(path, Path.GetDirectoryName(file)!))!))
                .ToList();
            projects[relative] = references;
        }
        return projects;
    }

    private static string Relative(string path) => Path.GetRelativePath(Root, path).Replace(Path.DirectorySeparatorChar, '/');
}
