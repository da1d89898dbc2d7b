// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title InputsMerkle
/// @notice On-chain side of the app-block inputs root: the RFC 6962 Merkle tree hash with keccak256
///         (leaf = keccak(0x00 ‖ data), node = keccak(0x01 ‖ left ‖ right)) over each input's
///         canonical encoding. Settlement will use it to check that an input is in a committed
///         block; the C# implementation (shared/Nexus.Ethereum/Merkle) is tested against it.
library InputsMerkle {
    /// @notice One input: only facts an L1 node can confirm from the log and its block.
    struct InputLeaf {
        uint256 chainId;
        bytes32 appId;
        uint64 seq;
        uint64 blockNumber;
        bytes32 blockHash;
        uint64 blockTimestamp;
        bytes32 txHash;
        uint32 txIndex;
        uint32 logIndex;
        address emitter;
        bytes32[] topics;
        bytes data;
    }

    /// @notice Leaf hash of one input, exactly what the sequencer commits to: keccak(0x00 ‖ abi.encode(leaf)).
    ///         (A struct with dynamic members encodes as one offset word followed by its fields.)
    function leafHash(InputLeaf memory leaf) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(bytes1(0x00), abi.encode(leaf)));
    }

    function nodeHash(bytes32 left, bytes32 right) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(bytes1(0x01), left, right));
    }

    /// @notice Root of a whole tree from its leaf hashes (RFC 6962 §2.1: split at the largest power of two below n).
    function root(bytes32[] memory leaves, uint256 start, uint256 end) internal pure returns (bytes32) {
        uint256 n = end - start;
        if (n == 0) return keccak256("");
        if (n == 1) return leaves[start];
        uint256 k = 1;
        while (k << 1 < n) k <<= 1;
        return nodeHash(root(leaves, start, start + k), root(leaves, start + k, end));
    }

    /// @notice Checks an audit path for leaf `index` of a tree of `count` leaves (RFC 9162 §2.1.3.2).
    function verify(bytes32 expectedRoot, bytes32 leaf, uint256 index, uint256 count, bytes32[] memory proof)
        internal
        pure
        returns (bool)
    {
        if (index >= count) return false;
        uint256 fn = index;
        uint256 sn = count - 1;
        bytes32 r = leaf;
        for (uint256 i = 0; i < proof.length; i++) {
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(proof[i], r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = nodeHash(r, proof[i]);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r == expectedRoot;
    }
}

/// @title InputsRootChecker
/// @notice Read-only access to InputsMerkle, for off-chain tools and tests (eth_call).
contract InputsRootChecker {
    function leafHash(InputsMerkle.InputLeaf calldata leaf) external pure returns (bytes32) {
        return InputsMerkle.leafHash(leaf);
    }

    function rootOf(bytes32[] calldata leaves) external pure returns (bytes32) {
        return InputsMerkle.root(leaves, 0, leaves.length);
    }

    function verify(bytes32 expectedRoot, bytes32 leaf, uint256 index, uint256 count, bytes32[] calldata proof)
        external
        pure
        returns (bool)
    {
        return InputsMerkle.verify(expectedRoot, leaf, index, count, proof);
    }
}
