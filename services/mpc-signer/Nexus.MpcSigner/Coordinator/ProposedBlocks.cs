using Google.Protobuf;
using Marten;
using Nexus.AppStreams;
using Nexus.Contracts.Executor;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;
using Nexus.Contracts.Signer;
using Nexus.MpcSigner.Replica;
using Nexus.Runtime.Blocks;

namespace Nexus.MpcSigner.Coordinator;

/// <summary>An executed block with everything a replica needs to judge it.</summary>
public sealed record ProposedBlock(BlockExecuted Executed, SealedBlock Sealed, AppCodeDeployed? Deployment, AppRegistered Registration);

/// <summary>Executed blocks read back from the app stream and put to the replicas.</summary>
public static class ProposedBlocks
{
    /// <summary>The block as recorded: its BlockExecuted, its seal and inputs from the stream, and the code in force.</summary>
    public static async Task<ProposedBlock?> LoadAsync(IDocumentStore store, string appId, long height, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        if (await query.LoadAsync<ExecutedBlock>(ExecutedBlock.IdFor(appId, height), ct) is not { } executed)
            return null;
        var version = executed.Block.SealedVersion;
        var sealEvent = await query.Events.FetchStreamAsync(appId, version: version, fromVersion: version, token: ct);
        if (sealEvent.Count != 1 || sealEvent[0].Data is not BlockSealed seal)
            throw new BlockIntegrityException(height, $"stream version {version} of {appId} is not its seal");
        var events = await query.Events.FetchStreamAsync(appId, version: version, fromVersion: seal.InputsAfterVersion + 1, token: ct);
        var slice = AppBlocks.Split(events.Select(e => (e.Version, e.Data)), seal.InputsAfterVersion, endOfStream: false);
        var sealedBlock = slice.Blocks.SingleOrDefault(b => b.Seal.Height == height)
            ?? throw new BlockIntegrityException(height, "its inputs are not in the stream before its seal");
        var head = await query.LoadAsync<AppExecution>(appId, ct);
        var first = await query.Events.FetchStreamAsync(appId, version: 1, fromVersion: 1, token: ct);
        if (first.Count != 1 || first[0].Data is not AppRegistered registration)
            throw new BlockIntegrityException(height, $"the first event of {appId}'s stream is not its registration");
        return new ProposedBlock(executed.Block, sealedBlock, head?.CodeAt(height), registration);
    }

    public static BlockProposal Proposal(ProposedBlock block) => new()
    {
        AppId = block.Executed.AppId,
        Height = block.Executed.Height,
        HeaderHash = block.Executed.HeaderHash,
        SealJson = ProposalJson.Encode(block.Sealed.Seal),
        InputsJson = ProposalJson.Encode(block.Sealed.Inputs),
        DeploymentJson = block.Deployment is null ? ByteString.Empty : ProposalJson.Encode(block.Deployment),
        RegistrationJson = ProposalJson.Encode(block.Registration),
    };

}
