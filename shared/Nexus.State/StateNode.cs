namespace Nexus.State;

/// <summary>
/// One persisted node: its id (<see cref="Hash"/>, keccak256 as the tree defines it) and its body.
/// Internal body: 0x01 ‖ leftHash(32) ‖ rightHash(32) (a zero hash is an empty child).
/// Leaf body: 0x00 ‖ path(32) ‖ uint32 big-endian key length ‖ key ‖ value.
/// </summary>
public readonly record struct StateNode(byte[] Hash, byte[] Body);

/// <summary>A node store returned something that is not the tree the root commits to.</summary>
public sealed class StateCorruptedException(string message) : Exception(message);
