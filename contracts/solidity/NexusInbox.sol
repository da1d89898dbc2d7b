// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title NexusInbox
/// @notice Entry point of the Nexus off-chain compute network. dApps (or their users) call
///         `submit` to hand an input to the off-chain application identified by `appId`.
///         Nothing is executed on chain: the contract only assigns a per-app, gap-free nonce and
///         emits `InputSubmitted`, which the Nexus chain-listener watches and feeds, in nonce order,
///         to the app's verifiable off-chain executors.
contract NexusInbox {
    /// @notice Largest accepted payload, in bytes (64 KiB).
    uint256 public constant MAX_PAYLOAD_SIZE = 64 * 1024;

    /// @notice Next nonce per app; the first input of an app gets nonce 0.
    mapping(bytes32 => uint64) public nonces;

    /// @notice An input for app `appId`, in submission order (`nonce` is per app).
    event InputSubmitted(bytes32 indexed appId, address indexed sender, uint64 nonce, bytes payload);

    /// @notice The payload is larger than MAX_PAYLOAD_SIZE.
    error PayloadTooLarge(uint256 size, uint256 maxSize);

    /// @notice Submits one input to app `appId`.
    /// @return nonce The nonce assigned to this input.
    function submit(bytes32 appId, bytes calldata payload) external returns (uint64 nonce) {
        nonce = nonces[appId];
        _emit(appId, nonce, payload);
        nonces[appId] = nonce + 1;
    }

    /// @notice Submits several inputs to app `appId` in one transaction (consecutive nonces).
    ///         Mainly for load tests.
    function submitBatch(bytes32 appId, bytes[] calldata payloads) external {
        uint64 nonce = nonces[appId];
        for (uint256 i = 0; i < payloads.length; ++i) {
            _emit(appId, nonce, payloads[i]);
            ++nonce;
        }
        nonces[appId] = nonce;
    }

    function _emit(bytes32 appId, uint64 nonce, bytes calldata payload) private {
        if (payload.length > MAX_PAYLOAD_SIZE) revert PayloadTooLarge(payload.length, MAX_PAYLOAD_SIZE);
        emit InputSubmitted(appId, msg.sender, nonce, payload);
    }
}
