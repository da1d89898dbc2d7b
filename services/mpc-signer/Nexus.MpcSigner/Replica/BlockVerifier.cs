using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Nexus.Contracts.Signer;
using Nexus.Ethereum;
using Nexus.Ethereum.Chain;
using Nexus.Runtime.Blocks;
using Nexus.Runtime.Wasm;
using Nexus.State;

namespace Nexus.MpcSigner.Replica;

/// <summary>
/// The replica's judgement of a block: every input confirmed on its own Ethereum node, the block
/// re-executed with the shared runtime on its own copy of the app's state, and the header compared.
/// Only then is the header recorded as the one this replica will sign at that height. Blocks are
/// verified strictly in order per app; a gap is answered BEHIND so the coordinator feeds the missing
/// ones first.
/// </summary>
public sealed class BlockVerifier(
    WasmRuntime runtime,
    IChainReader chain,
    ReplicaStore store,
    ReplicaState state,
    IOptions<ReplicaOptions> options,
    SignerMetrics metrics,
    ILogger<BlockVerifier> log)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new();
    private readonly ConcurrentDictionary<string, AppMembership> _members = new();
    private long _chainId = -1;

    public async Task<VerifyResponse> VerifyAsync(BlockProposal proposal, CancellationToken ct)
    {
        var (seal, inputs, deployment) = ProposalJson.Decode(proposal);
        if (seal.AppId != proposal.AppId || seal.Height != proposal.Height)
            throw new MalformedProposalException($"the seal is for {seal.AppId}/{seal.Height}, the proposal for {proposal.AppId}/{proposal.Height}");
        if (deployment is not null && (deployment.AppId != proposal.AppId || deployment.FromHeight > proposal.Height))
            throw new MalformedProposalException($"the deployment of {deployment.AppId} from height {deployment.FromHeight} is not in force at {proposal.AppId}/{proposal.Height}");

        var gate = _locks.GetOrAdd(proposal.AppId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            var app = await state.GetAsync(proposal.AppId, ct);
            if (proposal.Height <= app.Height)
            {
                var recorded = await store.HeaderAtAsync(proposal.AppId, proposal.Height, ct);
                return string.Equals(recorded, proposal.HeaderHash, StringComparison.OrdinalIgnoreCase)
                    ? Verified(recorded!)
                    : Refuse(proposal, $"this replica verified header {recorded} at height {proposal.Height}, not {proposal.HeaderHash}");
            }
            if (proposal.Height > app.Height + 1)
                return new VerifyResponse { Status = VerifyStatus.Behind, NextHeight = app.Height + 1, Reason = $"verified up to height {app.Height}" };

            var chainId = await ChainIdAsync(ct);
            if (seal.ChainId != chainId)
                return Refuse(proposal, $"the block is for chain {seal.ChainId}; this replica's node is on chain {chainId}");
            if (Discontinuity(app.Head, seal, inputs, deployment) is { } broken)
                return Refuse(proposal, broken);
            // The registration is pinned with the app's first block and every input is checked against it.
            var registrationJson = app.Head?.Registration
                ?? (proposal.RegistrationJson.IsEmpty ? throw new MalformedProposalException("registration_json is required for an app's first block") : proposal.RegistrationJson.ToStringUtf8());
            // Parsed once per registration, not per block.
            var membership = _members.GetOrAdd(registrationJson, json => new AppMembership(ProposalJson.Registration(json)));
            if (membership.Registration is var registration && (registration.AppId != proposal.AppId || registration.ChainId != chainId))
                return Refuse(proposal, $"the registration is for {registration.AppId} on chain {registration.ChainId}");
            if (inputs.Select(membership.Check).FirstOrDefault(reason => reason is not null) is { } foreign)
                return Refuse(proposal, foreign);

            if (deployment is not null && !runtime.TryGetLoaded(deployment.CodeHash, out _) && await store.CodeAsync(deployment.CodeHash, ct) is null)
            {
                if (proposal.Code.IsEmpty)
                    return new VerifyResponse { Status = VerifyStatus.NeedCode, Reason = $"module {deployment.CodeHash} is not held here" };
                var wasm = proposal.Code.ToByteArray();
                if (WasmRuntime.CodeHash(wasm) is var hash && !string.Equals(hash, deployment.CodeHash, StringComparison.OrdinalIgnoreCase))
                    throw new MalformedProposalException($"the module sent hashes to {hash}, the deployment names {deployment.CodeHash}");
                await store.StoreCodeAsync(deployment.CodeHash, wasm, ct);
            }
            var code = await CodeBinding.ForAsync(runtime, deployment, h => store.CodeAsync(h, ct));

            var failures = await InputVerifier.VerifyAsync(chain, inputs, options.Value.Confirmations, ct);
            if (failures.Count > 0)
                return Refuse(proposal, $"{failures.Count} input(s) not confirmed by this replica's node; first: seq {failures[0].Seq}: {failures[0].Reason}");

            // Execution changes the cached tree in place: whatever stops this block from being recorded
            // (a refusal, a failure, a cancelled call) drops the copy, so the next attempt reloads it.
            var committed = false;
            try
            {
                var tree = await app.TreeAsync(ct);
                Contracts.Executor.BlockExecuted executed;
                try
                {
                    executed = BlockExecutor.Execute(runtime, code, tree, seal, inputs, app.HeaderHash);
                }
                catch (BlockIntegrityException e)
                {
                    return Refuse(proposal, e.Message);
                }
                if (!string.Equals(executed.HeaderHash, proposal.HeaderHash, StringComparison.OrdinalIgnoreCase))
                {
                    var h = executed.Header;
                    return Refuse(proposal, $"re-execution gives header {executed.HeaderHash} (previous {h.PreviousHeaderHash}, code {h.CodeHash}, state root {h.StateRoot}, outputs root {h.OutputsRoot}, results root {h.ResultsRoot}); the proposal says {proposal.HeaderHash}");
                }

                // Not cancellable from here: the nodes are taken from the tree, so this must finish or fail.
                await state.CommitAsync(app, executed, tree, seal, inputs, deployment, registrationJson, CancellationToken.None);
                committed = true;
                metrics.BlocksVerified.Add(1);
                return Verified(executed.HeaderHash);
            }
            finally
            {
                if (!committed)
                    state.Forget(proposal.AppId);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Why this block cannot follow the last one this replica verified, or null: it must start at the
    /// next sequence number, its inputs must come after the last input in chain order (none skipped
    /// twice, none reused), and the code may change only at a deployment's own height.
    /// </summary>
    private static string? Discontinuity(VerifiedHead? head, Contracts.Sequencer.BlockSealed seal,
        IReadOnlyList<Contracts.Sequencer.SequencedInput> inputs, Contracts.Registry.AppCodeDeployed? deployment)
    {
        var nextSeq = head?.NextSeq ?? 0;
        if (seal.FirstSeq != nextSeq)
            return $"the block starts at sequence number {seal.FirstSeq}; this replica's next is {nextSeq}";
        var last = head?.LastInput;
        foreach (var input in inputs)
        {
            if (last is not null && !last.IsBefore(input.Position))
                return $"input {input.Seq} at {input.Position} does not come after {last} in chain order";
            last = input.Position;
        }
        var previous = head?.Code;
        var now = CodeInForce.Of(deployment);
        if (now == previous)
            return null;
        if (now is null)
            return $"the block runs no code, but code {previous!.CodeHash} was in force";
        return now.FromHeight == seal.Height ? null
            : $"code {now.CodeHash} from height {now.FromHeight} appears at height {seal.Height}; a deployment takes effect at its own height";
    }

    private static VerifyResponse Verified(string headerHash) => new() { Status = VerifyStatus.Verified, HeaderHash = headerHash };

    private VerifyResponse Refuse(BlockProposal proposal, string reason)
    {
        metrics.Refusals.Add(1);
        log.LogWarning("App {AppId} block {Height}: refused: {Reason}", proposal.AppId, proposal.Height, reason);
        return new VerifyResponse { Status = VerifyStatus.Refused, Reason = reason };
    }

    /// <summary>The chain this replica's own node is on (asked once).</summary>
    public async Task<long> ChainIdAsync(CancellationToken ct)
    {
        if (_chainId < 0)
            _chainId = await chain.GetChainIdAsync(ct);
        return _chainId;
    }

    public long ChainId => _chainId;
}

/// <summary>
/// The replica's copy of each app's state: the verified head from its store and the state tree,
/// kept in memory after first use (reloaded from its own nodes after a restart or a refusal).
/// </summary>
public sealed class ReplicaState(ReplicaStore store, ReplicaNodes nodes)
{
    private readonly ConcurrentDictionary<string, AppCopy> _apps = new();

    public sealed class AppCopy(string appId, VerifiedHead? head, ReplicaNodes nodes)
    {
        private StateTree? _tree;

        public string AppId => appId;
        public long Height => head?.Height ?? -1;
        public string HeaderHash => head?.HeaderHash ?? BlockEncoding.Zero32;
        public VerifiedHead? Head => head;

        public async Task<StateTree> TreeAsync(CancellationToken ct) =>
            _tree ??= head is null ? new StateTree() : await nodes.Nodes.LoadAsync(appId, head.StateRoot, ct);

        internal AppCopy Next(VerifiedHead next, StateTree tree) => new(appId, next, nodes) { _tree = tree };
    }

    public async Task<AppCopy> GetAsync(string appId, CancellationToken ct) =>
        _apps.TryGetValue(appId, out var app) ? app : _apps[appId] = new AppCopy(appId, await store.HeadAsync(appId, ct), nodes);

    public void Forget(string appId) => _apps.TryRemove(appId, out _);

    /// <summary>Writes the block's new state nodes, then records the header and moves the head (one transaction).</summary>
    public async Task CommitAsync(AppCopy app, Contracts.Executor.BlockExecuted block, StateTree tree, Contracts.Sequencer.BlockSealed seal,
        IReadOnlyList<Contracts.Sequencer.SequencedInput> inputs, Contracts.Registry.AppCodeDeployed? deployment, string registration, CancellationToken ct)
    {
        await nodes.Nodes.WriteAsync(app.AppId, tree.TakeNewNodes(), ct);
        var lastInput = inputs.Count > 0 ? inputs[^1].Position : app.Head?.LastInput ?? new Contracts.LogPosition(-1, -1);
        var next = new VerifiedHead(app.AppId, block.Height, block.HeaderHash, tree.Root, seal.FirstSeq + seal.Count, lastInput.BlockNumber, lastInput.LogIndex,
            CodeInForce.Of(deployment), registration);
        if (!await store.RecordVerifiedAsync(next, ct))
        {
            Forget(app.AppId);
            throw new InvalidOperationException($"app {app.AppId} height {block.Height}: the replica's store moved meanwhile");
        }
        _apps[app.AppId] = app.Next(next, tree);
    }
}

/// <summary>The replica's state-tree nodes, in its own schema.</summary>
public sealed record ReplicaNodes(StateNodes Nodes);
