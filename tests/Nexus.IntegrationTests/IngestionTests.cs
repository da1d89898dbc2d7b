using System.Net;
using System.Numerics;
using Nexus.AppStreams.Reading;
using Nexus.Contracts;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum;
using Nexus.IntegrationTests.Infrastructure;
using Nexus.LocalDev.Hosting;

namespace Nexus.IntegrationTests;

/// <summary>
/// Ethereum events land exactly once, in chain order, in per-app Marten streams — on the real
/// dev node, RabbitMQ and PostgreSQL, with the services hosted as their Program.cs hosts them.
/// </summary>
public sealed class IngestionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    /// <summary>Sends 25 rounds of dApp transactions to three apps (inbox, custom event, both); returns each app's logs.</summary>
    private static async Task<Dictionary<string, List<LogPosition>>> SendTrafficAsync(
        Pipeline p, string inboxApp, string eventApp, string mixedApp, string mixedAuction, int rounds, Func<int, Task>? between = null)
    {
        var logs = new Dictionary<string, List<LogPosition>> { [inboxApp] = [], [eventApp] = [], [mixedApp] = [] };
        for (var r = 0; r < rounds; r++)
        {
            logs[inboxApp].AddRange(await p.LogsOfAsync(await p.Dapp.SubmitBatchAsync(p.Inbox, inboxApp, Pipeline.Payloads(14, r * 14)), p.Inbox));
            logs[eventApp].AddRange(await p.LogsOfAsync(await p.Dapp.BidManyAsync(p.Auction, r % 4, Pipeline.Amounts(14, r * 14)), p.Auction));
            logs[mixedApp].AddRange(await p.LogsOfAsync(await p.Dapp.SubmitBatchAsync(p.Inbox, mixedApp, Pipeline.Payloads(7)), p.Inbox));
            logs[mixedApp].AddRange(await p.LogsOfAsync(await p.Dapp.BidManyAsync(mixedAuction, 1, Pipeline.Amounts(7)), mixedAuction));
            if (between is not null) await between(r);
        }
        await p.Dapp.MineAsync(3); // bury the last logs under the confirmation depth
        return logs;
    }

    [Fact]
    public async Task Events_from_three_apps_and_both_source_kinds_reach_each_stream_exactly_once_in_chain_order()
    {
        await using var p = await Pipeline.StartAsync("thousand");
        var (inbox, events, mixed, mixedAuction) = await ThreeAppsAsync(p, payloadAbi: "(uint256 amount)");
        await p.StartSequencerAsync();
        await p.StartListenerAsync();

        var logs = await SendTrafficAsync(p, inbox.AppId, events.AppId, mixed.AppId, mixedAuction, rounds: 25);
        logs.Values.Sum(l => l.Count).ShouldBeGreaterThanOrEqualTo(1_000);

        await AllExactlyOnceAsync(p, logs);

        // Every sealed block was also published on the bus, once per height.
        var sealedCount = 0;
        foreach (var appId in logs.Keys) sealedCount += (int)(await p.ProgressAsync(appId)).SealedHeight + 1;
        await Poll.Until(() => p.BlocksPublished.Select(b => (b.AppId, b.Height)).Distinct().Count() == sealedCount);
    }

    [Fact]
    public async Task Killing_and_restarting_the_listener_and_then_the_sequencer_mid_stream_loses_and_doubles_nothing()
    {
        await using var p = await Pipeline.StartAsync("restarts");
        var (inbox, events, mixed, mixedAuction) = await ThreeAppsAsync(p);
        var sequencer = p.StartProcess("Nexus.Sequencer");
        var listener = p.StartProcess("Nexus.ChainListener");

        // SIGKILL, mid-stream: the listener while it publishes, then the sequencer while it appends.
        // Each kill lands only once the process has done work on this run's traffic (it would prove
        // nothing against a process that had not started yet).
        async Task<long> SequencedAsync() => (await p.ProgressAsync(inbox.AppId)).Inputs + (await p.ProgressAsync(mixed.AppId)).Inputs;
        var logs = await SendTrafficAsync(p, inbox.AppId, events.AppId, mixed.AppId, mixedAuction, rounds: 16, between: async round =>
        {
            switch (round)
            {
                case 3:
                    await Poll.Until(async () => await SequencedAsync() > 0);
                    await listener.KillAsync();
                    break;
                case 6: listener = p.StartProcess("Nexus.ChainListener"); break;
                case 9:
                    var before = await SequencedAsync();
                    await p.Dapp.MineAsync(2);
                    await Poll.Until(async () => await SequencedAsync() > before); // the restarted listener publishes, the sequencer appends
                    await sequencer.KillAsync();
                    break;
                case 12: sequencer = p.StartProcess("Nexus.Sequencer"); break;
            }
        });

        await AllExactlyOnceAsync(p, logs);
    }

    [Fact]
    public async Task A_reorg_inside_the_confirmation_depth_never_sequences_the_orphaned_inputs_but_does_the_replacements()
    {
        await using var p = await Pipeline.StartAsync("reorg");
        var app = await p.RegisterAsync("reorg", inbox: true, payloadAbi: "(uint256 amount)", confirmations: 4);
        await p.StartSequencerAsync();
        var listener = await p.StartListenerAsync();

        var snapshot = await p.Dapp.Web3.Client.SendRequestAsync<string>("evm_snapshot");
        var orphaned = new List<string>();
        for (var i = 0; i < 3; i++)
            orphaned.Add((await p.Dapp.SubmitAsync(p.Inbox, app.AppId, Pipeline.Payloads(1, 666 + i)[0])).TransactionHash);
        // The listener has seen these blocks (still unconfirmed) before they are orphaned.
        var orphanTip = await p.HeadAsync();
        await Poll.Until(() => Pipeline.ListenerProgress(listener).Head >= orphanTip);
        (await p.Dapp.Web3.Client.SendRequestAsync<bool>("evm_revert", null, snapshot)).ShouldBeTrue();
        await p.Dapp.ResetNonceAsync();

        var replacements = new List<LogPosition>();
        for (var i = 0; i < 4; i++)
            replacements.AddRange(await p.LogsOfAsync(await p.Dapp.SubmitAsync(p.Inbox, app.AppId, Pipeline.Payloads(1, i)[0]), p.Inbox));
        await p.Dapp.MineAsync(5);

        await p.WaitForAsync(new Dictionary<string, int> { [app.AppId] = replacements.Count }, Patience);
        await p.ScannedToHeadAsync(listener, app); // every confirmed block read: nothing more can come
        await p.AssertExactlyOnceInChainOrderAsync(app.AppId, replacements);
        var inputs = (await p.StreamAsync(app.AppId)).Select(e => e.Data).OfType<InputSequenced>().ToList();
        inputs.ShouldAllBe(i => !orphaned.Contains(i.Input.TxHash));
        inputs.Select(i => i.Input.Arguments[0].Value).ShouldBe(["0", "1", "2", "3"]);
    }

    [Fact]
    public async Task Two_sequencer_instances_on_one_queue_produce_no_duplicate_and_no_gap()
    {
        await using var p = await Pipeline.StartAsync("twoseq");
        var (inbox, events, mixed, mixedAuction) = await ThreeAppsAsync(p);
        await p.StartSequencerAsync();
        await p.StartSequencerAsync();
        await p.StartListenerAsync();

        var logs = await SendTrafficAsync(p, inbox.AppId, events.AppId, mixed.AppId, mixedAuction, rounds: 12);

        await AllExactlyOnceAsync(p, logs);
    }

    [Fact]
    public async Task Malformed_payloads_and_unknown_apps_are_recorded_as_rejected_with_a_reason_and_the_service_stays_healthy()
    {
        await using var p = await Pipeline.StartAsync("reject");
        var app = await p.RegisterAsync("strict", inbox: true, payloadAbi: "(uint256 amount, address to)");
        var sequencer = await p.StartSequencerAsync();
        await p.StartListenerAsync();

        var good = new Nethereum.ABI.ABIEncode().GetABIEncoded(new Nethereum.ABI.ABIValue("uint256", 5), new Nethereum.ABI.ABIValue("address", DevAddress));
        var expected = new List<LogPosition>();
        expected.AddRange(await p.LogsOfAsync(await p.Dapp.SubmitAsync(p.Inbox, app.AppId, good), p.Inbox));
        var malformed = await p.Dapp.SubmitAsync(p.Inbox, app.AppId, [0x01, 0x02, 0x03]);
        var unknown = await p.Dapp.SubmitAsync(p.Inbox, "nobody-" + p.Id[^8..].Replace('_', '-'), good);
        var garbageId = new byte[32];
        garbageId[0] = 0xff; // not even a valid app id
        var garbage = await p.Dapp.SubmitRawAsync(p.Inbox, garbageId, good);
        expected.AddRange(await p.LogsOfAsync(await p.Dapp.SubmitAsync(p.Inbox, app.AppId, good), p.Inbox));
        await p.Dapp.MineAsync(3);

        await p.WaitForAsync(new Dictionary<string, int> { [app.AppId] = 2 }, Patience);
        await p.AssertExactlyOnceInChainOrderAsync(app.AppId, expected);

        var inStream = (await p.StreamAsync(app.AppId)).Select(e => e.Data).OfType<InputRejected>().Single();
        inStream.TxHash.ShouldBe(malformed.TransactionHash);
        inStream.Code.ShouldBe(RejectionCode.Undecodable);
        inStream.Reason.ShouldContain("uint256,address");

        await Poll.Until(async () =>
        {
            await using var session = p.Store.QuerySession();
            var rejections = await AppStreamReader.RejectionsAsync(session, null, 100, default);
            return rejections.Any(r => r.TxHash == unknown.TransactionHash && r.Code == RejectionCode.UnknownApp)
                && rejections.Any(r => r.TxHash == garbage.TransactionHash && r.Code == RejectionCode.UnknownApp);
        });
        await Poll.Until(() => p.RejectionsPublished.Select(r => r.TxHash).Distinct().Count() == 3);

        using var http = new HttpClient();
        (await http.GetAsync(sequencer.BaseUrl + "/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task While_the_RPC_is_unreachable_the_listener_backs_off_reports_unready_and_afterwards_loses_nothing()
    {
        await using var p = await Pipeline.StartAsync("rpcdown");
        await using var proxy = new TcpProxy(new Uri(LocalInfra.RpcUrl));
        proxy.Start();
        var app = await p.RegisterAsync("rpc", inbox: true);
        await p.StartSequencerAsync();
        var listener = await p.StartListenerAsync(proxy.Url);

        var expected = new List<LogPosition>();
        for (var i = 0; i < 5; i++)
            expected.AddRange(await p.LogsOfAsync(await p.Dapp.SubmitBatchAsync(p.Inbox, app.AppId, Pipeline.Payloads(10, i * 10)), p.Inbox));
        await p.Dapp.MineAsync(3);
        await p.WaitForAsync(new Dictionary<string, int> { [app.AppId] = expected.Count }, Patience);

        proxy.Stop();
        for (var i = 5; i < 10; i++)
            expected.AddRange(await p.LogsOfAsync(await p.Dapp.SubmitBatchAsync(p.Inbox, app.AppId, Pipeline.Payloads(10, i * 10)), p.Inbox));
        await p.Dapp.MineAsync(3);
        using var http = new HttpClient();
        await Poll.Until(async () => (await http.GetAsync(listener.BaseUrl + "/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable);
        var failures = Pipeline.ListenerProgress(listener).RpcFailures;
        await Poll.Until(() => Pipeline.ListenerProgress(listener).RpcFailures >= failures + 3); // several failed rounds with backoff
        (await p.ProgressAsync(app.AppId)).Inputs.ShouldBe(50);

        proxy.Start();
        await p.WaitForAsync(new Dictionary<string, int> { [app.AppId] = expected.Count }, Patience);
        await p.AssertExactlyOnceInChainOrderAsync(app.AppId, expected);
        (await http.GetAsync(listener.BaseUrl + "/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Cutting_the_database_and_then_the_broker_mid_stream_delays_but_loses_and_doubles_nothing()
    {
        await using var p = await Pipeline.StartAsync("cuts");
        await using var pg = new TcpProxy(new Uri("tcp://127.0.0.1:" + new Npgsql.NpgsqlConnectionStringBuilder(LocalInfra.Postgres).Port));
        await using var amqp = new TcpProxy(new Uri($"tcp://{LocalInfra.RabbitHost}:{LocalInfra.RabbitPort}"));
        pg.Start();
        amqp.Start();
        p.Overrides["Postgres:ConnectionString"] = new Npgsql.NpgsqlConnectionStringBuilder(LocalInfra.Postgres) { Port = pg.Port }.ConnectionString;
        p.Overrides["RabbitMq:Port"] = amqp.Port.ToString();
        var (inbox, events, mixed, mixedAuction) = await ThreeAppsAsync(p);
        var sequencer = await p.StartSequencerAsync();
        await p.StartListenerAsync();
        using var http = new HttpClient();
        // The cut is real only if the service notices it.
        Task Unready() => Poll.Until(async () => (await http.GetAsync(sequencer.BaseUrl + "/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable);

        var logs = await SendTrafficAsync(p, inbox.AppId, events.AppId, mixed.AppId, mixedAuction, rounds: 12, between: async round =>
        {
            switch (round)
            {
                case 2: pg.Stop(); await Unready(); break;     // both services lose PostgreSQL
                case 5: pg.Start(); break;
                case 7: amqp.Stop(); await Unready(); break;   // both services lose RabbitMQ
                case 10: amqp.Start(); break;
            }
            await Task.Delay(300);
        });

        await AllExactlyOnceAsync(p, logs);
        var sealedCount = 0;
        foreach (var appId in logs.Keys) sealedCount += (int)(await p.ProgressAsync(appId)).SealedHeight + 1;
        await Poll.Until(() => p.BlocksPublished.Select(b => (b.AppId, b.Height)).Distinct().Count() == sealedCount);
    }

    [Fact]
    public async Task A_new_block_wakes_the_listener_through_the_newHeads_subscription_without_waiting_for_the_next_poll()
    {
        await using var p = await Pipeline.StartAsync("newheads");
        p.Overrides["Listener:PollIntervalMs"] = "60000"; // the next poll is a minute away
        var app = await p.RegisterAsync("heads", inbox: true);
        await p.StartSequencerAsync();
        var listener = await p.StartListenerAsync();
        await p.ScannedToHeadAsync(listener, app); // first round done, now waiting a minute for the next poll

        var expected = await p.LogsOfAsync(await p.Dapp.SubmitAsync(p.Inbox, app.AppId, [1]), p.Inbox);
        await p.Dapp.MineAsync(2);

        await p.WaitForAsync(new Dictionary<string, int> { [app.AppId] = 1 }, TimeSpan.FromSeconds(30));
        await p.AssertExactlyOnceInChainOrderAsync(app.AppId, expected);
    }

    [Fact]
    public async Task Idle_registered_apps_are_read_with_the_active_ones_and_moved_by_one_mark_not_one_cursor_write_each()
    {
        await using var p = await Pipeline.StartAsync("idle");
        var active = await p.RegisterAsync("active", inbox: true, confirmations: 1);
        var idle = new List<AppRegistered>();
        for (var i = 0; i < 300; i++)
            idle.Add(await p.RegisterAsync($"idle{i}", inbox: true, confirmations: 1));
        await p.StartSequencerAsync();
        var listener = await p.StartListenerAsync();
        var expected = (await p.LogsOfAsync(await p.Dapp.SubmitAsync(p.Inbox, active.AppId, [1]), p.Inbox)).ToList();
        await p.Dapp.MineAsync(2);
        await p.WaitForAsync(new Dictionary<string, int> { [active.AppId] = 1 }, Patience);

        // Every watch at one depth stands at one block: the 301 apps are one group (the inbox-wide watch of
        // unclaimed submissions, at its own depth, may be a second).
        var progress = Pipeline.ListenerProgress(listener);
        await Poll.Until(() => progress.ScanGroups is 1 or 2);
        await using var db = Npgsql.NpgsqlDataSource.Create(LocalInfra.Postgres);
        var since = (DateTime)(await db.CreateCommand("select now()").ExecuteScalarAsync())!;

        for (var i = 0; i < 3; i++)
            expected.AddRange(await p.LogsOfAsync(await p.Dapp.SubmitAsync(p.Inbox, active.AppId, [(byte)(2 + i)]), p.Inbox));
        await p.Dapp.MineAsync(2);
        await p.WaitForAsync(new Dictionary<string, int> { [active.AppId] = 4 }, Patience);
        await p.ScannedToHeadAsync(listener, active);
        await p.AssertExactlyOnceInChainOrderAsync(active.AppId, expected);

        // The blocks since were read for all of them, but written as the mark and the active app's cursor only.
        async Task<long> WrittenSinceAsync(string like)
        {
            await using var command = db.CreateCommand($"select count(*) from {p.Schema}.mt_doc_listener_{like} and mt_last_modified > @since");
            command.Parameters.AddWithValue("since", since);
            return (long)(await command.ExecuteScalarAsync())!;
        }
        (await WrittenSinceAsync($"cursor where id like 'app:idle%'")).ShouldBe(0);
        (await WrittenSinceAsync($"cursor where id = 'app:{active.AppId}'")).ShouldBe(1);
        (await WrittenSinceAsync("mark where id = 'chain:31337:depth:1'")).ShouldBe(1);
        idle.ShouldAllBe(app => progress.ScannedTo($"app:{app.AppId}") == progress.ScannedTo($"app:{active.AppId}"));

        // Apps registered later, from blocks already scanned for the others, read on their own until
        // they stand where the group does, then follow its mark.
        async Task<long> FollowersAsync(string like)
        {
            await using var command = db.CreateCommand($$"""
                select count(*) from {{p.Schema}}.mt_doc_listener_cursor c join {{p.Schema}}.mt_doc_listener_mark m on c.data->>'Mark' = m.data->>'Epoch'
                where m.id = 'chain:31337:depth:1' and c.id like '{{like}}'
                """);
            return (long)(await command.ExecuteScalarAsync())!;
        }
        var head = await p.HeadAsync();
        var late = Enumerable.Range(0, 20).Select(i => idle[0] with { AppId = $"late{i}-{p.Id[^8..]}".Replace('_', '-'), FromBlock = head - 4 - i % 3 }).ToList();
        foreach (var app in late) await Nexus.AppStreams.Registry.AppRegistry.RegisterAsync(p.Store, app);
        var lateLogs = await p.LogsOfAsync(await p.Dapp.SubmitAsync(p.Inbox, late[5].AppId, [7]), p.Inbox);
        await p.Dapp.MineAsync(2);
        await p.WaitForAsync(new Dictionary<string, int> { [late[5].AppId] = 1 }, Patience);
        await p.AssertExactlyOnceInChainOrderAsync(late[5].AppId, lateLogs);
        await Poll.Until(async () => { await p.Dapp.MineAsync(1); return await FollowersAsync("app:late%") == late.Count && await FollowersAsync("app:idle%") == idle.Count; });

        // The mark lost while the listener is down: every watch resumes from its own cursor (never from a
        // mark it did not follow), an idle app's new input arrives exactly once, and a new mark is followed.
        await p.StopAsync(listener);
        (await db.CreateCommand($"delete from {p.Schema}.mt_doc_listener_mark").ExecuteNonQueryAsync()).ShouldBeGreaterThan(0);
        var idleLogs = await p.LogsOfAsync(await p.Dapp.SubmitAsync(p.Inbox, idle[7].AppId, [9]), p.Inbox);
        await p.Dapp.MineAsync(2);
        listener = await p.StartListenerAsync();
        await p.WaitForAsync(new Dictionary<string, int> { [idle[7].AppId] = 1, [active.AppId] = 4 }, Patience);
        await p.AssertExactlyOnceInChainOrderAsync(idle[7].AppId, idleLogs);
        // Watches join the group (and its mark) on a step that moves it: blocks keep coming.
        await Poll.Until(async () => { await p.Dapp.MineAsync(1); return await FollowersAsync("app:%") == idle.Count + late.Count + 1; });
    }

    [Fact]
    public async Task Two_listeners_run_one_active_and_the_standby_takes_over_when_the_active_one_is_killed()
    {
        await using var p = await Pipeline.StartAsync("standby");
        var (inbox, events, mixed, mixedAuction) = await ThreeAppsAsync(p);
        await p.StartSequencerAsync();
        int Leaders() => File.Exists(p.ProcessLog("Nexus.ChainListener"))
            ? File.ReadAllLines(p.ProcessLog("Nexus.ChainListener")).Count(l => l.Contains("Leading the listeners"))
            : 0;
        var first = p.StartProcess("Nexus.ChainListener");
        await Poll.Until(() => Leaders() == 1); // the first one takes the lead
        var second = p.StartProcess("Nexus.ChainListener");

        var logs = await SendTrafficAsync(p, inbox.AppId, events.AppId, mixed.AppId, mixedAuction, rounds: 10, between: async round =>
        {
            if (round != 4) return;
            Leaders().ShouldBe(1, "only one listener may be active");
            await first.KillAsync(); // SIGKILL the leader mid-stream
        });

        await AllExactlyOnceAsync(p, logs);
        Leaders().ShouldBe(2, "the standby took over once");
        GC.KeepAlive(second);
    }

    [Fact]
    public async Task Inputs_observed_before_any_sequencer_ever_ran_are_not_lost()
    {
        await using var p = await Pipeline.StartAsync("nosequencer");
        var app = await p.RegisterAsync("early", inbox: true);
        var listener = await p.StartListenerAsync(); // a fresh broker: no queue is bound to InputsObserved yet

        var expected = new List<LogPosition>();
        for (var i = 0; i < 3; i++)
            expected.AddRange(await p.LogsOfAsync(await p.Dapp.SubmitBatchAsync(p.Inbox, app.AppId, Pipeline.Payloads(5, i * 5)), p.Inbox));
        await p.Dapp.MineAsync(3);
        // The listener has read them and tried to publish: the broker returned them (no queue), the round
        // failed, and the watch did not move past them.
        var head = await p.HeadAsync();
        await Poll.Until(() => Pipeline.ListenerProgress(listener).Head >= head && Pipeline.ListenerProgress(listener).FailedRounds > 0);
        Pipeline.ListenerProgress(listener).ScannedTo($"app:{app.AppId}").ShouldBeLessThan(expected[0].BlockNumber);

        await p.StartSequencerAsync();
        await p.WaitForAsync(new Dictionary<string, int> { [app.AppId] = expected.Count }, Patience);
        await p.AssertExactlyOnceInChainOrderAsync(app.AppId, expected);
    }

    /// <summary>An inbox app, an event app and an app fed by both, on fresh contracts.</summary>
    private static async Task<(AppRegistered Inbox, AppRegistered Events, AppRegistered Mixed, string MixedAuction)> ThreeAppsAsync(
        Pipeline p, string? payloadAbi = null)
    {
        var mixedAuction = await p.Dapp.DeployAsync("SampleAuction");
        var inbox = await p.RegisterAsync("inbox", inbox: true, payloadAbi: payloadAbi);
        var events = await p.RegisterAsync("events", inbox: false, auctions: [p.Auction]);
        var mixed = await p.RegisterAsync("mixed", inbox: true, auctions: [mixedAuction]);
        return (inbox, events, mixed, mixedAuction);
    }

    private static async Task AllExactlyOnceAsync(Pipeline p, Dictionary<string, List<LogPosition>> logs)
    {
        await p.WaitForAsync(logs.ToDictionary(kv => kv.Key, kv => kv.Value.Count), Patience);
        foreach (var (appId, expected) in logs)
            await p.AssertExactlyOnceInChainOrderAsync(appId, expected);
    }

    private const string DevAddress = Nexus.LocalDev.Chain.DevAccounts.HardhatAccount0;


}
