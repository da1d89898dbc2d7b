using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Nexus.AppStreams;
using Nexus.ChainListener.Health;
using Nexus.ChainListener.Scanning;
using Nexus.ChainListener.Watches;
using Nexus.Ethereum;
using Nexus.Ethereum.Chain;
using Nexus.Hosting;

namespace Nexus.ChainListener;

/// <summary>The chain-listener's registrations, shared by Program.cs and the tests that host it in-process.</summary>
public static class ListenerHost
{
    public const int DefaultPort = 5101;

    public static WebApplicationBuilder AddChainListener(this WebApplicationBuilder builder)
    {
        builder.AddNexusDefaults("chain-listener", DefaultPort);
        builder.Services.AddNexusOptions<EthereumOptions>(EthereumOptions.Section);
        builder.Services.AddHealthChecks().AddCheck<EthereumHealthCheck>("ethereum", tags: [NexusDefaults.ReadyTag]);
        builder.Services.AddNexusOptions<ListenerOptions>(ListenerOptions.Section);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ListenerMetrics>();
        builder.Services.AddSingleton<IChainReader>(sp => new JsonRpcChainReader(sp.GetRequiredService<IOptions<EthereumOptions>>().Value.RpcUrl));
        builder.AddNexusMarten(store => Documents(store.UseAppStreams()));
        builder.AddNexusBus(_ => { });
        builder.Services.AddSingleton<ListenerLeadership>();
        builder.Services.AddSingleton<NewHeads>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NewHeads>());
        builder.Services.AddHostedService<ListenerWorker>();
        return builder;
    }

    /// <summary>The listener's own documents (named for it in the database): a cursor per watch, a scan mark per confirmation depth.</summary>
    public static Marten.StoreOptions Documents(Marten.StoreOptions store)
    {
        store.Schema.For<WatchCursor>().DocumentAlias("listener_cursor");
        store.Schema.For<ScanMark>().DocumentAlias("listener_mark");
        return store;
    }
}
