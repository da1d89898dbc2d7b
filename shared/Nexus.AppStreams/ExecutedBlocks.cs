using Marten;
using Marten.Events.Projections;
using Nexus.Contracts.Executor;

namespace Nexus.AppStreams;

/// <summary>An executed block, indexed for queries by height and by input sequence number.</summary>
public sealed record ExecutedBlock(string Id, string AppId, long Height, long FirstSeq, long LastSeq, BlockExecuted Block)
{
    public static string IdFor(string appId, long height) => $"{appId}/{height}";
}

/// <summary>Inline: one <see cref="ExecutedBlock"/> document per <see cref="BlockExecuted"/> event, in the same transaction.</summary>
public sealed partial class ExecutedBlockProjection : EventProjection
{
    public void Project(BlockExecuted e, IDocumentOperations operations) => operations.Store(new ExecutedBlock(
        ExecutedBlock.IdFor(e.AppId, e.Height),
        e.AppId,
        e.Height,
        e.Results.Count > 0 ? e.Results[0].Seq : -1,
        e.Results.Count > 0 ? e.Results[^1].Seq : -2,
        e));
}
