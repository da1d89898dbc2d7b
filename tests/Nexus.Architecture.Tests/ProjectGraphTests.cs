namespace Nexus.Architecture.Tests;

/// <summary>
/// The project graph keeps the house's boundaries: services meet only through contracts, the bus and
/// the app streams (never a project reference), hosting code knows nothing of the domain, and local
/// development scaffolding never ships inside a service or a shared library.
/// </summary>
public sealed class ProjectGraphTests
{
    [Fact]
    public void The_graph_is_read_from_the_repository() =>
        Repository.Projects.Keys.ShouldContain("services/sequencer/Nexus.Sequencer");

    [Fact]
    public void No_service_references_another_service()
    {
        var crossings = Repository.Projects
            .Where(p => Repository.IsService(p.Key))
            .SelectMany(p => p.Value.Where(r => Repository.IsService(r) && Repository.ServiceOf(r) != Repository.ServiceOf(p.Key)).Select(r => $"{p.Key} -> {r}"))
            .ToList();
        crossings.ShouldBeEmpty();
    }

    [Fact]
    public void Hosting_references_no_project_of_the_repository_so_it_cannot_reach_domain_code() =>
        Repository.Projects["shared/Nexus.Hosting"].ShouldBeEmpty();

    [Fact]
    public void Shared_libraries_and_contracts_reference_no_service_tool_or_test()
    {
        var wrong = Repository.Projects
            .Where(p => Repository.IsShared(p.Key) || p.Key.StartsWith("contracts/", StringComparison.Ordinal))
            .SelectMany(p => p.Value.Where(r => Repository.IsService(r) || Repository.IsTool(r) || Repository.IsTest(r)).Select(r => $"{p.Key} -> {r}"))
            .ToList();
        wrong.ShouldBeEmpty();
    }

    [Fact]
    public void Services_reference_no_tool_or_test_so_demo_and_test_scaffolding_stays_out_of_production() =>
        Repository.Projects
            .Where(p => Repository.IsService(p.Key))
            .SelectMany(p => p.Value.Where(r => Repository.IsTool(r) || Repository.IsTest(r)).Select(r => $"{p.Key} -> {r}"))
            .ShouldBeEmpty();

    [Fact]
    public void Every_project_is_in_the_solution()
    {
        var solution = File.ReadAllText(Path.Combine(Repository.Root, "Nexus.Services.sln")).Replace('\\', '/');
        Repository.Projects.Keys.Where(p => !solution.Contains(p + "/", StringComparison.Ordinal)).ShouldBeEmpty();
    }
}
