using Google.Protobuf;
using Nexus.Contracts.Signer;
using Nexus.Crypto.Frost;
using Nexus.MpcSigner.Replica;

namespace Nexus.MpcSigner.Tests;

public sealed class ReplicaTests
{
    [Fact]
    public void A_nonce_is_handed_out_once_and_the_oldest_are_forgotten_beyond_the_cap()
    {
        var key = TrustedDealer.Deal(3, 2).Packages[0];
        var book = new NonceBook(capacity: 3);
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids)
            book.Add(id, Frost.Commit(key));

        book.Count.ShouldBe(3);
        book.TryPeek(ids[0], out _).ShouldBeFalse();
        book.TryPeek(ids[1], out _).ShouldBeFalse();
        book.TryTake(ids[4], out var taken).ShouldBeTrue();
        taken.ShouldNotBeNull();
        book.TryTake(ids[4], out _).ShouldBeFalse();
        book.TryPeek(ids[4], out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("{not json", "[]")]
    [InlineData("{}", "[]")]
    [InlineData("null", "[]")]
    [InlineData("{\"appId\":\"a\",\"chainId\":1,\"height\":0,\"firstSeq\":0,\"count\":0,\"inputsRoot\":\"0x\",\"fromL1Block\":0,\"toL1Block\":0,\"streamVersion\":1,\"inputsAfterVersion\":0}", "[null]")]
    [InlineData("{\"appId\":\"a\",\"chainId\":1,\"height\":0,\"firstSeq\":0,\"count\":0,\"inputsRoot\":\"0x\",\"fromL1Block\":0,\"toL1Block\":0,\"streamVersion\":1,\"inputsAfterVersion\":0}", "[{\"seq\":0}]")]
    public void A_malformed_proposal_is_a_protocol_error_with_the_field_named(string seal, string inputs)
    {
        var proposal = new BlockProposal { AppId = "a", Height = 0, SealJson = ByteString.CopyFromUtf8(seal), InputsJson = ByteString.CopyFromUtf8(inputs) };
        var error = Should.Throw<MalformedProposalException>(() => ProposalJson.Decode(proposal));
        error.Message.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void A_well_formed_proposal_reads_back_what_was_encoded()
    {
        var seal = new Nexus.Contracts.Sequencer.BlockSealed
        {
            AppId = "a", ChainId = 31337, Height = 4, FirstSeq = 10, Count = 0, InputsRoot = "0x" + new string('0', 64),
            FromL1Block = 7, ToL1Block = 9, StreamVersion = 30, InputsAfterVersion = 20,
        };
        var proposal = new BlockProposal { AppId = "a", Height = 4, SealJson = ProposalJson.Encode(seal), InputsJson = ProposalJson.Encode(Array.Empty<Nexus.Contracts.Sequencer.SequencedInput>()) };
        var (decoded, inputs, deployment) = ProposalJson.Decode(proposal);
        decoded.ShouldBe(seal);
        inputs.ShouldBeEmpty();
        deployment.ShouldBeNull();
    }

    [Fact]
    public void The_committee_file_round_trips_and_rejects_a_group_key_that_does_not_match_its_package()
    {
        var keys = TrustedDealer.Deal(5, 3);
        var committee = new Committee(new PublicKeyPackage(keys.GroupPublicKey, keys.Packages.ToDictionary(k => k.Id, k => k.VerifyingShare)), 3, new byte[32]);
        var text = CommitteeFile.Serialize(committee);
        var read = CommitteeFile.Parse(text);
        read.GroupPublicKeyHex.ShouldBe(committee.GroupPublicKeyHex);
        read.MinSigners.ShouldBe(3);
        read.MaxSigners.ShouldBe(5);

        var other = new Committee(new PublicKeyPackage(TrustedDealer.Deal(5, 3).GroupPublicKey, committee.Public.VerifyingShares), 3, new byte[32]);
        Should.Throw<FrostException>(() => CommitteeFile.Parse(text.Replace(committee.GroupPublicKeyHex, other.GroupPublicKeyHex)));
        Should.Throw<FrostException>(() => CommitteeFile.Parse(text.Replace("\"minSigners\": 3", "\"minSigners\": 6")));
        Should.Throw<FrostException>(() => CommitteeFile.Parse("{ not json"));
        Should.Throw<FrostException>(() => CommitteeFile.Read("/nonexistent/committee.json")).Message.ShouldContain("nexus signers dkg");
    }
}
