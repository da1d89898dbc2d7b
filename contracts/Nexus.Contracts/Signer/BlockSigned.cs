using Nexus.Contracts.Executor;

namespace Nexus.Contracts.Signer;

/// <summary>
/// Stream event (announced on the bus by <see cref="BlockSignedNotification"/>): t signer replicas that each re-executed the block produced one FROST
/// (RFC 9591, secp256k1/SHA-256) signature over the header's EIP-712 digest. The settlement contract
/// verifies it with <c>FrostVerifier.sol</c>.
/// </summary>
public sealed record BlockSigned
{
    /// <summary>The app.</summary>
    public required string AppId { get; init; }

    /// <summary>Block height.</summary>
    public required long Height { get; init; }

    /// <summary>The signed header.</summary>
    public required BlockHeader Header { get; init; }

    /// <summary>Its hash.</summary>
    public required string HeaderHash { get; init; }

    /// <summary>The contract the signature's EIP-712 domain names (with <see cref="BlockHeader.ChainId"/>).</summary>
    public required string SettlementContract { get; init; }

    /// <summary>The signed digest: <c>keccak256(0x1901 ‖ domainSeparator ‖ headerHash)</c>.</summary>
    public required string Digest { get; init; }

    /// <summary>The signature: R (33-byte compressed point) ‖ z (32 bytes), 0x-hex.</summary>
    public required string Signature { get; init; }

    /// <summary>The group key (33-byte compressed point, 0x-hex).</summary>
    public required string GroupPublicKey { get; init; }

    /// <summary>Identifiers of the replicas whose shares make the signature.</summary>
    public required IReadOnlyList<int> Signers { get; init; }

    /// <summary>When the coordinator aggregated it.</summary>
    public required DateTimeOffset SignedAt { get; init; }
}
