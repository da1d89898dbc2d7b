using Nexus.Contracts;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum.Merkle;

namespace Nexus.Sequencer.Inputs;

/// <summary>
/// The sequencer's own head for one app (its document, written only under the app's stream lock, in
/// the transaction that appends what it decided): the next sequence number and height, the position
/// of the last input taken (sequenced or rejected in order), and the open block (its size, L1 range
/// and running inputs root — constant size, however many inputs the block holds).
/// </summary>
public sealed record AppSequence(
    string Id,
    AppRegistered Registration,
    long NextSeq,
    long NextHeight,
    LogPosition? Last,
    OpenBlock Open,
    long LastSealVersion,
    long SealedInputs,
    long Rejected)
{
    /// <summary>Nothing taken yet; the registration is the stream's first event (version 1).</summary>
    public static AppSequence Start(AppRegistered registration) => new(registration.AppId, registration, 0, 0, null, OpenBlock.Empty, 1, 0, 0);

    public AppSequence Apply(InputSequenced e) => this with
    {
        NextSeq = e.Input.Seq + 1,
        Last = e.Input.Position,
        Open = Open.Add(Registration.ChainId, Id, e.Input),
    };

    public AppSequence Apply(BlockSealed e) => this with
    {
        NextHeight = e.Height + 1,
        Open = OpenBlock.Empty,
        LastSealVersion = e.StreamVersion,
        SealedInputs = SealedInputs + e.Count,
    };

    public AppSequence Apply(InputRejected e) =>
        this with { Last = TakesPlaceInOrder(e.Code) ? e.Position : Last, Rejected = Rejected + 1 };

    /// <summary>Rejections of logs the app's own watch delivered hold their place in the order chain.</summary>
    public static bool TakesPlaceInOrder(RejectionCode code) =>
        code is RejectionCode.Undecodable or RejectionCode.UnregisteredSource;
}

/// <summary>The block being filled: no inputs kept, only what sealing needs.</summary>
public sealed record OpenBlock(int Count, long FirstSeq, long FromL1Block, long ToL1Block, MerkleFrontier Frontier)
{
    public static readonly OpenBlock Empty = new(0, 0, 0, 0, MerkleFrontier.Empty);

    public OpenBlock Add(long chainId, string appId, SequencedInput input) => new(
        Count + 1,
        Count == 0 ? input.Seq : FirstSeq,
        Count == 0 ? input.Position.BlockNumber : FromL1Block,
        input.Position.BlockNumber,
        InputsRoot.Append(Frontier, chainId, appId, input));
}
