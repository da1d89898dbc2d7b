using Nexus.Contracts;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum.Chain;
using Nexus.LocalDev.Chain;
using Nexus.IntegrationTests.Infrastructure;

namespace Nexus.IntegrationTests;

/// <summary>A signer replica's check of inputs against its own node, on the dev node (including a real reorg).</summary>
public sealed class InputVerifierTests
{
    private static async Task<List<SequencedInput>> InputsOfAsync(JsonRpcChainReader chain, string txHash)
    {
        var logs = await chain.GetTransactionLogsAsync(txHash, default) ?? throw new InvalidOperationException("no receipt");
        var header = await chain.GetHeaderAsync(logs[0].BlockNumber, default);
        return logs.Select((l, i) => new SequencedInput
        {
            Seq = i, InputId = $"31337:{l.TxHash}:{l.LogIndex}", Position = new LogPosition(l.BlockNumber, l.LogIndex),
            BlockHash = l.BlockHash, BlockTimestamp = header!.Timestamp, TxHash = l.TxHash, TxIndex = l.TxIndex,
            Emitter = l.Address, Topics = l.Topics, Data = l.Data, Source = "inbox", Arguments = [],
        }).ToList();
    }

    [Fact]
    public async Task Inputs_that_match_the_node_pass_and_every_altered_field_missing_confirmation_or_reorged_log_fails()
    {
        var dapp = new DappClient(LocalInfra.RpcUrl, DevAccounts.HardhatAccount0Key, DevAccounts.DevChainId);
        var chain = new JsonRpcChainReader(LocalInfra.RpcUrl);
        var inbox = await dapp.DeployAsync(Nexus.Ethereum.Artifacts.SolidityArtifact.NexusInbox);
        var receipt = await dapp.SubmitBatchAsync(inbox, "verifier", [[1], [2], [3]]);
        await dapp.MineAsync(3);
        var inputs = await InputsOfAsync(chain, receipt.TransactionHash);

        (await InputVerifier.VerifyAsync(chain, inputs, confirmations: 3, default)).ShouldBeEmpty();

        var one = inputs[1];
        var cases = new (SequencedInput Input, string Reason)[]
        {
            (one with { Data = one.Data[..^2] + "ff" }, "data differs"),
            (one with { Emitter = "0x" + new string('1', 40) }, "emitted by"),
            (one with { Topics = [.. one.Topics.Take(2), "0x" + new string('2', 64)] }, "topics differ"),
            (one with { TxIndex = one.TxIndex + 1 }, "index"),
            (one with { BlockTimestamp = one.BlockTimestamp + 1 }, "timestamp"),
            (one with { Position = one.Position with { LogIndex = 99 } }, "no log at index 99"),
            (one with { BlockHash = "0x" + new string('3', 64) }, "canonical chain"),
            (one with { TxHash = "0x" + new string('4', 64) }, "unknown to this node"),
        };
        foreach (var (input, reason) in cases)
            (await InputVerifier.VerifyAsync(chain, [input], 3, default)).Single().Reason.ShouldContain(reason);
        (await InputVerifier.VerifyAsync(chain, inputs, confirmations: 1_000, default)).Count.ShouldBe(3);

        // A log the node saw, then lost in a reorg, no longer verifies.
        var snapshot = await dapp.Web3.Client.SendRequestAsync<string>("evm_snapshot");
        var orphan = await InputsOfAsync(chain, (await dapp.SubmitAsync(inbox, "verifier", [9])).TransactionHash);
        (await InputVerifier.VerifyAsync(chain, orphan, 0, default)).ShouldBeEmpty();
        (await dapp.Web3.Client.SendRequestAsync<bool>("evm_revert", null, snapshot)).ShouldBeTrue();
        await dapp.ResetNonceAsync();
        await dapp.SubmitAsync(inbox, "verifier", [10]);
        await dapp.MineAsync(2);
        (await InputVerifier.VerifyAsync(chain, orphan, 0, default)).Single().Reason.ShouldContain("canonical chain");
    }

    [Fact]
    public async Task The_JSON_RPC_reader_reads_what_Nethereums_client_reads_logs_receipts_headers_and_errors()
    {
        var dapp = new DappClient(LocalInfra.RpcUrl, DevAccounts.HardhatAccount0Key, DevAccounts.DevChainId);
        using var chain = new JsonRpcChainReader(LocalInfra.RpcUrl);
        var inbox = await dapp.DeployAsync(Nexus.Ethereum.Artifacts.SolidityArtifact.NexusInbox);
        var auction = await dapp.DeployAsync(Nexus.Ethereum.Artifacts.SolidityArtifact.SampleAuction);
        var from = await dapp.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync();
        var submitted = await dapp.SubmitBatchAsync(inbox, "reader", [[1], [2, 3], []]);
        await dapp.BidManyAsync(auction, 7, [5, 6]);
        await dapp.MineAsync(1);
        var to = (long)(await dapp.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;

        static string Show(Nethereum.RPC.Eth.DTOs.FilterLog l) =>
            $"{l.BlockNumber.Value}|{l.BlockHash}|{l.TransactionHash}|{l.TransactionIndex.Value}|{l.LogIndex.Value}|{l.Address}|{string.Join(",", l.Topics)}|{l.Data}".ToLowerInvariant();
        static string Ours(ChainLog l) => $"{l.BlockNumber}|{l.BlockHash}|{l.TxHash}|{l.TxIndex}|{l.LogIndex}|{l.Address}|{string.Join(",", l.Topics)}|{l.Data}";

        foreach (var (address, topics) in new[] { (inbox, new string?[] { Nexus.Ethereum.Abi.InboxEvents.InputSubmitted.Topic0 }), (auction, []) })
        {
            var theirs = await dapp.Web3.Eth.Filters.GetLogs.SendRequestAsync(new Nethereum.RPC.Eth.DTOs.NewFilterInput
            {
                Address = [address], FromBlock = new(from), ToBlock = new(new Nethereum.Hex.HexTypes.HexBigInteger(to)), Topics = topics.Cast<object?>().ToArray()!,
            });
            var ours = await chain.GetLogsAsync(new LogFilter(address, topics), (long)from.Value, to, default);
            theirs.Length.ShouldBeGreaterThan(0);
            ours.Select(Ours).ShouldBe(theirs.Select(Show));
        }

        var receipt = await dapp.Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(submitted.TransactionHash);
        (await chain.GetTransactionLogsAsync(submitted.TransactionHash, default))!.Select(Ours).ShouldBe(receipt.Logs.Select(Show));
        (await chain.GetTransactionLogsAsync("0x" + new string('5', 64), default)).ShouldBeNull();

        var block = await dapp.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(submitted.BlockNumber);
        (await chain.GetHeaderAsync((long)submitted.BlockNumber.Value, default)).ShouldBe(
            new BlockHeader((long)block.Number.Value, block.BlockHash.ToLowerInvariant(), block.ParentHash.ToLowerInvariant(), (long)block.Timestamp.Value));
        (await chain.GetHeaderAsync(to + 1_000, default)).ShouldBeNull();
        (await chain.GetHeadAsync(default)).ShouldBeGreaterThanOrEqualTo(to);
        (await chain.GetChainIdAsync(default)).ShouldBe(DevAccounts.DevChainId);

        // A malformed filter is the node's JSON-RPC error, not an outage; an unreachable node is an outage.
        await Should.ThrowAsync<ChainRpcException>(() => chain.GetLogsAsync(new LogFilter("not an address", []), 0, 1, default));
        using var nowhere = new JsonRpcChainReader("http://127.0.0.1:1");
        await Should.ThrowAsync<ChainUnavailableException>(() => nowhere.GetHeadAsync(default));
    }
}
