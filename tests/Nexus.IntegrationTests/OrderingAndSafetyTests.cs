using System.Net;
using Marten;
using Microsoft.Extensions.Options;
using Nethereum.ABI;
using Nexus.ChainListener;
using Nexus.ChainListener.Watches;
using Nexus.Contracts;
using Nexus.Contracts.ChainListener;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum;
using Nexus.Ethereum.Abi;
using Nexus.LocalDev.Hosting;
using Nexus.IntegrationTests.Infrastructure;

namespace Nexus.IntegrationTests;

public sealed class OrderingAndSafetyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Inputs_delivered_backwards_and_twice_are_parked_then_sequenced_once_in_chain_order()
    {
        await using var p = await Pipeline.StartAsync("parking");
        var app = await p.RegisterAsync("parking", inbox: true, payloadAbi: "(uint256)");
        await p.StartSequencerAsync();

        // Ten inputs over four L1 blocks, published one per message in reverse order, then all again.
        var positions = new[] { (0, 0), (0, 3), (1, 1), (1, 2), (1, 7), (2, 0), (3, 1), (3, 2), (3, 4), (3, 9) }
            .Select(x => new LogPosition(app.FromBlock + x.Item1, x.Item2)).ToList();
        var inputs = new List<ObservedInput>();
        for (var i = 0; i < positions.Count; i++)
        {
            var last = i == positions.Count - 1 || positions[i + 1].BlockNumber != positions[i].BlockNumber;
            inputs.Add(Synthetic(p, app.AppId, positions[i], i == 0 ? null : positions[i - 1], last, i));
        }
        foreach (var input in Enumerable.Reverse(inputs).Concat(inputs))
            await p.PublishAsync(new InputsObserved { AppId = app.AppId, ChainId = 31337, Inputs = [input] });

        await p.WaitForAsync(new Dictionary<string, int> { [app.AppId] = positions.Count }, Patience);
        await p.AssertExactlyOnceInChainOrderAsync(app.AppId, positions);
        var blocks = (await p.StreamAsync(app.AppId)).Select(e => e.Data).OfType<BlockSealed>().ToList();
        blocks.Select(b => b.Count).ShouldBe([2, 3, 1, 4], "one app block per L1 block");

        await using var session = p.Store.QuerySession();
        (await session.Query<Nexus.Sequencer.Inputs.PendingInput>().CountAsync()).ShouldBe(0, "nothing may stay parked");
    }

    [Fact]
    public async Task A_reorg_deeper_than_the_confirmations_halts_the_app_with_an_alarm_and_sequences_nothing_from_the_new_chain()
    {
        await using var p = await Pipeline.StartAsync("deepreorg");
        var app = await p.RegisterAsync("deep", inbox: true, confirmations: 1);
        await p.StartSequencerAsync();
        var listener = await p.StartListenerAsync();

        var snapshot = await p.Dapp.Web3.Client.SendRequestAsync<string>("evm_snapshot");
        var original = new List<LogPosition>();
        for (var i = 0; i < 3; i++)
            original.AddRange(await p.LogsOfAsync(await p.Dapp.SubmitAsync(p.Inbox, app.AppId, [(byte)i]), p.Inbox));
        await p.Dapp.MineAsync(2);
        await p.WaitForAsync(new Dictionary<string, int> { [app.AppId] = 3 }, Patience);

        (await p.Dapp.Web3.Client.SendRequestAsync<bool>("evm_revert", null, snapshot)).ShouldBeTrue();
        await p.Dapp.ResetNonceAsync();
        for (var i = 0; i < 4; i++) await p.Dapp.SubmitAsync(p.Inbox, app.AppId, [(byte)(100 + i)]);
        await p.Dapp.MineAsync(3);

        WatchCursor? cursor = null;
        await Poll.Until(async () =>
        {
            await using var session = p.Store.QuerySession();
            cursor = await session.LoadAsync<WatchCursor>($"app:{app.AppId}");
            return cursor?.Halted == true;
        });
        cursor!.HaltReason.ShouldNotBeNull();
        cursor.HaltReason.ShouldContain("1 confirmations");

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(listener.BaseUrl + "/metrics");
        var lines = metrics.Split('\n');
        lines.ShouldContain(l => l.StartsWith("nexus_listener_deep_reorgs") && l.Contains($"watch=\"app:{app.AppId}\"") && l.TrimEnd().EndsWith(" 1"));
        lines.ShouldContain(l => l.StartsWith("nexus_listener_halted_watches") && !l.TrimEnd().EndsWith(" 0"));

        // Further rounds (a new head seen after the halt) publish nothing for the halted app.
        await p.Dapp.MineAsync(1);
        var head = await p.HeadAsync();
        await Poll.Until(() => Pipeline.ListenerProgress(listener).Head >= head);
        await p.Dapp.MineAsync(1);
        await Poll.Until(() => Pipeline.ListenerProgress(listener).Head >= head + 1);
        await p.AssertExactlyOnceInChainOrderAsync(app.AppId, original);
    }

    [Fact]
    public async Task A_service_with_bad_configuration_refuses_to_start_naming_the_setting()
    {
        var e = await Should.ThrowAsync<OptionsValidationException>(() => InProcessService.StartAsync(b => b.AddChainListener(), new Dictionary<string, string?>
        {
            ["Ethereum:RpcUrl"] = "not a url",
            ["Listener:MaxBlockRange"] = "0",
        }));
        string.Join(" ", e.Failures).ShouldContain("RpcUrl");
    }

    private static ObservedInput Synthetic(Pipeline p, string appId, LogPosition at, LogPosition? preceding, bool lastOfBlock, int n)
    {
        var payload = new ABIEncode().GetABIEncoded(new ABIValue("uint256", n));
        var tx = $"0x{at.BlockNumber:x32}{at.LogIndex:x32}";
        var (topics, data) = InboxEvents.Encode(appId, Nexus.LocalDev.Chain.DevAccounts.HardhatAccount0, (ulong)n, payload);
        return new ObservedInput
        {
            InputId = $"31337:{tx}:{at.LogIndex}",
            AppId = appId,
            ChainId = 31337,
            Position = at,
            BlockHash = $"0x{at.BlockNumber:x64}",
            BlockTimestamp = 1_700_000_000,
            TxHash = tx,
            TxIndex = 0,
            Emitter = p.Inbox,
            Topics = topics,
            Data = data,
            Preceding = preceding,
            LastOfL1Block = lastOfBlock,
        };
    }

}
