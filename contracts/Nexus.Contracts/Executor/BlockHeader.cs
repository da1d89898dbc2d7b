namespace Nexus.Contracts.Executor;

/// <summary>
/// What the signer committee signs for an app block. Its hash is an EIP-712 style struct hash
/// (see <c>Nexus.Runtime.Blocks.HeaderHash</c>); signers add the domain (chain id, settlement contract).
/// All hashes and roots are 0x-hex bytes32.
/// </summary>
public sealed record BlockHeader
{
    /// <summary>Chain the app is bound to.</summary>
    public required long ChainId { get; init; }

    /// <summary>The app (its id, left-aligned in a bytes32).</summary>
    public required string AppId { get; init; }

    /// <summary>Block height, from 0.</summary>
    public required long Height { get; init; }

    /// <summary>Hash of the previous block's header; zero at height 0.</summary>
    public required string PreviousHeaderHash { get; init; }

    /// <summary>keccak256 of the code that ran; zero when none was deployed.</summary>
    public required string CodeHash { get; init; }

    /// <summary>Merkle root of the block's inputs (as sealed by the sequencer).</summary>
    public required string InputsRoot { get; init; }

    /// <summary>Number of inputs.</summary>
    public required int InputCount { get; init; }

    /// <summary>Root of the app's key-value state after the block.</summary>
    public required string StateRoot { get; init; }

    /// <summary>Merkle root of the block's outputs.</summary>
    public required string OutputsRoot { get; init; }

    /// <summary>Number of outputs.</summary>
    public required int OutputCount { get; init; }

    /// <summary>Merkle root of the per-input results (status, code, fuel, outputs).</summary>
    public required string ResultsRoot { get; init; }

    /// <summary>Last L1 block covered by the inputs.</summary>
    public required long L1Block { get; init; }
}
