using JasperFx.Events.Daemon;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Nexus.AppStreams;
using Nexus.Hosting;
using Nexus.Sequencer.Blocks;
using Nexus.Sequencer.Inputs;

namespace Nexus.Sequencer;

/// <summary>The sequencer's registrations, shared by Program.cs and the tests that host it in-process.</summary>
public static class SequencerHost
{
    public const int DefaultPort = 5102;

    public static WebApplicationBuilder AddSequencer(this WebApplicationBuilder builder)
    {
        builder.AddNexusDefaults("sequencer", DefaultPort);
        builder.Services.AddNexusOptions<SequencerOptions>(SequencerOptions.Section);
        var options = builder.Configuration.GetSection(SequencerOptions.Section).Get<SequencerOptions>() ?? new SequencerOptions();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SequencerMetrics>();

        builder.AddNexusMarten(store =>
            {
                Documents(store.UseAppStreams());
                Persistence.PublishFromStreams(store, 0x5E90000);
            })
            .AddSubscriptionWithServices<SealedBlockPublisher>(ServiceLifetime.Singleton, o => o.Options.BatchSize = 500)
            .AddSubscriptionWithServices<RejectionPublisher>(ServiceLifetime.Singleton, o => o.Options.BatchSize = 500)
            // Hot/cold: with several sequencer instances exactly one publishes, the others stand by.
            .AddAsyncDaemon(DaemonMode.HotCold);

        builder.AddNexusBus(bus =>
        {
            // One batch at a time per instance: batches lock the apps they touch, so a second concurrent
            // batch would mostly wait; instead the prefetch fills the next batch while one commits.
            bus.AddConsumer<InputsObservedConsumer>(c =>
                {
                    c.Options<BatchOptions>(b => b
                        .SetMessageLimit(options.BatchSize)
                        .SetTimeLimit(TimeSpan.FromMilliseconds(options.BatchWaitMs))
                        .SetConcurrencyLimit(1));
                    // Never give up on a batch (PostgreSQL down, a bug): moving it to an error queue would leave
                    // every later input of its apps parked behind a gap. Retrying holds the messages unacked,
                    // so a restart redelivers them; MassTransit logs each failed attempt.
                    c.UseMessageRetry(r => r.Exponential(int.MaxValue, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200)));
                })
                .Endpoint(e => e.PrefetchCount = options.BatchSize * 3);
        });
        return builder;
    }

    /// <summary>The sequencer's own documents (named for it in the database): heads, parked inputs, rejected ids.</summary>
    public static StoreOptions Documents(StoreOptions store)
    {
        store.Schema.For<AppSequence>().DocumentAlias("sequencer_head");
        store.Schema.For<PendingInput>().DocumentAlias("sequencer_pending").Index(x => x.AppId);
        store.Schema.For<InputRejection>().DocumentAlias("sequencer_rejection");
        return store;
    }
}
