using System.CommandLine;
using System.Numerics;
using Marten;
using Nexus.AppStreams.Reading;
using Nexus.AppStreams.Registry;
using Nexus.Cli.Apps;
using Nexus.Contracts.Registry;
using Nexus.Ethereum;
using Nexus.Ethereum.Artifacts;
using Nexus.LocalDev.Chain;
using Spectre.Console;

namespace Nexus.Cli.Demo;

/// <summary>
/// The end-to-end demo against running services: deploy, register two apps, send a burst of dApp
/// transactions, and show each app's stream filling as the listener and sequencer work.
/// </summary>
public static class DemoCommand
{
    public static Command Build()
    {
        var txs = new Option<int>("--transactions") { Description = "dApp transactions per app", DefaultValueFactory = _ => 20 };
        var perTx = new Option<int>("--per-transaction") { Description = "inputs per transaction", DefaultValueFactory = _ => 10 };
        var timeout = new Option<int>("--timeout") { Description = "seconds to wait for the streams to fill", DefaultValueFactory = _ => 120 };
        var cmd = new Command("demo", "deploy, register sample apps, send a burst of dApp transactions and watch the streams fill (services must be running)")
            { txs, perTx, timeout };
        cmd.SetAction(async (p, ct) => await RunAsync(p, p.GetValue(txs), p.GetValue(perTx), TimeSpan.FromSeconds(p.GetValue(timeout)), ct));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult p, int transactions, int perTx, TimeSpan timeout, CancellationToken ct)
    {
        var dapp = await CliOptions.SenderAsync(p, ct);
        var chain = CliOptions.Chain(p);
        var chainId = await chain.GetChainIdAsync(ct);
        using var store = CliOptions.Store(p);

        AnsiConsole.MarkupLine("[bold]1. Deploying contracts[/]");
        var inbox = await dapp.DeployAsync(SolidityArtifact.NexusInbox, ct);
        var auction = await dapp.DeployAsync(SolidityArtifact.SampleAuction, ct);
        AnsiConsole.MarkupLineInterpolated($"   NexusInbox {inbox}\n   SampleAuction {auction}");

        AnsiConsole.MarkupLine("[bold]2. Registering apps[/]");
        var suffix = DateTime.UtcNow.ToString("HHmmss");
        var head = await chain.GetHeadAsync(ct);
        var counter = new AppRegistered
        {
            AppId = $"counter-{suffix}", ChainId = chainId, Inbox = inbox, PayloadAbi = "(uint256 amount)",
            Sources = [], Confirmations = 2, FromBlock = head + 1, RegisteredAt = DateTimeOffset.UtcNow,
        };
        var bids = new AppRegistered
        {
            AppId = $"auction-{suffix}", ChainId = chainId, Inbox = null,
            Sources = [new EventSource(auction, "BidPlaced(address indexed bidder, uint256 indexed lotId, uint256 amount)")],
            Confirmations = 2, FromBlock = head + 1, RegisteredAt = DateTimeOffset.UtcNow,
        };
        foreach (var app in new[] { counter, bids })
        {
            await AppRegistry.RegisterAsync(store, app, ct);
            AnsiConsole.MarkupLineInterpolated($"   {app.AppId}: {(app.Inbox is null ? "BidPlaced events of the auction" : "inbox submissions, payload (uint256)")}, 2 confirmations");
        }
        // The counter app runs the Rust sample apps/counter; the auction app has no code, so its inputs are
        // executed as NoCode rejections (it shows ordering only).
        var wasm = Nexus.Apps.SampleApps.Counter;
        using (var runtime = new Nexus.Runtime.Wasm.WasmRuntime(new Nexus.Runtime.Wasm.RuntimeOptions { PoolingAllocator = false }))
            runtime.Load(wasm);
        var code = await AppCodeRegistry.DeployAsync(store, counter.AppId, Nexus.Runtime.Wasm.WasmRuntime.CodeHash(wasm), wasm, null,
            Nexus.Runtime.Wasm.AbiV1.DefaultFuelLimit, Nexus.Runtime.Wasm.AbiV1.DefaultMemoryLimitBytes, ct);
        AnsiConsole.MarkupLineInterpolated($"   {counter.AppId}: code {code.CodeHash[..18]}… ({code.SizeBytes:N0} bytes, apps/counter) from height {code.FromHeight}");

        AnsiConsole.MarkupLineInterpolated($"[bold]3. Sending {transactions * 2} dApp transactions ({transactions * perTx * 2} inputs) plus 2 bad ones[/]");
        var expected = transactions * perTx;
        var sending = Task.Run(async () =>
        {
            for (var t = 0; t < transactions; t++)
            {
                var payloads = Enumerable.Range(0, perTx).Select(i => new Nethereum.ABI.ABIEncode().GetABIEncoded(new BigInteger(t * perTx + i + 1))).ToList();
                await dapp.SubmitBatchAsync(inbox, counter.AppId, payloads, ct);
                await dapp.BidManyAsync(auction, t % 3, Enumerable.Range(1, perTx).Select(i => new BigInteger(100 * t + i)).ToList(), ct);
            }
            await dapp.SubmitAsync(inbox, counter.AppId, [0xde, 0xad], ct);        // not a uint256: rejected as undecodable
            await dapp.SubmitAsync(inbox, "nobody-registered-me", [0x01], ct);      // unknown app: rejected
            for (var i = 0; i < 3; i++) await dapp.Web3.Client.SendRequestAsync<string>("evm_mine"); // bury the last ones
        }, ct);

        AnsiConsole.MarkupLine("[bold]4. Streams filling[/] (chain-listener → RabbitMQ → sequencer → Marten → executor → mpc-signer committee)");
        var deadline = DateTime.UtcNow + timeout;
        var done = false;
        await AnsiConsole.Live(new Table()).StartAsync(async live =>
        {
            while (!done && DateTime.UtcNow < deadline)
            {
                await using var session = store.QuerySession();
                var progress = new List<AppProgress>();
                foreach (var appId in new[] { counter.AppId, bids.AppId })
                    progress.Add(await AppStreamReader.ProgressAsync(session, appId, ct));
                var table = new Table().AddColumns("app", "inputs sequenced", "inputs in sealed blocks", "blocks sealed", "blocks executed", "blocks signed");
                foreach (var a in progress)
                    table.AddRow(a.AppId, $"{a.Inputs} / {expected}", a.SealedInputs.ToString(), (a.SealedHeight + 1).ToString(), (a.ExecutedHeight + 1).ToString(), (a.SignedHeight + 1).ToString());
                live.UpdateTarget(table);
                done = sending.IsCompleted && progress.All(a => a.Inputs >= expected && a.SealedInputs == a.Inputs
                    && a.ExecutedHeight == a.SealedHeight && a.SignedHeight == a.ExecutedHeight);
                if (!done) await Task.Delay(300, ct);
            }
        });
        await sending;

        foreach (var app in new[] { counter.AppId, bids.AppId })
        {
            AnsiConsole.Write(new Rule($"last events of {app}").LeftJustified());
            await using var session = store.QuerySession();
            var events = await session.Events.FetchStreamAsync(app, token: ct);
            foreach (var e in events.TakeLast(8)) AnsiConsole.MarkupLine(StreamLine.Render(e.Version, e.Data));
        }
        await using (var session = store.QuerySession())
        {
            var unknown = await AppStreamReader.RejectionsAsync(session, "nobody-registered-me", 10, ct);
            foreach (var r in unknown) AnsiConsole.MarkupLineInterpolated($"[red]rejected[/] L1 {r.Position} tx {r.TxHash[..10]}… {r.Code}: {r.Reason}");
        }
        if (done)
        {
            AnsiConsole.MarkupLineInterpolated($"[bold]5. Auditing {counter.AppId}[/]: replaying its stream from PostgreSQL alone");
            using var runtime = new Nexus.Runtime.Wasm.WasmRuntime(new Nexus.Runtime.Wasm.RuntimeOptions { PoolingAllocator = false });
            var report = await new Nexus.Cli.Audit.Auditor(store, runtime).RunAsync(counter.AppId, null, null, ct);
            if (report.Divergence is { } d)
                AnsiConsole.MarkupLineInterpolated($"   [red]DIVERGENCE[/] at block {d.Height}: {d.What}");
            else
                AnsiConsole.MarkupLineInterpolated($"   [green]OK[/] {report.Blocks} blocks, {report.Inputs} inputs verified, final state root {report.StateRoot}");
            done = report.Divergence is null;

            await using var session = store.QuerySession();
            var signed = (await session.Events.FetchStreamAsync(counter.AppId, token: ct)).Select(e => e.Data).OfType<Nexus.Contracts.Signer.BlockSigned>().Last();
            var groupKey = Nexus.Crypto.Frost.Ciphersuite.DeserializeElement(Hex.Decode(signed.GroupPublicKey));
            var valid = Nexus.Crypto.Frost.Frost.Verify(groupKey, Hex.Decode(signed.Digest), Nexus.Crypto.Frost.Signature.FromBytes(Hex.Decode(signed.Signature)));
            AnsiConsole.MarkupLineInterpolated($"[bold]6. Threshold signature[/] of {counter.AppId} block {signed.Height} by replicas {string.Join(", ", signed.Signers)} under group key {signed.GroupPublicKey[..18]}…");
            AnsiConsole.MarkupLine(valid
                ? "   [green]verifies[/]: one 65-byte FROST signature over the header's EIP-712 digest (FrostVerifier.sol checks it on-chain for about 8k gas)"
                : "   [red]INVALID[/]");
            done &= valid;
        }
        AnsiConsole.MarkupLine(done
            ? "[green]demo complete:[/] every input is in its app's stream, in chain order, sealed into blocks, executed, threshold-signed and audited. Explore with: ./nexus cli app list | app show --id ID | audit --app ID"
            : "[red]demo failed[/]: not every input was sequenced, executed and signed in time, or the audit or a signature failed; check the service logs in .local/logs");
        return done ? 0 : 1;
    }
}
