using System.Numerics;
using Grpc.Net.Client;
using Nexus.Apps;
using Nexus.AppStreams.Reading;
using Nexus.Contracts.Executor;
using Nexus.Contracts.Query;
using Nexus.Executor.Blocks;
using Nexus.Ethereum;
using Nexus.IntegrationTests.Infrastructure;
using Nexus.State;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Nexus.IntegrationTests;

/// <summary>dApp transactions on the dev node → listener → sequencer → executor, with the real WebAssembly sample apps.</summary>
public sealed class ExecutionTests
{
    private static byte[] Amount(BigInteger amount)
    {
        var word = new byte[32];
        amount.TryWriteBytes(word.AsSpan(), out var written, isUnsigned: true, isBigEndian: true);
        return [.. new byte[32 - written], .. word[..written]];
    }

    private static async Task<int> ExecutedInputsAsync(Pipeline p, string appId) => (await p.ExecutedAsync(appId)).Sum(b => b.Results.Count);

    [Fact]
    public async Task Counter_app_blocks_are_executed_and_queried_values_come_with_proofs_that_verify_and_the_audit_agrees()
    {
        await using var p = await Pipeline.StartAsync("exec");
        var app = await p.RegisterAsync("counter", inbox: true, payloadAbi: "(uint256 amount)", confirmations: 1);
        await p.DeployCodeAsync(app.AppId, SampleApps.Counter);
        await p.StartSequencerAsync();
        await p.StartExecutorAsync();
        await p.StartListenerAsync();

        var amounts = Enumerable.Range(1, 60).Select(i => Amount(i)).ToList();
        await p.Dapp.SubmitBatchAsync(p.Inbox, app.AppId, amounts[..30]);
        await p.Dapp.SubmitAsync(p.Inbox, app.AppId, Amount(0)); // the app rejects 0 with code 1
        await p.Dapp.SubmitBatchAsync(p.Inbox, app.AppId, amounts[30..]);
        await p.Dapp.MineAsync(2);
        await Poll.Until(async () => await ExecutedInputsAsync(p, app.AppId) == 61);

        var blocks = await p.ExecutedAsync(app.AppId);
        blocks.Select(b => b.Height).ShouldBe(Enumerable.Range(0, blocks.Count).Select(i => (long)i));
        for (var i = 1; i < blocks.Count; i++)
            blocks[i].Header.PreviousHeaderHash.ShouldBe(blocks[i - 1].HeaderHash);
        var results = blocks.SelectMany(b => b.Results).ToList();
        var rejected = results.Single(r => !r.Accepted);
        rejected.Reason.ShouldBe("AppRejected");
        rejected.Code.ShouldBe(1);
        results.Count(r => r.Accepted).ShouldBe(60);
        results.Where(r => r.Accepted).ShouldAllBe(r => r.Outputs.Count == 1 && r.Outputs[0].Kind == "notice");
        // Every committed block is also announced, once per height, naming where its BlockExecuted is in the stream.
        await Poll.Until(() => p.ExecutedPublished.Where(b => b.AppId == app.AppId).Select(b => b.Height).Distinct().Count() == blocks.Count);
        await using (var session = p.Store.QuerySession())
            foreach (var n in p.ExecutedPublished.Where(b => b.AppId == app.AppId).DistinctBy(b => b.Height).OrderBy(b => b.Height))
                (await AppStreamReader.EventAtAsync<BlockExecuted>(session, app.AppId, n.StreamVersion, default))!.Data.HeaderHash.ShouldBe(blocks[(int)n.Height].HeaderHash);

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{p.ExecutorGrpcPort}");
        var query = new AppQuery.AppQueryClient(channel);
        var total = await query.GetStateAsync(new GetStateRequest { AppId = app.AppId, Key = Google.Protobuf.ByteString.CopyFromUtf8("total") });
        total.Found.ShouldBeTrue();
        new BigInteger(total.Value.Span, isUnsigned: true, isBigEndian: true).ShouldBe(new BigInteger(60 * 61 / 2));
        total.StateRoot.ToByteArray().ShouldBe(Hex.Decode(blocks[^1].Header.StateRoot));
        Proof("total"u8.ToArray(), total).Verify(total.StateRoot.ToByteArray()).ShouldBeTrue();
        // The same proof with another value must not verify.
        (Proof("total"u8.ToArray(), total) with { Value = Amount(1) }).Verify(total.StateRoot.ToByteArray()).ShouldBeFalse();

        var absent = await query.GetStateAsync(new GetStateRequest { AppId = app.AppId, Key = Google.Protobuf.ByteString.CopyFromUtf8("no such key") });
        absent.Found.ShouldBeFalse();
        Proof("no such key"u8.ToArray(), absent).Verify(absent.StateRoot.ToByteArray()).ShouldBeTrue();

        // An old height answers with that height's root.
        var first = await query.GetStateAsync(new GetStateRequest { AppId = app.AppId, Key = Google.Protobuf.ByteString.CopyFromUtf8("total"), Height = 0 });
        first.StateRoot.ToByteArray().ShouldBe(Hex.Decode(blocks[0].Header.StateRoot));
        Proof("total"u8.ToArray(), first).Verify(first.StateRoot.ToByteArray()).ShouldBeTrue();

        var header = await query.GetHeaderAsync(new GetHeaderRequest { AppId = app.AppId });
        header.HeaderHash.ShouldBe(blocks[^1].HeaderHash);
        var result = await query.GetInputResultAsync(new GetInputResultRequest { AppId = app.AppId, Seq = rejected.Seq });
        result.Accepted.ShouldBeFalse();
        result.Reason.ShouldBe("AppRejected");
        var missing = await Should.ThrowAsync<Grpc.Core.RpcException>(query.GetHeaderAsync(new GetHeaderRequest { AppId = "no-such-app" }).ResponseAsync);
        missing.StatusCode.ShouldBe(Grpc.Core.StatusCode.NotFound);

        var audit = await Cli.RunAsync(p, "audit", "--app", app.AppId);
        audit.Exit.ShouldBe(0, audit.Output);
        audit.Output.ShouldContain($"{blocks.Count} blocks, 61 inputs verified, final state root {blocks[^1].Header.StateRoot}");
    }

    private static StateProof Proof(byte[] key, GetStateResponse r) => new(
        key,
        r.Proof.Siblings.Select(s => s.ToByteArray()).ToList(),
        r.Proof.TerminalIsLeaf ? StateProofTerminal.Leaf : StateProofTerminal.Empty,
        r.Proof.TerminalIsLeaf ? r.Proof.LeafPath.ToByteArray() : null,
        r.Proof.TerminalIsLeaf ? r.Proof.LeafValueHash.ToByteArray() : null,
        r.Found ? r.Value.ToByteArray() : null);

    [Fact]
    public async Task A_hostile_app_gets_every_misbehaviour_rejected_with_its_reason_and_the_executor_stays_healthy()
    {
        await using var p = await Pipeline.StartAsync("hostile");
        var app = await p.RegisterAsync("hostile", inbox: true, confirmations: 1);
        await p.DeployCodeAsync(app.AppId, SampleApps.Hostile, fuel: 5_000_000);
        await p.StartSequencerAsync();
        var executor = await p.StartExecutorAsync();
        await p.StartListenerAsync();

        // infinite loop, memory bomb, trap after writes, huge output, bad pointer, code 42, stack overflow, panic, then a good one.
        byte[] ops = [1, 2, 3, 5, 6, 8, 9, 12, 0];
        await p.Dapp.SubmitBatchAsync(p.Inbox, app.AppId, ops.Select(op => new[] { op }).ToList());
        await p.Dapp.MineAsync(2);
        await Poll.Until(async () => await ExecutedInputsAsync(p, app.AppId) == ops.Length);

        var results = (await p.ExecutedAsync(app.AppId)).SelectMany(b => b.Results).OrderBy(r => r.Seq).ToList();
        results.Select(r => r.Reason ?? "Accepted").ShouldBe(
            ["OutOfFuel", "AppAborted", "Trap", "AbiMisuse", "AbiMisuse", "AppRejected", "Trap", "AppAborted", "Accepted"]);
        results[2].Outputs.ShouldBeEmpty(); // the notice emitted before the trap is dropped with the writes
        using var http = new HttpClient();
        (await http.GetAsync(executor.BaseUrl + "/health/ready")).IsSuccessStatusCode.ShouldBeTrue();
        (await Cli.RunAsync(p, "audit", "--app", app.AppId)).Exit.ShouldBe(0);
    }

    [Fact]
    public async Task A_killed_executor_resumes_from_its_last_committed_block_without_executing_any_twice_and_a_tampered_stream_is_caught_by_the_audit()
    {
        await using var p = await Pipeline.StartAsync("execkill");
        var app = await p.RegisterAsync("counter", inbox: true, payloadAbi: "(uint256 amount)", confirmations: 1);
        await p.DeployCodeAsync(app.AppId, SampleApps.Counter);
        await p.StartSequencerAsync();
        await p.StartListenerAsync();
        var executor = p.StartProcess("Nexus.Executor");

        for (var round = 0; round < 12; round++)
        {
            await p.Dapp.SubmitBatchAsync(p.Inbox, app.AppId, Enumerable.Range(1, 20).Select(i => Amount(i)).ToList());
            if (round == 4)
            {
                // Killed only once it has committed part of this traffic, while more is sealed behind it.
                await p.Dapp.MineAsync(1);
                await Poll.Until(async () => await ExecutedInputsAsync(p, app.AppId) > 0);
                await executor.KillAsync();
            }
            if (round == 7)
                executor = p.StartProcess("Nexus.Executor");
        }
        await p.Dapp.MineAsync(2);
        await Poll.Until(async () => await ExecutedInputsAsync(p, app.AppId) == 240);

        var blocks = await p.ExecutedAsync(app.AppId);
        blocks.Select(b => b.Height).ShouldBe(Enumerable.Range(0, blocks.Count).Select(i => (long)i)); // each height once
        var audit = await Cli.RunAsync(p, "audit", "--app", app.AppId);
        audit.Exit.ShouldBe(0, audit.Output);

        // Tamper with a recorded result (fuel of block 2's first input): the audit names block 2.
        await using var db = NpgsqlDataSource.Create(LocalInfra.Postgres);
        await db.CreateCommand($$"""
            update {{p.Schema}}.mt_events set data = jsonb_set(data, '{Results,0,FuelUsed}', '1')
            where stream_id = '{{app.AppId}}' and data ? 'HeaderHash' and data->>'Height' = '2'
            """).ExecuteNonQueryAsync();
        var tampered = await Cli.RunAsync(p, "audit", "--app", app.AppId);
        tampered.Exit.ShouldBe(2, tampered.Output);
        tampered.Output.ShouldContain("DIVERGENCE at block 2");
        tampered.Output.ShouldContain("fuel used");

        // Tamper with an input's log data in block 1: its sealed inputs root no longer matches.
        var seqInBlock1 = blocks[1].Results[0].Seq;
        await db.CreateCommand($$"""
            update {{p.Schema}}.mt_events set data = jsonb_set(data, '{Input,Data}', to_jsonb(overlay(data->'Input'->>'Data' placing 'ff' from 130 for 2)))
            where stream_id = '{{app.AppId}}' and data->'Input'->>'Seq' = '{{seqInBlock1}}'
            """).ExecuteNonQueryAsync();
        var forged = await Cli.RunAsync(p, "audit", "--app", app.AppId);
        forged.Exit.ShouldBe(2, forged.Output);
        forged.Output.ShouldContain("DIVERGENCE at block 1");
        forged.Output.ShouldContain("inputs root");

        // The block timestamp, the guests' only clock, is committed too: altering it in block 0 is caught there.
        var seqInBlock0 = blocks[0].Results[0].Seq;
        await db.CreateCommand($$"""
            update {{p.Schema}}.mt_events set data = jsonb_set(data, '{Input,BlockTimestamp}', '12345')
            where stream_id = '{{app.AppId}}' and data->'Input'->>'Seq' = '{{seqInBlock0}}'
            """).ExecuteNonQueryAsync();
        var clock = await Cli.RunAsync(p, "audit", "--app", app.AppId);
        clock.Exit.ShouldBe(2, clock.Output);
        clock.Output.ShouldContain("DIVERGENCE at block 0");
    }

    [Fact]
    public async Task An_executor_whose_head_was_deleted_or_restored_stale_executes_nothing_again_until_the_head_is_restored()
    {
        await using var p = await Pipeline.StartAsync("losthead");
        var app = await p.RegisterAsync("counter", inbox: true, payloadAbi: "(uint256 amount)", confirmations: 1);
        await p.DeployCodeAsync(app.AppId, SampleApps.Counter);
        await p.StartSequencerAsync();
        await p.StartListenerAsync();
        var executor = await p.StartExecutorAsync();
        await p.Dapp.SubmitBatchAsync(p.Inbox, app.AppId, [Amount(1), Amount(2)]);
        await p.Dapp.MineAsync(2);
        await Poll.Until(async () => await ExecutedInputsAsync(p, app.AppId) == 2);
        var executedBefore = await p.ExecutedAsync(app.AppId);
        await p.StopAsync(executor);

        // A hostile (or careless) operator deletes the executor's head for the app, then more inputs arrive.
        AppExecution saved;
        await using (var session = p.Store.QuerySession())
            saved = (await session.LoadAsync<AppExecution>(app.AppId))!;
        await using var db = NpgsqlDataSource.Create(LocalInfra.Postgres);
        (await db.CreateCommand($"delete from {p.Schema}.mt_doc_executor_head where id = '{app.AppId}'").ExecuteNonQueryAsync()).ShouldBe(1);
        executor = await p.StartExecutorAsync();
        await p.Dapp.SubmitAsync(p.Inbox, app.AppId, Amount(3));
        await p.Dapp.MineAsync(2);
        await Poll.Until(async () => (await p.ProgressAsync(app.AppId)).SealedHeight > executedBefore[^1].Height);
        // It refuses this app (starting from height 0 again would record every height twice) and says so.
        var metrics = executor.Services.GetRequiredService<Nexus.Executor.ExecutorMetrics>();
        var failuresSeen = metrics.Failures;
        await Poll.Until(() => metrics.Failures > failuresSeen + 1);
        metrics.LastFailure.ShouldNotBeNull().ShouldContain("but no executor head");
        (await p.ExecutedAsync(app.AppId)).Select(b => b.HeaderHash).ShouldBe(executedBefore.Select(b => b.HeaderHash));

        // Restored, the head lets it go on from where it was: each height once, the new input included.
        await using (var session = p.Store.LightweightSession())
        {
            session.Store(saved);
            await session.SaveChangesAsync();
        }
        await Poll.Until(async () => await ExecutedInputsAsync(p, app.AppId) == 3);
        var blocks = await p.ExecutedAsync(app.AppId);
        blocks.Select(b => b.Height).ShouldBe(Enumerable.Range(0, blocks.Count).Select(i => (long)i));
        blocks[executedBefore.Count].Header.PreviousHeaderHash.ShouldBe(executedBefore[^1].HeaderHash);

        // A head restored from an older backup than the stream: refused as well, not left to stall.
        AppExecution latest;
        await using (var session = p.Store.LightweightSession())
        {
            latest = (await session.LoadAsync<AppExecution>(app.AppId))!;
            session.Store(saved);
            await session.SaveChangesAsync();
        }
        failuresSeen = metrics.Failures;
        await p.Dapp.SubmitAsync(p.Inbox, app.AppId, Amount(4));
        await p.Dapp.MineAsync(2);
        await Poll.Until(() => metrics.Failures > failuresSeen && metrics.LastFailure?.Contains("older than its records") == true);
        (await p.ExecutedAsync(app.AppId)).Count.ShouldBe(blocks.Count);
        await using (var session = p.Store.LightweightSession())
        {
            session.Store(latest);
            await session.SaveChangesAsync();
        }
        await Poll.Until(async () => await ExecutedInputsAsync(p, app.AppId) == 4);
        (await p.ExecutedAsync(app.AppId)).Select(b => b.Height).ShouldBe(Enumerable.Range(0, blocks.Count + 1).Select(i => (long)i));
    }
}

/// <summary>The compute-heavy sample: OrderBook.sol events in, settle(...) calls out, executed back on the dev node.</summary>
public sealed class OrderBookExecutionTests
{
    [Fact]
    public async Task Crossing_orders_become_settle_calls_whose_calldata_the_OrderBook_contract_accepts()
    {
        await using var p = await Pipeline.StartAsync("book");
        var book = await p.Dapp.DeployAsync(Nexus.Ethereum.Artifacts.SolidityArtifact.OrderBook);
        var app = await p.RegisterAsync("book", inbox: false, confirmations: 1, sources:
        [
            new Nexus.Contracts.Registry.EventSource(book, "OrderPlaced(address indexed trader, uint8 side, uint64 price, uint64 qty)"),
            new Nexus.Contracts.Registry.EventSource(book, "OrderCancelled(address indexed trader, uint64 orderId)"),
        ]);
        await p.DeployCodeAsync(app.AppId, SampleApps.OrderBook);
        await p.StartSequencerAsync();
        await p.StartExecutorAsync();
        await p.StartListenerAsync();

        await p.Dapp.PlaceOrderAsync(book, side: 1, price: 100, qty: 10); // #0 sell 10 @ 100
        await p.Dapp.PlaceOrderAsync(book, side: 1, price: 101, qty: 5);  // #1 sell 5 @ 101
        await p.Dapp.PlaceOrderAsync(book, side: 0, price: 101, qty: 12); // #2 buy 12 @ 101: fills 10 @ 100 from #0, 2 @ 101 from #1
        await p.Dapp.CancelOrderAsync(book, 1);                           // #3 cancels the rest of #1
        await p.Dapp.CancelOrderAsync(book, 77);                          // #4 unknown order: rejected, code 5
        await p.Dapp.MineAsync(2);
        await Poll.Until(async () => (await p.ExecutedAsync(app.AppId)).Sum(b => b.Results.Count) == 5);

        var results = (await p.ExecutedAsync(app.AppId)).SelectMany(b => b.Results).OrderBy(r => r.Seq).ToList();
        results.Take(4).ShouldAllBe(r => r.Accepted);
        results[4].Reason.ShouldBe("AppRejected");
        results[4].Code.ShouldBe(5);
        var trader = p.Dapp.Account.Address;
        var fills = results[2].Outputs;
        fills.Select(o => (o.Kind, o.Target)).ShouldBe([("call", book.ToLowerInvariant()), ("call", book.ToLowerInvariant())]);
        var abi = new Nethereum.ABI.ABIEncode();
        byte[] Settle(ulong maker, ulong taker, ulong price, ulong qty) => [.. Hex.Decode("0x5a859a95"), .. abi.GetABIEncoded(
            new Nethereum.ABI.ABIValue("uint64", maker), new Nethereum.ABI.ABIValue("uint64", taker), new Nethereum.ABI.ABIValue("address", trader),
            new Nethereum.ABI.ABIValue("address", trader), new Nethereum.ABI.ABIValue("uint64", price), new Nethereum.ABI.ABIValue("uint64", qty))];
        Hex.Decode(fills[0].Payload).ShouldBe(Settle(0, 2, 100, 10));
        Hex.Decode(fills[1].Payload).ShouldBe(Settle(1, 2, 101, 2));

        // The outputs are real calls: executing one on the dev node emits the contract's Filled event.
        var receipt = await p.Dapp.CallAsync(fills[0].Target, Hex.Decode(fills[0].Payload));
        receipt.Logs.Count().ShouldBe(1);
        (await Cli.RunAsync(p, "audit", "--app", app.AppId)).Exit.ShouldBe(0);
    }
}

/// <summary>Apps whose streams predate the executor (it has no head for them yet).</summary>
public sealed class ExistingAppTests
{
    [Fact]
    public async Task An_app_sealed_before_the_executor_ever_ran_is_found_by_its_sweep_and_executes_from_its_first_block()
    {
        await using var p = await Pipeline.StartAsync("legacy");
        var app = await p.RegisterAsync("legacy", inbox: true, payloadAbi: "(uint256 amount)", confirmations: 1);
        await p.DeployCodeAsync(app.AppId, SampleApps.Counter);
        await p.StartSequencerAsync();
        await p.StartListenerAsync();
        await p.Dapp.SubmitAsync(p.Inbox, app.AppId, new byte[31].Append((byte)7).ToArray());
        await p.Dapp.MineAsync(2);
        await Poll.Until(async () => (await p.ProgressAsync(app.AppId)).SealedHeight >= 0);

        await p.StartExecutorAsync();
        await Poll.Until(async () => (await p.ExecutedAsync(app.AppId)).Count == 1);
        (await p.ExecutedAsync(app.AppId)).Single().Results.Single().Accepted.ShouldBeTrue();
    }
}

/// <summary>`nexus app deploy`: checks, content addressing and upgrades that take effect at a height.</summary>
public sealed class CodeDeploymentTests
{
    [Fact]
    public async Task An_upgrade_deployed_with_the_CLI_takes_effect_at_its_height_and_bad_modules_or_heights_are_refused()
    {
        await using var p = await Pipeline.StartAsync("upgrade");
        var app = await p.RegisterAsync("upgrade", inbox: true, confirmations: 1);
        var dir = Directory.CreateTempSubdirectory("nexus-wasm-");
        var counterFile = Path.Combine(dir.FullName, "counter.wasm");
        var hostileFile = Path.Combine(dir.FullName, "hostile.wasm");
        var garbageFile = Path.Combine(dir.FullName, "garbage.wasm");
        await File.WriteAllBytesAsync(counterFile, SampleApps.Counter);
        await File.WriteAllBytesAsync(hostileFile, SampleApps.Hostile);
        await File.WriteAllBytesAsync(garbageFile, [1, 2, 3, 4, 5, 6, 7, 8, 9]);

        var first = await Cli.RunAsync(p, "app", "deploy", "--id", app.AppId, "--wasm", counterFile);
        first.Exit.ShouldBe(0, first.Output);
        first.Output.ShouldContain("from height 0");
        (await Cli.RunAsync(p, "app", "deploy", "--id", app.AppId, "--wasm", garbageFile)).Output.ShouldContain("not a WebAssembly binary");
        (await Cli.RunAsync(p, "app", "deploy", "--id", "no-such-app", "--wasm", counterFile)).Output.ShouldContain("not registered");

        await p.StartSequencerAsync();
        await p.StartExecutorAsync();
        await p.StartListenerAsync();
        await p.Dapp.SubmitAsync(p.Inbox, app.AppId, [0]); // under the counter: malformed (code 2)
        await p.Dapp.MineAsync(2);
        await Poll.Until(async () => (await p.ExecutedAsync(app.AppId)).Count >= 1);

        var tooLow = await Cli.RunAsync(p, "app", "deploy", "--id", app.AppId, "--wasm", hostileFile, "--from-height", "0");
        tooLow.Exit.ShouldBe(1);
        tooLow.Output.ShouldContain("already sealed");
        var upgrade = await Cli.RunAsync(p, "app", "deploy", "--id", app.AppId, "--wasm", hostileFile);
        upgrade.Exit.ShouldBe(0, upgrade.Output);

        await p.Dapp.SubmitAsync(p.Inbox, app.AppId, [0]); // under the hostile app: op 0, accepted
        await p.Dapp.MineAsync(2);
        await Poll.Until(async () => (await p.ExecutedAsync(app.AppId)).Sum(b => b.Results.Count) == 2);

        var blocks = await p.ExecutedAsync(app.AppId);
        var counterHash = Nexus.Runtime.Wasm.WasmRuntime.CodeHash(SampleApps.Counter);
        var hostileHash = Nexus.Runtime.Wasm.WasmRuntime.CodeHash(SampleApps.Hostile);
        blocks[0].Header.CodeHash.ShouldBe(counterHash);
        blocks[0].Results.Single().Code.ShouldBe(2);
        blocks[^1].Header.CodeHash.ShouldBe(hostileHash);
        blocks[^1].Results.Single().Accepted.ShouldBeTrue();
        (await Cli.RunAsync(p, "audit", "--app", app.AppId)).Exit.ShouldBe(0);
        (await Cli.RunAsync(p, "app", "show", "--id", app.AppId)).Output.ShouldContain("code " + hostileHash[..18]);
        dir.Delete(recursive: true);
    }
}
