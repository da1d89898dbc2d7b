namespace Nexus.Ethereum.Chain;

/// <summary>What the listener needs of a block: enough to check it is still on the canonical chain.</summary>
public sealed record BlockHeader(long Number, string Hash, string ParentHash, long Timestamp);

/// <summary>One eth_getLogs filter: an emitter and the topics to match (null = any) by position.</summary>
public sealed record LogFilter(string Address, IReadOnlyList<string?> Topics);

/// <summary>A log as the node returned it.</summary>
public sealed record ChainLog(
    long BlockNumber,
    string BlockHash,
    string TxHash,
    int TxIndex,
    int LogIndex,
    string Address,
    IReadOnlyList<string> Topics,
    string Data);

/// <summary>The RPC refused a log query because its range or result set was too large.</summary>
public sealed class LogRangeTooLargeException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The RPC is unreachable or failing; callers back off and retry.</summary>
public sealed class ChainUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
