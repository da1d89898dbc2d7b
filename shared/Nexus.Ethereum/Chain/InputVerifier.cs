using Nexus.Contracts.Sequencer;

namespace Nexus.Ethereum.Chain;

/// <summary>Why an input could not be confirmed on this node.</summary>
public sealed record InputCheckFailure(long Seq, string InputId, string Reason);

/// <summary>
/// A signer replica's independent check of a block's inputs against its own Ethereum node: each
/// input's log exists, unchanged (emitter, topics, data), at its block, transaction and log index, in
/// the block that is canonical on this node, with the recorded timestamp and at least the required
/// confirmations on top. Everything the inputs root commits is thereby confirmed by a second source.
/// </summary>
public static class InputVerifier
{
    public static async Task<IReadOnlyList<InputCheckFailure>> VerifyAsync(IChainReader chain, IReadOnlyList<SequencedInput> inputs,
        int confirmations, CancellationToken ct)
    {
        var head = await chain.GetHeadAsync(ct);
        var headers = new Dictionary<long, BlockHeader?>();
        var transactions = new Dictionary<string, IReadOnlyList<ChainLog>?>(StringComparer.OrdinalIgnoreCase);
        var failures = new List<InputCheckFailure>();
        foreach (var input in inputs)
        {
            var number = input.Position.BlockNumber;
            if (!headers.TryGetValue(number, out var header))
                headers[number] = header = await chain.GetHeaderAsync(number, ct);
            if (!transactions.TryGetValue(input.TxHash, out var logs))
                transactions[input.TxHash] = logs = await chain.GetTransactionLogsAsync(input.TxHash, ct);
            if (Check(input, header, logs, head, confirmations) is { } reason)
                failures.Add(new InputCheckFailure(input.Seq, input.InputId, reason));
        }
        return failures;
    }

    private static string? Check(SequencedInput input, BlockHeader? header, IReadOnlyList<ChainLog>? logs, long head, int confirmations)
    {
        var number = input.Position.BlockNumber;
        if (header is null)
            return $"block {number} does not exist on this node (head {head})";
        if (!Same(header.Hash, input.BlockHash))
            return $"block {number} is {header.Hash} on this node's canonical chain, not {input.BlockHash}";
        if (header.Timestamp != input.BlockTimestamp)
            return $"block {number} has timestamp {header.Timestamp}, not {input.BlockTimestamp}";
        if (head - number < confirmations)
            return $"block {number} has {head - number} confirmations, {confirmations} required";
        if (logs is null)
            return $"transaction {input.TxHash} is unknown to this node";
        var log = logs.FirstOrDefault(l => l.LogIndex == input.Position.LogIndex);
        if (log is null)
            return $"transaction {input.TxHash} has no log at index {input.Position.LogIndex}";
        return !Same(log.BlockHash, input.BlockHash) || log.BlockNumber != number ? "the log is in another block"
            : log.TxIndex != input.TxIndex ? $"the transaction is at index {log.TxIndex}, not {input.TxIndex}"
            : !Same(log.Address, input.Emitter) ? $"the log was emitted by {log.Address}, not {input.Emitter}"
            : log.Topics.Count != input.Topics.Count || log.Topics.Zip(input.Topics).Any(t => !Same(t.First, t.Second)) ? "the log's topics differ"
            : !Same(log.Data, input.Data) ? "the log's data differs"
            : null;
    }

    private static bool Same(string a, string b) => string.Equals(Hex.Normalize(a), Hex.Normalize(b), StringComparison.Ordinal);
}
