// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title OrderBook
/// @notice dApp contract of the `orderbook` sample app (apps/orderbook). Orders are placed and
///         cancelled on chain as events only; the Nexus app, fed with these events, runs the
///         price-time-priority matching off chain and emits one `settle` call output per fill.
///         Validation (side, price, quantity, ownership, book capacity) is the off-chain app's job:
///         an input it rejects simply has no effect. Order ids are the app's input sequence numbers.
contract OrderBook {
    /// @notice Order side: 0 = buy, 1 = sell.
    event OrderPlaced(address indexed trader, uint8 side, uint64 price, uint64 qty);

    /// @notice A request to cancel resting order `orderId` (honoured only if `trader` placed it).
    event OrderCancelled(address indexed trader, uint64 orderId);

    /// @notice A fill reported by the off-chain app: `qty` at `price` between resting order
    ///         `makerOrderId` of `maker` and incoming order `takerOrderId` of `taker`.
    event Filled(
        uint64 indexed makerOrderId,
        uint64 indexed takerOrderId,
        address maker,
        address taker,
        uint64 price,
        uint64 qty
    );

    /// @notice Places a limit order (side 0 = buy, 1 = sell).
    function place(uint8 side, uint64 price, uint64 qty) external {
        emit OrderPlaced(msg.sender, side, price, qty);
    }

    /// @notice Asks to cancel one of the caller's resting orders.
    function cancel(uint64 orderId) external {
        emit OrderCancelled(msg.sender, orderId);
    }

    /// @notice Records a fill produced by the off-chain matching engine (a call output of the app).
    /// @dev Open to anyone for now: to be restricted to the settlement contract once it exists
    ///      (the contract that executes verified Nexus call outputs); it moves no funds yet.
    function settle(
        uint64 makerOrderId,
        uint64 takerOrderId,
        address maker,
        address taker,
        uint64 price,
        uint64 qty
    ) external {
        emit Filled(makerOrderId, takerOrderId, maker, taker, price, qty);
    }
}
