namespace Nexus.Ethereum.Chain;

/// <summary>The read side of an Ethereum node, as the listener and the signer replicas use it.</summary>
public interface IChainReader
{
    Task<long> GetChainIdAsync(CancellationToken ct);
    Task<long> GetHeadAsync(CancellationToken ct);
    /// <summary>The canonical block at <paramref name="number"/>, or null if the chain is not that long.</summary>
    Task<BlockHeader?> GetHeaderAsync(long number, CancellationToken ct);
    /// <summary>Logs in [from, to] matching the filter, as one query (no splitting).</summary>
    Task<IReadOnlyList<ChainLog>> GetLogsAsync(LogFilter filter, long from, long to, CancellationToken ct);

    /// <summary>The logs of a mined transaction, from its receipt; null when the node knows no such (canonical) transaction.</summary>
    Task<IReadOnlyList<ChainLog>?> GetTransactionLogsAsync(string txHash, CancellationToken ct);
}
