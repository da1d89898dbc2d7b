// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title NexusBlockHeaders
/// @notice The app-block header the signer committee signs (shared/Nexus.Runtime/Blocks/BlockEncoding.cs):
///         its EIP-712 struct hash, and the EIP-712 digest a FROST signature covers, bound to the chain
///         and the settlement contract (no cross-chain or cross-contract replay).
library NexusBlockHeaders {
    struct Header {
        uint256 chainId;
        bytes32 appId;
        uint64 height;
        bytes32 previousHeaderHash;
        bytes32 codeHash;
        bytes32 inputsRoot;
        uint32 inputCount;
        bytes32 stateRoot;
        bytes32 outputsRoot;
        uint32 outputCount;
        bytes32 resultsRoot;
        uint64 l1Block;
    }

    bytes32 internal constant HEADER_TYPEHASH = keccak256(
        "NexusBlockHeader(uint256 chainId,bytes32 appId,uint64 height,bytes32 previousHeaderHash,bytes32 codeHash,"
        "bytes32 inputsRoot,uint32 inputCount,bytes32 stateRoot,bytes32 outputsRoot,uint32 outputCount,"
        "bytes32 resultsRoot,uint64 l1Block)"
    );

    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    /// @notice keccak256(abi.encode(HEADER_TYPEHASH, fields…)); a struct of static fields encodes as its fields.
    function hash(Header memory h) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(HEADER_TYPEHASH, abi.encode(h)));
    }

    function domainSeparator(uint256 chainId, address verifyingContract) internal pure returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256("Nexus"), keccak256("1"), chainId, verifyingContract));
    }

    /// @notice The 32 bytes the committee signs for a header: keccak256(0x1901 ‖ domainSeparator ‖ headerHash).
    function signingDigest(bytes32 headerHash, uint256 chainId, address verifyingContract) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(bytes2(0x1901), domainSeparator(chainId, verifyingContract), headerHash));
    }
}

/// @title BlockHeaderChecker
/// @notice Read-only access to NexusBlockHeaders, for tests and tools (eth_call).
contract BlockHeaderChecker {
    function hashOf(NexusBlockHeaders.Header calldata h) external pure returns (bytes32) {
        return NexusBlockHeaders.hash(h);
    }

    function digestOf(bytes32 headerHash, uint256 chainId, address verifyingContract) external pure returns (bytes32) {
        return NexusBlockHeaders.signingDigest(headerHash, chainId, verifyingContract);
    }
}
