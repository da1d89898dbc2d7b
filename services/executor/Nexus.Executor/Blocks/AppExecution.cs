namespace Nexus.Executor.Blocks;

/// <summary>
/// The executor's own head for one app (its document, written only under the app's stream lock, in
/// the transaction that appends the blocks it executed): the last executed block (height, header hash,
/// state root, and the stream version of its seal, after which the next block's inputs are read).
/// </summary>
public sealed record AppExecution(
    string Id,
    long Height,
    string HeaderHash,
    string StateRoot,
    long SealedVersion,
    long Inputs,
    long Rejected)
{
    /// <summary>Nothing executed yet: height -1, and the first block's inputs start after the registration.</summary>
    public static AppExecution Start(string appId) => new(appId, -1, Runtime.Blocks.BlockEncoding.Zero32, Runtime.Blocks.BlockEncoding.Zero32, 1, 0, 0);

    public AppExecution Apply(Contracts.Executor.BlockExecuted e) => this with
    {
        Height = e.Height,
        HeaderHash = e.HeaderHash,
        StateRoot = e.Header.StateRoot,
        SealedVersion = e.SealedVersion,
        Inputs = Inputs + e.Results.Count,
        Rejected = Rejected + e.Results.Count(r => !r.Accepted),
    };
}

/// <summary>
/// The executor's index of its blocks (its document): where each block's <c>BlockExecuted</c> sits in
/// the stream and which sequence numbers it holds, so queries find an input's block with one index scan
/// and read the result from the stream (the result itself is not copied here).
/// </summary>
public sealed record ExecutedBlock(string Id, string AppId, long Height, long FirstSeq, long LastSeq, long StreamVersion)
{
    public static string IdFor(string appId, long height) => $"{appId}/{height}";

    public static ExecutedBlock For(Contracts.Executor.BlockExecuted e, long version) => new(
        IdFor(e.AppId, e.Height), e.AppId, e.Height,
        e.Results.Count > 0 ? e.Results[0].Seq : -1,
        e.Results.Count > 0 ? e.Results[^1].Seq : -2,
        version);
}
