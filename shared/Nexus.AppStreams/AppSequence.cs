using Nexus.Contracts;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;

namespace Nexus.AppStreams;

/// <summary>
/// Where an app's ordering stands: the next sequence number and height, the position of the last
/// input taken (sequenced or rejected in order) and the inputs of the block still open.
/// The sequencer decides on it; the CLI shows it.
/// </summary>
public sealed record AppSequence(
    string Id,
    AppRegistered Registration,
    long NextSeq,
    long NextHeight,
    LogPosition? Last,
    IReadOnlyList<SequencedInput> Open,
    long SealedInputs,
    long Rejected)
{
    public static AppSequence Create(AppRegistered e) => new(e.AppId, e, 0, 0, null, [], 0, 0);

    public AppSequence Apply(InputSequenced e) =>
        this with { NextSeq = e.Input.Seq + 1, Last = e.Input.Position, Open = [.. Open, e.Input] };

    public AppSequence Apply(AppBlockSealed e) =>
        this with { NextHeight = e.Height + 1, Open = [], SealedInputs = SealedInputs + e.Inputs.Count };

    public AppSequence Apply(InputRejected e) =>
        this with { Last = TakesPlaceInOrder(e.Code) ? e.Position : Last, Rejected = Rejected + 1 };

    /// <summary>Rejections of logs the app's own watch delivered hold their place in the order chain.</summary>
    public static bool TakesPlaceInOrder(RejectionCode code) =>
        code is RejectionCode.Undecodable or RejectionCode.UnregisteredSource;
}
