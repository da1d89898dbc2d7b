// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title SampleAuction
/// @notice A sample dApp for Nexus. Unlike inputs sent through NexusInbox, it emits its own domain
///         events (`LotOpened`, `BidPlaced`), which the chain-listener can be configured to watch
///         directly. It keeps no bidding state: validation and settlement are the off-chain app's job.
contract SampleAuction {
    /// @notice A lot accepting bids until `closesAt` (unix seconds), as interpreted off chain.
    event LotOpened(uint256 indexed lotId, uint64 closesAt);

    /// @notice A bid of `amount` by `bidder` on lot `lotId`.
    event BidPlaced(address indexed bidder, uint256 indexed lotId, uint256 amount);

    /// @notice Opens lot `lotId`, closing at `closesAt`.
    function openLot(uint256 lotId, uint64 closesAt) external {
        emit LotOpened(lotId, closesAt);
    }

    /// @notice Places one bid on lot `lotId`.
    function bid(uint256 lotId, uint256 amount) external {
        emit BidPlaced(msg.sender, lotId, amount);
    }

    /// @notice Places several bids on lot `lotId`, one `BidPlaced` event per amount (load tests).
    function bidMany(uint256 lotId, uint256[] calldata amounts) external {
        for (uint256 i = 0; i < amounts.length; ++i) {
            emit BidPlaced(msg.sender, lotId, amounts[i]);
        }
    }
}
