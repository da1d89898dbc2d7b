using Google.Protobuf;
using Grpc.Core;
using Marten;
using Nexus.AppStreams.Reading;
using Nexus.Contracts.Executor;
using Nexus.Contracts.Query;
using Nexus.Executor.Blocks;
using Nexus.Ethereum;
using Nexus.State;
using Proto = Nexus.Contracts.Query;

namespace Nexus.Executor.Query;

/// <summary>
/// gRPC queries over executed blocks. Everything answered is committed: values come with a proof
/// against the state root of the block asked for, read from the content-addressed node store, so an
/// old height is served as easily as the latest one.
/// </summary>
public sealed class AppQueryService(IDocumentStore store, StateNodes nodes) : AppQuery.AppQueryBase
{
    public override async Task<GetStateResponse> GetState(GetStateRequest request, ServerCallContext context)
    {
        var block = await BlockAsync(request.AppId, request.HasHeight ? request.Height : null, context.CancellationToken);
        var root = Hex.Decode(block.Header.StateRoot);
        StateProof proof;
        try
        {
            proof = await nodes.ProveAsync(request.AppId, root, request.Key.ToByteArray(), context.CancellationToken);
        }
        catch (StateCorruptedException e)
        {
            throw new RpcException(new Status(StatusCode.DataLoss, $"state of app '{request.AppId}' at height {block.Height}: {e.Message}"));
        }
        var response = new GetStateResponse
        {
            Height = block.Height,
            StateRoot = ByteString.CopyFrom(root),
            HeaderHash = block.HeaderHash,
            Found = proof.IsInclusion,
            Proof = new Proto.StateValueProof
            {
                TerminalIsLeaf = proof.Terminal == StateProofTerminal.Leaf,
                LeafPath = ByteString.CopyFrom(proof.LeafPath ?? []),
                LeafValueHash = ByteString.CopyFrom(proof.LeafValueHash ?? []),
            },
        };
        if (proof.Value is { } value)
            response.Value = ByteString.CopyFrom(value);
        response.Proof.Siblings.AddRange(proof.Siblings.Select(ByteString.CopyFrom));
        return response;
    }

    public override async Task<GetHeaderResponse> GetHeader(GetHeaderRequest request, ServerCallContext context)
    {
        var block = await BlockAsync(request.AppId, request.HasHeight ? request.Height : null, context.CancellationToken);
        var h = block.Header;
        return new GetHeaderResponse
        {
            HeaderHash = block.HeaderHash,
            Header = new Proto.BlockHeader
            {
                ChainId = h.ChainId,
                AppId = h.AppId,
                Height = h.Height,
                PreviousHeaderHash = h.PreviousHeaderHash,
                CodeHash = h.CodeHash,
                InputsRoot = h.InputsRoot,
                InputCount = h.InputCount,
                StateRoot = h.StateRoot,
                OutputsRoot = h.OutputsRoot,
                OutputCount = h.OutputCount,
                ResultsRoot = h.ResultsRoot,
                L1Block = h.L1Block,
            },
        };
    }

    public override async Task<GetInputResultResponse> GetInputResult(GetInputResultRequest request, ServerCallContext context)
    {
        await using var session = store.QuerySession();
        // The block with the greatest first seq ≤ seq (an index range scan), then check it holds the input.
        var block = await session.Query<ExecutedBlock>()
            .Where(b => b.AppId == request.AppId && b.FirstSeq <= request.Seq)
            .OrderByDescending(b => b.FirstSeq)
            .FirstOrDefaultAsync(context.CancellationToken);
        if (block is null || block.LastSeq < request.Seq)
            throw new RpcException(new Status(StatusCode.NotFound, $"input {request.Seq} of app '{request.AppId}' is not executed yet"));
        var executed = await ExecutedAtAsync(session, block, context.CancellationToken);
        var r = executed.Results[(int)(request.Seq - block.FirstSeq)];
        var response = new GetInputResultResponse
        {
            Height = block.Height,
            InputId = r.InputId,
            Accepted = r.Accepted,
            Reason = r.Reason ?? "",
            Code = r.Code,
            Message = r.Message ?? "",
            FuelUsed = r.FuelUsed,
        };
        response.Outputs.AddRange(r.Outputs.Select(o => new Output { Index = o.Index, Kind = o.Kind, Target = o.Target, Payload = ByteString.CopyFrom(Hex.Decode(o.Payload)) }));
        return response;
    }

    /// <summary>The executed block at a height (the latest when none is given), read from the stream where the index says it is.</summary>
    private async Task<BlockExecuted> BlockAsync(string appId, long? height, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        if (height is null)
        {
            var head = await session.LoadAsync<AppExecution>(appId, ct);
            if (head is null || head.Height < 0)
                throw new RpcException(new Status(StatusCode.NotFound, $"app '{appId}' has no executed block (or is not registered)"));
            height = head.Height;
        }
        var block = await session.LoadAsync<ExecutedBlock>(ExecutedBlock.IdFor(appId, height.Value), ct)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"block {height} of app '{appId}' is not executed"));
        return await ExecutedAtAsync(session, block, ct);
    }

    private static async Task<BlockExecuted> ExecutedAtAsync(IQuerySession session, ExecutedBlock block, CancellationToken ct) =>
        (await AppStreamReader.EventAtAsync<BlockExecuted>(session, block.AppId, block.StreamVersion, ct))?.Data
        ?? throw new RpcException(new Status(StatusCode.DataLoss, $"block {block.Height} of app '{block.AppId}' is not at version {block.StreamVersion} of its stream"));
}
