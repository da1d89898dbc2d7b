using System.Reflection;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Nexus.AppStreams;
using Nexus.ChainListener;
using Nexus.Executor;
using Nexus.MpcSigner;
using Nexus.Sequencer;

namespace Nexus.Architecture.Tests;

/// <summary>
/// Each service's event store registers only the documents that service owns (plus the registry's,
/// which belong to the app streams themselves), and every service reads the same app-stream events.
/// The stores are built exactly as the services build them, without starting anything.
/// </summary>
public sealed class StoreOwnershipTests
{
    private static readonly Assembly AppStreams = typeof(AppStreamStore).Assembly;

    public static TheoryData<string> Services => ["chain-listener", "sequencer", "executor", "mpc-signer"];

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (Assembly, IReadOnlyList<Type>, IReadOnlyList<Type>)> Stores = new();

    /// <summary>
    /// The service's store as its host builds it. Hosts are built once and kept (never started): MassTransit
    /// keeps the first host's logging in a static, so a disposed host would break the next one.
    /// </summary>
    private static (Assembly Service, IReadOnlyList<Type> Documents, IReadOnlyList<Type> Events) StoreOf(string service) =>
        Stores.GetOrAdd(service, Build);

    private static (Assembly Service, IReadOnlyList<Type> Documents, IReadOnlyList<Type> Events) Build(string service)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Signer:Roles"] = "coordinator",
            ["Coordinator:CommitteeFile"] = "unused.json",
        });
        var assembly = service switch
        {
            "chain-listener" => Add(builder.AddChainListener),
            "sequencer" => Add(builder.AddSequencer),
            "executor" => Add(builder.AddExecutor),
            "mpc-signer" => Add(builder.AddMpcSigner),
            _ => throw new ArgumentOutOfRangeException(nameof(service)),
        };
        var app = builder.Build();
        var store = app.Services.GetRequiredService<IDocumentStore>();
        return (assembly,
            store.Options.AllKnownDocumentTypes().Select(d => d.DocumentType).ToList(),
            store.Options.Events.AllKnownEventTypes().Select(e => e.EventType).OrderBy(t => t.FullName).ToList());

        static Assembly Add(Func<WebApplicationBuilder> add)
        {
            add();
            return add.Method.DeclaringType!.Assembly;
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_registers_only_its_own_documents_and_the_registry(string service)
    {
        var (assembly, documents, _) = StoreOf(service);
        documents.ShouldNotBeEmpty();
        var foreign = documents.Where(d => d.Assembly != assembly && d.Assembly != AppStreams && d.Namespace?.StartsWith("Nexus", StringComparison.Ordinal) == true).ToList();
        foreign.ShouldBeEmpty($"{service} registers documents it does not own: {string.Join(", ", foreign.Select(t => t.FullName))}");
    }

    [Fact]
    public void The_app_streams_library_owns_only_the_registry_documents() =>
        AppStreamsDocuments().Select(t => t.Name).Order().ShouldBe(["AppCode", "RegisteredApp"]);

    private static IEnumerable<Type> AppStreamsDocuments()
    {
        var options = new StoreOptions();
        options.Connection("Host=127.0.0.1");
        options.UseAppStreams();
        using var store = new DocumentStore(options);
        return ((IDocumentStore)store).Options.AllKnownDocumentTypes().Select(d => d.DocumentType).Where(t => t.Assembly == AppStreams).ToList();
    }

    [Fact]
    public void Every_service_reads_the_same_app_stream_events()
    {
        var events = new[] { "chain-listener", "sequencer", "executor", "mpc-signer" }.Select(s => StoreOf(s).Events.Select(t => t.FullName).ToList()).ToList();
        events[0].ShouldContain("Nexus.Contracts.Sequencer.BlockSealed");
        foreach (var other in events.Skip(1))
            other.ShouldBe(events[0]);
    }
}
