using Marten;

namespace Nexus.Architecture.Tests;

/// <summary>
/// No service (and not the operator's CLI) loads, queries or writes a document it does not own: other
/// stages are read through the app stream reader. Checked on the compiled code of each deployable.
/// </summary>
public sealed class DocumentAccessTests
{
    public static TheoryData<string> Assemblies =>
    [
        "Nexus.ChainListener", "Nexus.Sequencer", "Nexus.Executor", "Nexus.MpcSigner", "Nexus.Prover", "nexus",
        "Nexus.Hosting", "Nexus.Runtime", "Nexus.State", "Nexus.Ethereum",
    ];

    private static string PathOf(string assembly) => Path.Combine(AppContext.BaseDirectory, assembly + ".dll");

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Compiled_code_touches_only_documents_of_its_own_assembly(string assembly)
    {
        File.Exists(PathOf(assembly)).ShouldBeTrue($"{assembly}.dll is not beside the tests");
        var foreign = DocumentAccess.In(PathOf(assembly)).Where(c => c.DocumentAssembly != assembly && c.DocumentAssembly.StartsWith("Nexus", StringComparison.Ordinal)).ToList();
        foreign.ShouldBeEmpty($"{assembly} touches documents it does not own: {string.Join("; ", foreign)}");
    }

    [Fact]
    public void The_services_own_documents_are_seen_by_the_scan()
    {
        DocumentAccess.In(PathOf("Nexus.Sequencer")).ShouldContain(c => c.DocumentType == "Nexus.Sequencer.Inputs.AppSequence" && c.Method == "LoadAsync");
        DocumentAccess.In(PathOf("Nexus.Executor")).ShouldContain(c => c.DocumentType == "Nexus.Executor.Blocks.ExecutedBlock");
    }

    [Fact]
    public void A_read_of_another_services_document_is_caught()
    {
        var calls = DocumentAccess.In(typeof(DocumentAccessTests).Assembly.Location);
        calls.ShouldContain(c => c.Method == "LoadAsync" && c.DocumentType == "Nexus.Sequencer.Inputs.AppSequence" && c.DocumentAssembly == "Nexus.Sequencer");
        calls.ShouldContain(c => c.Method == "Query" && c.DocumentType == "Nexus.Executor.Blocks.AppExecution");
    }

    /// <summary>What a coupled service would do (never run): read the sequencer's head and query the executor's.</summary>
    private static async Task CoupledAsync(IQuerySession session)
    {
        await session.LoadAsync<Sequencer.Inputs.AppSequence>("app");
        _ = session.Query<Executor.Blocks.AppExecution>().Count();
    }

    [Fact]
    public void The_coupled_example_compiles_but_is_never_run() => ((Func<IQuerySession, Task>)CoupledAsync).ShouldNotBeNull();
}
