// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title StateProofs
/// @notice On-chain side of an app's state root: a compact sparse binary Merkle tree over keccak256
///         (shared/Nexus.State, README there). A key's path is keccak256(key); walking from the root,
///         bit i (most significant first) goes left (0) or right (1) at depth i.
///         leaf = keccak(0x00 ‖ path ‖ keccak(value)), internal = keccak(0x01 ‖ left ‖ right), empty = 0.
///         A subtree with one leaf is that leaf, so a proof has about log2(n) siblings, listed top-down:
///         siblings[i] is the other child of the internal node at depth i; the walk ends at depth siblings.length.
library StateProofs {
    /// @notice keccak256(0x00 ‖ path ‖ valueHash).
    function leafHash(bytes32 path, bytes32 valueHash) internal pure returns (bytes32) {
        return hash65(0x00, path, valueHash);
    }

    /// @notice keccak256(0x01 ‖ left ‖ right).
    function nodeHash(bytes32 left, bytes32 right) internal pure returns (bytes32) {
        return hash65(0x01, left, right);
    }

    /// @dev keccak256(prefix ‖ a ‖ b) in the free memory without claiming it: abi.encodePacked would
    ///      allocate 97 bytes per level and pay for the memory growth on every level of the proof.
    function hash65(uint8 prefix, bytes32 a, bytes32 b) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore8(p, prefix)
            mstore(add(p, 1), a)
            mstore(add(p, 33), b)
            h := keccak256(p, 65)
        }
    }

    /// @notice Root rebuilt from the node the walk along `path` ends on, placing each sibling by the
    ///         path's own bits (never by anything the prover chose).
    function rootFrom(bytes32 path, bytes32 terminal, bytes32[] memory siblings) internal pure returns (bytes32) {
        bytes32 h = terminal;
        for (uint256 i = siblings.length; i > 0;) {
            unchecked {
                --i;
            }
            h = (uint256(path) >> (255 - i)) & 1 == 0 ? nodeHash(h, siblings[i]) : nodeHash(siblings[i], h);
        }
        return h;
    }

    /// @notice True if `key` maps to `value` under `root`: the walk along keccak256(key) ends on the key's own leaf.
    function verifyInclusion(bytes32 root, bytes memory key, bytes memory value, bytes32[] memory siblings)
        internal
        pure
        returns (bool)
    {
        if (siblings.length > 256) return false;
        bytes32 path = keccak256(key);
        return rootFrom(path, leafHash(path, keccak256(value)), siblings) == root;
    }

    /// @notice True if `key` is absent under `root`: the walk along keccak256(key) ends on an empty subtree
    ///         (terminalIsLeaf false; leafPath and leafValueHash are ignored) or on another key's leaf
    ///         (leafPath ≠ keccak256(key), sharing its first siblings.length bits).
    function verifyExclusion(
        bytes32 root,
        bytes memory key,
        bool terminalIsLeaf,
        bytes32 leafPath,
        bytes32 leafValueHash,
        bytes32[] memory siblings
    ) internal pure returns (bool) {
        uint256 depth = siblings.length;
        if (depth > 256) return false;
        bytes32 path = keccak256(key);
        bytes32 terminal;
        if (terminalIsLeaf) {
            uint256 diff = uint256(leafPath ^ path);
            if (diff == 0) return false; // the key's own leaf: it is present
            if (depth > 0 && diff >> (256 - depth) != 0) return false; // not where the walk leads
            terminal = leafHash(leafPath, leafValueHash);
        }
        return rootFrom(path, terminal, siblings) == root;
    }
}

/// @title StateProofChecker
/// @notice Read-only access to StateProofs, for off-chain tools and tests (eth_call).
contract StateProofChecker {
    function verifyInclusion(bytes32 root, bytes calldata key, bytes calldata value, bytes32[] calldata siblings)
        external
        pure
        returns (bool)
    {
        return StateProofs.verifyInclusion(root, key, value, siblings);
    }

    function verifyExclusion(
        bytes32 root,
        bytes calldata key,
        bool terminalIsLeaf,
        bytes32 leafPath,
        bytes32 leafValueHash,
        bytes32[] calldata siblings
    ) external pure returns (bool) {
        return StateProofs.verifyExclusion(root, key, terminalIsLeaf, leafPath, leafValueHash, siblings);
    }

    function leafHash(bytes32 path, bytes32 valueHash) external pure returns (bytes32) {
        return StateProofs.leafHash(path, valueHash);
    }

    /// @notice verifyInclusion and the gas its execution takes (calldata and call overhead excluded):
    ///         what a settlement contract pays on top of carrying the proof.
    function inclusionGas(bytes32 root, bytes calldata key, bytes calldata value, bytes32[] calldata siblings)
        external
        view
        returns (bool ok, uint256 gasUsed)
    {
        uint256 start = gasleft();
        ok = StateProofs.verifyInclusion(root, key, value, siblings);
        gasUsed = start - gasleft();
    }
}
