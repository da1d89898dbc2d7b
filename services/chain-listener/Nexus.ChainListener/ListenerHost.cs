using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
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
        builder.AddEthereumReadiness();
        builder.Services.AddNexusOptions<ListenerOptions>(ListenerOptions.Section);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ListenerMetrics>();
        builder.Services.AddSingleton<IChainReader>(sp => new NethereumChainReader(sp.GetRequiredService<IOptions<EthereumOptions>>().Value.RpcUrl));
        builder.AddNexusMarten(store => store.Schema.For<WatchCursor>());
        builder.AddNexusBus(_ => { });
        builder.Services.AddSingleton<ListenerLeadership>();
        builder.Services.AddSingleton<NewHeads>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NewHeads>());
        builder.Services.AddHostedService<ListenerWorker>();
        return builder;
    }
}
