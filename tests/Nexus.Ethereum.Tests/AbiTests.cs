using Nexus.Ethereum.Abi;

namespace Nexus.Ethereum.Tests;

public class AbiTests
{
    private const string Word1 = "0000000000000000000000000000000000000000000000000000000000000001";

    [Fact]
    public void Inbox_topic0_is_the_keccak_of_the_canonical_signature()
    {
        // keccak256("InputSubmitted(bytes32,address,uint64,bytes)") as computed by solc for NexusInbox.
        InboxEvents.InputSubmitted.Topic0.ShouldBe("0x8ebcb135fbd043ef37c31d4f296e2ed64d87960ada5e8318c4898e0e181482d9");
        EventSignature.Parse("BidPlaced(address indexed bidder, uint256 indexed lotId, uint256 amount)").Topic0
            .ShouldBe("0xdf8644c0a4c21ed214ce69f395675b3a5fcd1039083daea5058898de40ea3149");
    }

    [Fact]
    public void Decodes_indexed_and_data_parameters_in_declaration_order()
    {
        var bid = EventSignature.Parse("BidPlaced(address indexed bidder, uint256 indexed lotId, uint256 amount)");
        var args = bid.Decode(
            [bid.Topic0, "0x000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266", "0x" + Word1],
            "0x00000000000000000000000000000000000000000000000000000000000003e8");
        args.Select(a => (a.Name, a.Value.ToLowerInvariant())).ShouldBe(
            [("bidder", "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"), ("lotId", "1"), ("amount", "1000")]);
    }

    [Theory]
    [InlineData("0x")]                                                                           // empty
    [InlineData("0x00000000000000000000000000000000000000000000000000000000000003")]             // short
    [InlineData("0x" + Word1 + Word1)]                                                           // trailing word
    public void Rejects_data_that_is_not_exactly_the_declared_encoding(string data)
    {
        var bid = EventSignature.Parse("BidPlaced(address indexed bidder, uint256 indexed lotId, uint256 amount)");
        Should.Throw<FormatException>(() => bid.Decode([bid.Topic0, "0x" + Word1, "0x" + Word1], data));
    }

    [Fact]
    public void Rejects_a_log_whose_topics_do_not_match_the_indexed_parameters()
    {
        var bid = EventSignature.Parse("BidPlaced(address indexed bidder, uint256 indexed lotId, uint256 amount)");
        Should.Throw<FormatException>(() => bid.Decode([bid.Topic0, "0x" + Word1], "0x" + Word1)).Message.ShouldContain("indexed");
        Should.Throw<FormatException>(() => bid.Decode(["0x" + Word1, "0x" + Word1, "0x" + Word1], "0x" + Word1)).Message.ShouldContain("topic 0");
    }

    [Theory]
    [InlineData("not an event")]
    [InlineData("Broken(uint256")]
    [InlineData("")]
    public void Rejects_malformed_declarations(string text) => Should.Throw<FormatException>(() => EventSignature.Parse(text));

    [Fact]
    public void Payload_decodes_under_the_apps_type_list()
    {
        var types = PayloadCodec.ParseTypes("(uint256 amount, address to)");
        var args = PayloadCodec.Decode(types, Hex.Decode("0x" + Word1 + "000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266"));
        args.Select(a => a.Name).ShouldBe(["amount", "to"]);
        args[0].Value.ShouldBe("1");
    }

    [Theory]
    [InlineData("0xdead")]
    [InlineData("0x" + Word1)]
    [InlineData("0x" + Word1 + Word1 + Word1)]
    public void Payload_of_the_wrong_size_is_rejected(string payload) =>
        Should.Throw<FormatException>(() => PayloadCodec.Decode(PayloadCodec.ParseTypes("(uint256,address)"), Hex.Decode(payload)));

    [Fact]
    public void Dynamic_payloads_decode_and_garbage_offsets_are_rejected()
    {
        var types = PayloadCodec.ParseTypes("(bytes)");
        var good = "0x" + "0000000000000000000000000000000000000000000000000000000000000020"
                        + "0000000000000000000000000000000000000000000000000000000000000002"
                        + "abcd000000000000000000000000000000000000000000000000000000000000";
        PayloadCodec.Decode(types, Hex.Decode(good))[0].Value.ShouldBe("0xabcd");
        var badOffset = "0x" + "00000000000000000000000000000000000000000000000000000000000fffff" + Word1;
        Should.Throw<FormatException>(() => PayloadCodec.Decode(types, Hex.Decode(badOffset)));
    }

    [Theory]
    [InlineData("counter")]
    [InlineData("a")]
    [InlineData("app-with-32-characters-exactly-x")]
    public void App_ids_round_trip_through_bytes32(string appId) =>
        AppIds.FromBytes32(AppIds.ToBytes32(appId)).ShouldBe(appId);

    [Theory]
    [InlineData("Upper")]
    [InlineData("-lead")]
    [InlineData("")]
    [InlineData("app-with-33-characters-exactly-xy")]
    [InlineData("spa ce")]
    public void Invalid_app_ids_are_refused(string appId) => Should.Throw<ArgumentException>(() => AppIds.ToBytes32(appId));

    [Fact]
    public void A_bytes32_with_bytes_after_the_padding_is_not_an_app_id()
    {
        var bytes = AppIds.ToBytes32("abc");
        bytes[31] = 1;
        AppIds.FromBytes32(bytes).ShouldBeNull();
    }
}
