using Nexus.Contracts;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum.Abi;
using Nexus.MpcSigner.Replica;

namespace Nexus.MpcSigner.Tests;

/// <summary>A replica signs only logs that are inputs of the app: its inbox submissions or its registered events.</summary>
public sealed class AppMembershipTests
{
    private const string Inbox = "0x1111111111111111111111111111111111111111";
    private const string Auction = "0x2222222222222222222222222222222222222222";
    private const string Bid = "BidPlaced(address indexed bidder, uint256 indexed lotId, uint256 amount)";

    private static readonly AppRegistered Registration = new()
    {
        AppId = "my-app", ChainId = 31337, Inbox = Inbox, PayloadAbi = null,
        Sources = [new EventSource(Auction, Bid)], Confirmations = 1, FromBlock = 100, RegisteredAt = DateTimeOffset.UnixEpoch,
    };

    private static SequencedInput Input(string emitter, IReadOnlyList<string> topics, long block = 120) => new()
    {
        Seq = 7, InputId = "x", Position = new LogPosition(block, 0), BlockHash = "0x", BlockTimestamp = 0, TxHash = "0x", TxIndex = 0,
        Emitter = emitter, Topics = topics, Data = "0x", Source = "test", Arguments = [],
    };

    [Fact]
    public void Inbox_submissions_to_the_app_and_its_registered_events_are_inputs_and_nothing_else_is()
    {
        var membership = new AppMembership(Registration);
        var (mine, _) = InboxEvents.Encode("my-app", Inbox, 1, [1]);
        var (theirs, _) = InboxEvents.Encode("other-app", Inbox, 1, [1]);
        var bid = EventSignature.Parse(Bid).Topic0;

        membership.Check(Input(Inbox.ToUpperInvariant().Replace("0X", "0x"), mine)).ShouldBeNull();
        membership.Check(Input(Auction, [bid, "0x01", "0x02"])).ShouldBeNull();

        membership.Check(Input(Inbox, theirs))!.ShouldContain("another app");
        membership.Check(Input("0x3333333333333333333333333333333333333333", mine))!.ShouldContain("not one of the app's registered sources");
        membership.Check(Input(Auction, [EventSignature.Parse("Other(uint256 x)").Topic0]))!.ShouldContain("not one of the app's registered sources");
        membership.Check(Input(Inbox, [bid]))!.ShouldContain("not one of the app's registered sources");
        membership.Check(Input(Auction, []))!.ShouldContain("not one of the app's registered sources");
        membership.Check(Input(Inbox, mine, block: 99))!.ShouldContain("before the app's first block");
    }
}
