// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title FrostSecp256k1
/// @notice Verifies FROST(secp256k1, SHA-256) signatures (RFC 9591): z·G = R + c·PK with the RFC's
///         challenge c = H2(enc(R) ‖ enc(PK) ‖ msg), H2 = hash_to_field via expand_message_xmd(SHA-256)
///         with DST "FROST-secp256k1-SHA256-v1chal", L = 48. The point equation is checked with the
///         ecrecover precompile: ecrecover(−z·px, v(py), px, −c·px) returns the address of z·G − c·PK,
///         which must equal the address of R.
/// @dev Soundness of comparing addresses rather than points: R is fixed (and hashed into c) before
///      the equation is evaluated, so a forger needs a z whose point z·G − c·PK has the same 160-bit
///      address as R — a second preimage of keccak256 truncated to 160 bits (~2^160 work per R; the
///      pairs are bound by c, so there is no birthday shortcut). R's coordinates are checked to be on
///      the curve, so the address is that of a real point. Keys whose x ≥ n are refused (ecrecover's r
///      must be below n; a random key has x ≥ n with probability ~2^-128).
library FrostSecp256k1 {
    uint256 internal constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    uint256 internal constant P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F;
    bytes internal constant DST_PRIME = "FROST-secp256k1-SHA256-v1chal\x1d"; // DST ‖ I2OSP(len(DST) = 29, 1)

    function isOnCurve(uint256 x, uint256 y) internal pure returns (bool) {
        if (x >= P || y >= P) return false;
        return mulmod(y, y, P) == addmod(mulmod(mulmod(x, x, P), x, P), 7, P);
    }

    /// @notice A key the verifier accepts: on the curve, x below the group order.
    function isValidKey(uint256 px, uint256 py) internal pure returns (bool) {
        return px != 0 && px < N && isOnCurve(px, py);
    }

    /// @notice The RFC 9591 challenge for this ciphersuite.
    function challenge(uint256 rx, uint256 ry, uint256 px, uint256 py, bytes memory message) internal view returns (uint256) {
        bytes memory msgPrime = abi.encodePacked(
            bytes32(0), bytes32(0), // Z_pad: one SHA-256 block of zeros
            bytes1(uint8(2 + (ry & 1))), bytes32(rx),
            bytes1(uint8(2 + (py & 1))), bytes32(px),
            message,
            uint16(48), uint8(0), DST_PRIME
        );
        bytes32 b0 = sha256(msgPrime);
        bytes32 b1 = sha256(abi.encodePacked(b0, uint8(1), DST_PRIME));
        bytes32 b2 = sha256(abi.encodePacked(b0 ^ b1, uint8(2), DST_PRIME));
        // The 48 uniform bytes b1 ‖ b2[0..16] as a 384-bit integer, mod n.
        return addmod(mulmod(uint256(b1), 1 << 128, N), uint256(b2) >> 128, N);
    }

    /// @notice True iff (R, z) is a valid signature of `message` under the key (px, py).
    function verify(uint256 px, uint256 py, bytes memory message, uint256 rx, uint256 ry, uint256 z) internal view returns (bool) {
        if (z == 0 || z >= N || !isOnCurve(rx, ry) || !isValidKey(px, py)) return false;
        uint256 c = challenge(rx, ry, px, py, message);
        uint256 h = N - mulmod(z, px, N); // −z·px (z, px ≠ 0 mod n, so the product is not 0)
        uint256 s = (N - mulmod(c, px, N)) % N; // −c·px
        if (s == 0) return false;
        address recovered = ecrecover(bytes32(h), py & 1 == 0 ? 27 : 28, bytes32(px), bytes32(s));
        return recovered != address(0) && recovered == address(uint160(uint256(keccak256(abi.encodePacked(rx, ry)))));
    }
}

/// @title FrostVerifier
/// @notice Holds one group public key and verifies signatures under it (what settlement will use).
contract FrostVerifier {
    uint256 public immutable keyX;
    uint256 public immutable keyY;

    error InvalidKey();

    constructor(uint256 px, uint256 py) {
        if (!FrostSecp256k1.isValidKey(px, py)) revert InvalidKey();
        keyX = px;
        keyY = py;
    }

    function verify(bytes calldata message, uint256 rx, uint256 ry, uint256 z) external view returns (bool) {
        return FrostSecp256k1.verify(keyX, keyY, message, rx, ry, z);
    }

    /// @notice verify, plus the gas the check itself used (for the benchmark and tests).
    function verifyGas(bytes calldata message, uint256 rx, uint256 ry, uint256 z) external view returns (bool ok, uint256 gasUsed) {
        uint256 start = gasleft();
        ok = FrostSecp256k1.verify(keyX, keyY, message, rx, ry, z);
        gasUsed = start - gasleft();
    }

    /// @notice The challenge alone, so tests can compare it with the C# one.
    function challengeOf(bytes calldata message, uint256 rx, uint256 ry) external view returns (uint256) {
        return FrostSecp256k1.challenge(rx, ry, keyX, keyY, message);
    }
}
