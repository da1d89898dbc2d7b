using System.Numerics;
using Nethereum.ABI;

using Nexus.Contracts;
using Nexus.Contracts.ChainListener;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum;
using Nexus.Ethereum.Abi;
using Nexus.Sequencer.Inputs;

namespace Nexus.Sequencer.Tests;

public class SequencingBatchTests
{
    private const string Inbox = "0x00000000000000000000000000000000000000aa";
    private const string Auction = "0x00000000000000000000000000000000000000bb";
    private const string Sender = "0x000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    private static readonly EventSignature Bid = EventSignature.Parse("BidPlaced(address indexed bidder, uint256 indexed lotId, uint256 amount)");
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);

    private static readonly AppRegistered App = new()
    {
        AppId = "counter", ChainId = 31337, Inbox = Inbox, PayloadAbi = "(uint256 amount)",
        Sources = [new EventSource(Auction, Bid.Text)], Confirmations = 2, FromBlock = 100, RegisteredAt = Now,
    };

    private static AppSequence Fresh => AppSequence.Start(App);

    /// <summary>A chain of inbox submissions as the listener would publish them.</summary>
    private static List<ObservedInput> Chain(params (long block, int log)[] positions)
    {
        var result = new List<ObservedInput>();
        LogPosition? preceding = null;
        for (var i = 0; i < positions.Length; i++)
        {
            var (block, log) = positions[i];
            var last = i == positions.Length - 1 || positions[i + 1].block != block;
            result.Add(InboxLog(block, log, preceding, last, amount: i + 1));
            preceding = new LogPosition(block, log);
        }
        return result;
    }

    private static ObservedInput InboxLog(long block, int log, LogPosition? preceding, bool lastOfBlock, BigInteger amount, byte[]? rawPayload = null)
    {
        var payload = rawPayload ?? new ABIEncode().GetABIEncoded(new ABIValue("uint256", amount));
        var data = new ABIEncode().GetABIEncoded(new ABIValue("uint64", 7), new ABIValue("bytes", payload));
        return new ObservedInput
        {
            InputId = $"31337:0x{block:x32}{log:x32}:{log}",
            AppId = "counter",
            ChainId = 31337,
            Position = new LogPosition(block, log),
            BlockHash = $"0x{block:x64}",
            BlockTimestamp = 1_700_000_000 + block,
            TxHash = $"0x{block:x32}{log:x32}",
            TxIndex = 0,
            Emitter = Inbox,
            Topics = [InboxEvents.InputSubmitted.Topic0, AppIds.ToTopic("counter"), Sender],
            Data = Hex.Encode(data),
            Preceding = preceding,
            LastOfL1Block = lastOfBlock,
        };
    }

    private static SequencingBatch TakeAll(AppSequence state, IEnumerable<ObservedInput> logs, int maxInputs = 100, long version = 1)
    {
        var batch = new SequencingBatch(state, version, maxInputs, Now);
        foreach (var log in logs) batch.TakeNext(log);
        return batch;
    }

    [Fact]
    public void Inputs_get_gapless_sequence_numbers_in_chain_order()
    {
        var batch = TakeAll(Fresh, Chain((100, 0), (100, 3), (101, 1), (105, 0)));
        var inputs = batch.Events.OfType<InputSequenced>().Select(e => e.Input).ToList();
        inputs.Select(i => i.Seq).ShouldBe([0L, 1, 2, 3]);
        inputs.Select(i => i.Position.ToString()).ShouldBe(["100#0", "100#3", "101#1", "105#0"]);
        inputs[0].Arguments.Single().ShouldBe(new DecodedArgument("amount", "uint256", "1"));
        inputs[0].Sender.ShouldBe("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
        inputs[0].Nonce.ShouldBe(7);
    }

    [Fact]
    public void A_block_is_cut_at_each_L1_block_boundary()
    {
        var batch = TakeAll(Fresh, Chain((100, 0), (100, 1), (101, 0), (102, 0), (102, 5)));
        var blocks = batch.Events.OfType<BlockSealed>().ToList();
        blocks.Select(b => b.Height).ShouldBe([0L, 1, 2]);
        blocks.Select(b => b.Count).ShouldBe([2, 1, 2]);
        blocks.Select(b => b.FirstSeq).ShouldBe([0L, 2, 3]);
        blocks.Select(b => (b.FromL1Block, b.ToL1Block)).ShouldBe([(100L, 100L), (101L, 101L), (102L, 102L)]);
        batch.State.Open.Count.ShouldBe(0);
    }

    [Fact]
    public void A_block_is_cut_at_the_maximum_input_count_inside_a_busy_L1_block()
    {
        var positions = Enumerable.Range(0, 7).Select(i => (100L, i)).ToArray();
        var batch = TakeAll(Fresh, Chain(positions), maxInputs: 3);
        batch.Events.OfType<BlockSealed>().Select(b => b.Count).ShouldBe([3, 3, 1]);
    }

    [Fact]
    public void Each_seal_records_its_own_stream_version_and_where_its_inputs_start()
    {
        // Registration is version 1; then input, input, seal (4), input, seal (6).
        var batch = TakeAll(Fresh, Chain((100, 0), (100, 1), (101, 0)));
        var blocks = batch.Events.OfType<BlockSealed>().ToList();
        blocks.Select(b => (b.InputsAfterVersion, b.StreamVersion)).ShouldBe([(1L, 4L), (4L, 6L)]);
    }

    [Fact]
    public void The_inputs_root_commits_to_the_inputs()
    {
        var batch = TakeAll(Fresh, Chain((100, 0), (100, 1), (100, 2)));
        var one = batch.Events.OfType<BlockSealed>().Single();
        var other = TakeAll(Fresh, Chain((100, 0), (100, 1), (100, 3))).Events.OfType<BlockSealed>().Single();
        one.InputsRoot.ShouldStartWith("0x");
        one.InputsRoot.Length.ShouldBe(66);
        one.InputsRoot.ShouldNotBe(other.InputsRoot);
        // The running root kept while the block was open equals the root of all its inputs at once.
        var inputs = batch.Events.OfType<InputSequenced>().Select(e => e.Input).ToList();
        one.InputsRoot.ShouldBe(Nexus.Ethereum.Merkle.InputsRoot.Compute(31337, "counter", inputs));
    }

    [Fact]
    public void A_log_that_is_not_next_in_the_chain_is_refused()
    {
        var logs = Chain((100, 0), (100, 1));
        var batch = new SequencingBatch(Fresh, 1, 100, Now);
        batch.IsNext(logs[1]).ShouldBeFalse();
        Should.Throw<InvalidOperationException>(() => batch.TakeNext(logs[1]));
    }

    [Fact]
    public void Taken_logs_are_duplicates_afterwards()
    {
        var logs = Chain((100, 0), (101, 0));
        var batch = TakeAll(Fresh, logs);
        logs.ShouldAllBe(l => batch.IsDuplicate(l));
        batch.IsDuplicate(InboxLog(102, 0, new LogPosition(101, 0), true, 1)).ShouldBeFalse();
    }

    [Fact]
    public void An_undecodable_payload_is_rejected_in_place_and_the_chain_goes_on()
    {
        var first = InboxLog(100, 0, null, true, 1, rawPayload: [0xde, 0xad]);
        var second = InboxLog(101, 0, first.Position, true, 2);
        var batch = TakeAll(Fresh, [first, second]);

        var rejected = batch.Events.OfType<InputRejected>().Single();
        rejected.Code.ShouldBe(RejectionCode.Undecodable);
        rejected.Reason.ShouldContain("uint256");
        batch.Rejections.Single().Id.ShouldBe(first.InputId);
        batch.Events.OfType<InputSequenced>().Single().Input.Seq.ShouldBe(0);
    }

    [Fact]
    public void A_registered_event_source_is_decoded_with_its_signature()
    {
        var log = InboxLog(100, 0, null, true, 1) with
        {
            Emitter = Auction,
            Topics = [Bid.Topic0, Sender, "0x" + new string('0', 63) + "2"],
            Data = Hex.Encode(new ABIEncode().GetABIEncoded(new ABIValue("uint256", 1000))),
        };
        var input = TakeAll(Fresh, [log]).Events.OfType<InputSequenced>().Single().Input;
        input.Source.ShouldBe(Bid.Text);
        input.Sender.ShouldBeNull();
        input.Arguments.Select(a => a.Value.ToLowerInvariant()).ShouldBe(["0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", "2", "1000"]);
    }

    [Fact]
    public void A_log_from_a_source_the_app_did_not_register_is_rejected()
    {
        var log = InboxLog(100, 0, null, true, 1) with { Emitter = "0x00000000000000000000000000000000000000cc" };
        TakeAll(Fresh, [log]).Events.OfType<InputRejected>().Single().Code.ShouldBe(RejectionCode.UnregisteredSource);
    }

    [Fact]
    public void Unclaimed_logs_older_than_the_registration_are_rejected_and_newer_ones_left_to_the_apps_watch()
    {
        var batch = new SequencingBatch(Fresh, 1, 100, Now);
        batch.TakeUnclaimed(InboxLog(99, 0, null, false, 1) with { Unclaimed = true }).ShouldBeTrue();
        batch.TakeUnclaimed(InboxLog(100, 0, null, false, 1) with { Unclaimed = true }).ShouldBeFalse();
        var rejected = batch.Events.OfType<InputRejected>().Single();
        rejected.Code.ShouldBe(RejectionCode.BeforeRegistration);
        batch.State.Last.ShouldBeNull("a rejection outside the chain must not move the chain");
    }

    [Fact]
    public void Sequencing_in_several_batches_equals_sequencing_at_once()
    {
        var random = new Random(3);
        var positions = Enumerable.Range(0, 60).Select(i => (100L + i / 4, i % 4 * 2)).ToArray();
        var logs = Chain(positions);
        var atOnce = TakeAll(Fresh, logs, maxInputs: 5);

        var state = Fresh;
        var events = new List<object>();
        for (var i = 0; i < logs.Count;)
        {
            var n = random.Next(1, 9);
            var part = TakeAll(state, logs.Skip(i).Take(n), maxInputs: 5, version: 1 + events.Count);
            events.AddRange(part.Events);
            state = part.State;
            i += n;
        }
        events.Count.ShouldBe(atOnce.Events.Count);
        events.OfType<BlockSealed>().ShouldBe(atOnce.Events.OfType<BlockSealed>());
    }
}
