using Nexus.Contracts.Executor;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum;
using Nexus.Ethereum.Merkle;
using Nexus.Runtime.Wasm;
using Nexus.State;

namespace Nexus.Runtime.Blocks;

/// <summary>The code in force for a block; <see cref="Module"/> null means none was deployed yet.</summary>
public sealed record CodeBinding(AppModule? Module, ExecutionLimits Limits)
{
    public static readonly CodeBinding None = new(null, ExecutionLimits.Default);

    public string CodeHash => Module?.CodeHash ?? BlockEncoding.Zero32;

    /// <summary>
    /// The binding for a deployment (or <see cref="None"/>): the compiled module from the runtime's cache,
    /// or compiled from the bytes <paramref name="loadCode"/> returns for its hash, which must hash to it.
    /// </summary>
    public static async Task<CodeBinding> ForAsync(WasmRuntime runtime, AppCodeDeployed? deployment, Func<string, Task<byte[]?>> loadCode)
    {
        if (deployment is null)
            return None;
        if (!runtime.TryGetLoaded(deployment.CodeHash, out var module))
        {
            var wasm = await loadCode(deployment.CodeHash)
                ?? throw new CodeIntegrityException($"code {deployment.CodeHash} of app {deployment.AppId} is missing from the code store");
            if (WasmRuntime.CodeHash(wasm) is var actual && actual != deployment.CodeHash)
                throw new CodeIntegrityException($"stored code {deployment.CodeHash} of app {deployment.AppId} hashes to {actual}: the code store was altered");
            module = runtime.Load(wasm);
        }
        return new CodeBinding(module, new ExecutionLimits(deployment.FuelLimit, deployment.MemoryLimitBytes));
    }
}

/// <summary>The code store does not hold the module a deployment names.</summary>
public sealed class CodeIntegrityException(string message) : Exception(message);

/// <summary>A stream that does not match its own commitments (a tampered or corrupted event).</summary>
public sealed class BlockIntegrityException(long height, string message) : Exception($"block {height}: {message}")
{
    public long Height { get; } = height;
}

/// <summary>
/// Executes one app block: every input in order on a fresh instance, accepted writes applied to the
/// state tree, then the state, outputs and results roots and the header. The executor service, the
/// signer replicas and the auditor all call this, so they cannot disagree by construction.
/// </summary>
public static class BlockExecutor
{
    public static BlockExecuted Execute(
        WasmRuntime runtime,
        CodeBinding code,
        StateTree state,
        BlockSealed block,
        IReadOnlyList<SequencedInput> inputs,
        string previousHeaderHash)
    {
        CheckInputs(block, inputs);
        var reader = new TreeReader(state);
        var results = new List<InputResult>(inputs.Count);
        var resultLeaves = new List<byte[]>(inputs.Count);
        var outputLeaves = new List<byte[]>();
        long fuel = 0;
        long outputBytes = 0;

        foreach (var input in inputs)
        {
            var outcome = code.Module is { } module
                ? runtime.Execute(module, code.Limits, GuestInput.From(input, block.ChainId, block.AppId, block.Height), reader, AbiV1.MaxOutputBytesPerBlock - outputBytes)
                : InputOutcome.Rejected(RejectReason.NoCode, 0, "no code is deployed for this height");
            foreach (var write in outcome.Writes)
            {
                if (write.Value is null)
                    state.Delete(write.Key);
                else
                    state.Set(write.Key, write.Value);
            }

            var outputs = new List<BlockOutput>(outcome.Outputs.Count);
            foreach (var output in outcome.Outputs)
            {
                outputs.Add(new BlockOutput(outputLeaves.Count, output.Kind == OutputKind.Call ? "call" : "notice", Hex.Encode(output.Target), Hex.Encode(output.Payload)));
                outputLeaves.Add(BlockEncoding.OutputLeaf(output.Kind, input.Seq, output.Target, output.Payload));
                outputBytes += output.Payload.Length;
            }
            fuel += outcome.FuelUsed;
            resultLeaves.Add(BlockEncoding.ResultLeaf(input.Seq, outcome.Reason, outcome.Code, outcome.FuelUsed, outputs.Count));
            results.Add(new InputResult
            {
                Seq = input.Seq,
                InputId = input.InputId,
                Accepted = outcome.Accepted,
                Reason = outcome.Accepted ? null : outcome.Reason.ToString(),
                Code = outcome.Code,
                Message = outcome.Message,
                FuelUsed = outcome.FuelUsed,
                Outputs = outputs,
            });
        }

        var header = new BlockHeader
        {
            ChainId = block.ChainId,
            AppId = block.AppId,
            Height = block.Height,
            PreviousHeaderHash = previousHeaderHash,
            CodeHash = code.CodeHash,
            InputsRoot = block.InputsRoot,
            InputCount = inputs.Count,
            StateRoot = Hex.Encode(state.Root),
            OutputsRoot = Hex.Encode(MerkleTree.Keccak.Root(outputLeaves)),
            OutputCount = outputLeaves.Count,
            ResultsRoot = Hex.Encode(MerkleTree.Keccak.Root(resultLeaves)),
            L1Block = block.ToL1Block,
        };
        return new BlockExecuted
        {
            AppId = block.AppId,
            Height = block.Height,
            Header = header,
            HeaderHash = BlockEncoding.HeaderHash(header),
            Results = results,
            FuelUsed = fuel,
            SealedVersion = block.StreamVersion,
        };
    }

    /// <summary>The inputs must be exactly the sealed ones: count, consecutive sequence numbers and root.</summary>
    private static void CheckInputs(BlockSealed block, IReadOnlyList<SequencedInput> inputs)
    {
        if (inputs.Count != block.Count)
            throw new BlockIntegrityException(block.Height, $"sealed with {block.Count} inputs, {inputs.Count} found");
        for (var i = 0; i < inputs.Count; i++)
            if (inputs[i].Seq != block.FirstSeq + i)
                throw new BlockIntegrityException(block.Height, $"input {i} has sequence number {inputs[i].Seq}, expected {block.FirstSeq + i}");
        var root = InputsRoot.Compute(block.ChainId, block.AppId, inputs);
        if (!string.Equals(root, block.InputsRoot, StringComparison.OrdinalIgnoreCase))
            throw new BlockIntegrityException(block.Height, $"inputs root is {root}, the seal says {block.InputsRoot}");
    }

    private sealed class TreeReader(StateTree tree) : IStateReader
    {
        public bool TryGet(ReadOnlySpan<byte> key, out byte[] value) => tree.TryGet(key, out value);
    }
}
