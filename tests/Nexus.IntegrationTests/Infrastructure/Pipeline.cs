using System.Collections.Concurrent;
using System.Numerics;
using JasperFx.Events;
using Microsoft.Extensions.DependencyInjection;
using Marten;
using MassTransit;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nexus.AppStreams;
using Nexus.AppStreams.Reading;
using Nexus.AppStreams.Registry;
using Nexus.ChainListener;
using Nexus.Contracts;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum.Artifacts;
using Nexus.LocalDev.Chain;
using Nexus.Sequencer;
using Nexus.Executor;
using Nexus.LocalDev.Hosting;

namespace Nexus.IntegrationTests.Infrastructure;

/// <summary>
/// One test's world on the real infrastructure: its own Marten schema and RabbitMQ virtual host,
/// freshly deployed contracts, the two services hosted in-process, and a probe on the bus that
/// records what the sequencer publishes.
/// </summary>
public sealed class Pipeline : IAsyncDisposable
{
    private readonly List<InProcessService> _services = [];
    private readonly List<ServiceProcess> _processes = [];
    private readonly RabbitVirtualHost _vhost;
    private readonly IBusControl _probe;

    private Pipeline(string id, RabbitVirtualHost vhost, DocumentStore store, DappClient dapp, IBusControl probe)
    {
        Id = id;
        _vhost = vhost;
        Store = store;
        Dapp = dapp;
        _probe = probe;
    }

    public string Id { get; }
    public string Schema => "it_" + Id;
    public DocumentStore Store { get; }
    public DappClient Dapp { get; }
    public string Inbox { get; private set; } = "";
    public string Auction { get; private set; } = "";
    public ConcurrentBag<BlockSealedNotification> BlocksPublished { get; } = [];
    public ConcurrentBag<InputRejected> RejectionsPublished { get; } = [];
    public ConcurrentBag<Nexus.Contracts.Executor.BlockExecutedNotification> ExecutedPublished { get; } = [];
    public ConcurrentBag<Nexus.Contracts.Signer.BlockSignedNotification> SignedPublished { get; } = [];
    public ConcurrentBag<Nexus.Contracts.Prover.ProofReady> ProofsPublished { get; } = [];

    public static async Task<Pipeline> StartAsync(string name)
    {
        var id = $"{name}_{Guid.NewGuid():N}"[..Math.Min(name.Length + 9, 40)].ToLowerInvariant();
        var vhost = await RabbitVirtualHost.CreateAsync(LocalInfra.RabbitManagement, "it-" + id);
        // The test reads the streams, and (as white-box checks) every service's own documents.
        var store = DocumentStore.For(o =>
        {
            AppStreamStore.Configure(o, LocalInfra.Postgres, "it_" + id);
            ListenerHost.Documents(o);
            SequencerHost.Documents(o);
            ExecutorHost.Documents(o);
            Nexus.MpcSigner.Coordinator.CoordinatorStore.Documents(o);
        });
        var dapp = new DappClient(LocalInfra.RpcUrl, DevAccounts.HardhatAccount0Key, DevAccounts.DevChainId);

        Pipeline? pipeline = null;
        var probe = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(LocalInfra.RabbitHost, (ushort)LocalInfra.RabbitPort, vhost.Name, h => { h.Username("guest"); h.Password("guest"); });
            cfg.ReceiveEndpoint("test-probe", e =>
            {
                e.Handler<BlockSealedNotification>(c => { pipeline!.BlocksPublished.Add(c.Message); return Task.CompletedTask; });
                e.Handler<InputRejected>(c => { pipeline!.RejectionsPublished.Add(c.Message); return Task.CompletedTask; });
                e.Handler<Nexus.Contracts.Executor.BlockExecutedNotification>(c => { pipeline!.ExecutedPublished.Add(c.Message); return Task.CompletedTask; });
                e.Handler<Nexus.Contracts.Signer.BlockSignedNotification>(c => { pipeline!.SignedPublished.Add(c.Message); return Task.CompletedTask; });
                e.Handler<Nexus.Contracts.Prover.ProofReady>(c => { pipeline!.ProofsPublished.Add(c.Message); return Task.CompletedTask; });
            });
        });
        pipeline = new Pipeline(id, vhost, store, dapp, probe);
        await probe.StartAsync();
        pipeline.Inbox = await dapp.DeployAsync(SolidityArtifact.NexusInbox);
        pipeline.Auction = await dapp.DeployAsync(SolidityArtifact.SampleAuction);
        return pipeline;
    }

    /// <summary>Settings applied on top of the defaults for every service started afterwards (e.g. through a proxy).</summary>
    public Dictionary<string, string?> Overrides { get; } = [];

    public Dictionary<string, string?> Settings(string? rpcUrl = null) => new Dictionary<string, string?>
    {
        ["Postgres:ConnectionString"] = LocalInfra.Postgres,
        ["Postgres:Schema"] = Schema,
        ["RabbitMq:Host"] = LocalInfra.RabbitHost,
        ["RabbitMq:Port"] = LocalInfra.RabbitPort.ToString(),
        ["RabbitMq:VirtualHost"] = _vhost.Name,
        ["Ethereum:RpcUrl"] = rpcUrl ?? LocalInfra.RpcUrl,
        ["Listener:PollIntervalMs"] = "100",
        ["Listener:MaxBackoffMs"] = "1000",
        ["Sequencer:MaxInputsPerBlock"] = "50",
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Nexus.ChainListener.Scanning.ListenerLeadership"] = "Information",
    }.Concat(Overrides).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value);

    public async Task<InProcessService> StartListenerAsync(string? rpcUrl = null)
    {
        var service = await InProcessService.StartAsync(b => b.AddChainListener(), Settings(rpcUrl));
        _services.Add(service);
        await ReadyAsync(service);
        return service;
    }

    /// <summary>An in-process listener's own progress: the head it last saw, how far each watch scanned, its RPC failures.</summary>
    public static ListenerMetrics ListenerProgress(InProcessService listener) => listener.Services.GetRequiredService<ListenerMetrics>();

    /// <summary>The chain's head now.</summary>
    public async Task<long> HeadAsync() => (long)(await Dapp.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;

    /// <summary>Waits until a listener round saw the current head and the app's watch has scanned every block confirmed at it.</summary>
    public async Task ScannedToHeadAsync(InProcessService listener, AppRegistered app)
    {
        var head = await HeadAsync();
        var confirmed = head - app.Confirmations;
        var progress = ListenerProgress(listener);
        await Poll.Until(() => progress.Head >= head && (confirmed < app.FromBlock || progress.ScannedTo($"app:{app.AppId}") >= confirmed));
    }

    /// <summary>Runs a service as a separate process (for crash tests); its output goes to a log file beside the test results.</summary>
    public ServiceProcess StartProcess(string project, string? rpcUrl = null, IDictionary<string, string?>? settings = null)
    {
        var service = ServiceProcess.Start(project, settings ?? Settings(rpcUrl), ProcessLog(project));
        _processes.Add(service);
        return service;
    }

    /// <summary>Where the processes of a project write their output (all instances append to one file).</summary>
    public string ProcessLog(string project) => Path.Combine(AppContext.BaseDirectory, $"{Id}-{project}.log");

    /// <summary>The executor, with its gRPC query port on a free port (see <see cref="ExecutorGrpcPort"/>).</summary>
    public async Task<InProcessService> StartExecutorAsync()
    {
        ExecutorGrpcPort = InProcessService.FreePort();
        Overrides["Executor:GrpcPort"] = ExecutorGrpcPort.ToString();
        Overrides["Executor:SweepIntervalMs"] = "300";
        var service = await InProcessService.StartAsync(b => b.AddExecutor(), Settings(), app => app.MapExecutorQueries());
        _services.Add(service);
        await ReadyAsync(service);
        return service;
    }

    public int ExecutorGrpcPort { get; private set; }

    /// <summary>Stores a module and binds it to the app from the next block (what <c>nexus app deploy</c> does).</summary>
    public Task<AppCodeDeployed> DeployCodeAsync(string appId, byte[] wasm, long fuel = 20_000_000) =>
        AppCodeRegistry.DeployAsync(Store, appId, Nexus.Runtime.Wasm.WasmRuntime.CodeHash(wasm), wasm, null, fuel, 16L << 20);

    /// <summary>The app's executed blocks so far, in height order.</summary>
    public async Task<IReadOnlyList<Nexus.Contracts.Executor.BlockExecuted>> ExecutedAsync(string appId)
    {
        await using var session = Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(appId);
        return events.Select(e => e.Data).OfType<Nexus.Contracts.Executor.BlockExecuted>().OrderBy(b => b.Height).ToList();
    }

    public async Task<InProcessService> StartSequencerAsync()
    {
        var service = await InProcessService.StartAsync(b => b.AddSequencer(), Settings());
        _services.Add(service);
        await ReadyAsync(service);
        return service;
    }

    private static Task ReadyAsync(InProcessService service) => service.WaitReadyAsync(TimeSpan.FromSeconds(60));

    public async Task<AppRegistered> RegisterAsync(string name, bool inbox, string? payloadAbi = null, string[]? auctions = null, int confirmations = 2,
        IReadOnlyList<EventSource>? sources = null)
    {
        var head = (long)(await Dapp.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
        var app = new AppRegistered
        {
            AppId = $"{name}-{Id[^8..]}".Replace('_', '-'),
            ChainId = DevAccounts.DevChainId,
            Inbox = inbox ? Inbox : null,
            PayloadAbi = payloadAbi,
            Sources = (auctions ?? []).Select(a => new EventSource(a, "BidPlaced(address indexed bidder, uint256 indexed lotId, uint256 amount)")).Concat(sources ?? []).ToList(),
            Confirmations = confirmations,
            FromBlock = head + 1,
            RegisteredAt = DateTimeOffset.UtcNow,
        };
        await AppRegistry.RegisterAsync(Store, app);
        return app;
    }

    /// <summary>The (block, log index) of the logs a transaction emitted from a contract, read back from the node.</summary>
    public async Task<IReadOnlyList<LogPosition>> LogsOfAsync(TransactionReceipt receipt, string contract)
    {
        var logs = await Dapp.Web3.Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput
        {
            Address = [contract],
            FromBlock = new BlockParameter(receipt.BlockNumber),
            ToBlock = new BlockParameter(receipt.BlockNumber),
        });
        return logs.Where(l => l.TransactionHash == receipt.TransactionHash)
            .Select(l => new LogPosition((long)l.BlockNumber.Value, (int)l.LogIndex.Value)).ToList();
    }

    public static List<BigInteger> Amounts(int count, int from = 1) => Enumerable.Range(from, count).Select(i => new BigInteger(i)).ToList();

    public static List<byte[]> Payloads(int count, int from = 1) =>
        Enumerable.Range(from, count).Select(i => new Nethereum.ABI.ABIEncode().GetABIEncoded(new BigInteger(i))).ToList();

    /// <summary>Publishes on the test's bus, as a producer other than the listener would.</summary>
    public Task PublishAsync<T>(T message) where T : class => _probe.Publish(message);

    public async Task<IReadOnlyList<IEvent>> StreamAsync(string appId)
    {
        await using var session = Store.QuerySession();
        return await session.Events.FetchStreamAsync(appId);
    }

    /// <summary>Where the app stands in each stage, read from its stream.</summary>
    public async Task<AppProgress> ProgressAsync(string appId)
    {
        await using var session = Store.QuerySession();
        return await AppStreamReader.ProgressAsync(session, appId, default);
    }

    /// <summary>Waits until every app has sequenced its expected count and sealed every input (nothing left open).</summary>
    public async Task WaitForAsync(IReadOnlyDictionary<string, int> expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var states = new List<string>();
            var done = true;
            foreach (var (appId, count) in expected)
            {
                var s = await ProgressAsync(appId);
                states.Add($"{appId}: {s.Inputs}/{count} sequenced, {s.Inputs - s.SealedInputs} open");
                done &= s.Inputs >= count && s.SealedInputs == s.Inputs;
            }
            if (done) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("streams did not fill in time: " + string.Join("; ", states));
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// The core promise: the app's stream holds exactly these logs, each once, in chain order, with
    /// gapless sequence numbers, cut into gapless blocks that contain every input exactly once.
    /// </summary>
    public async Task AssertExactlyOnceInChainOrderAsync(string appId, IEnumerable<LogPosition> expectedLogs)
    {
        var expected = expectedLogs.Order().ToList();
        var events = await StreamAsync(appId);
        var inputs = events.Select(e => e.Data).OfType<InputSequenced>().Select(e => e.Input).ToList();

        inputs.Select(i => i.Position).ShouldBe(expected, $"{appId}: sequenced logs differ from the logs on chain");
        inputs.Select(i => i.Seq).ShouldBe(Enumerable.Range(0, expected.Count).Select(i => (long)i), $"{appId}: sequence numbers not gapless");
        inputs.Select(i => i.InputId).Distinct().Count().ShouldBe(expected.Count, $"{appId}: an input appears twice");

        var blocks = events.Select(e => e.Data).OfType<BlockSealed>().ToList();
        blocks.Select(b => b.Height).ShouldBe(Enumerable.Range(0, blocks.Count).Select(i => (long)i), $"{appId}: block heights not gapless");
        blocks.SelectMany(b => Enumerable.Range(0, b.Count).Select(i => b.FirstSeq + i)).ShouldBe(inputs.Select(i => i.Seq), $"{appId}: blocks do not hold every input exactly once");
        foreach (var b in blocks)
            b.InputsRoot.ShouldBe(Nexus.Ethereum.Merkle.InputsRoot.Compute(b.ChainId, appId, inputs.Skip((int)b.FirstSeq).Take(b.Count).ToList()));
    }

    /// <summary>Stops one in-process service before the pipeline ends (a clean shutdown, not a kill).</summary>
    public async Task StopAsync(InProcessService service)
    {
        _services.Remove(service);
        await service.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _services) await s.DisposeAsync();
        foreach (var s in _processes) await s.DisposeAsync();
        await _probe.StopAsync();
        Store.Dispose();
        await _vhost.DisposeAsync();
        await ThrowAwaySchema.DropAsync(LocalInfra.Postgres, Schema);
    }
}
