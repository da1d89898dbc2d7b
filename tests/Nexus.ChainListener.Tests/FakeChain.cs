using Nexus.Ethereum.Chain;

namespace Nexus.ChainListener.Tests;

/// <summary>
/// An in-memory chain whose blocks can be replaced from any height (a reorg), with a hook that runs
/// during eth_getLogs to stage races between a read and a reorg.
/// </summary>
public sealed class FakeChain : IChainReader
{
    private readonly List<(BlockHeader Header, List<ChainLog> Logs)> _blocks = [];
    private int _fork;

    public FakeChain(int length) { for (var i = 0; i < length; i++) Mine(); }

    public Action? DuringGetLogs { get; set; }

    /// <summary>Calls answered so far, of any kind: what a listener costs its node.</summary>
    public int Calls => _calls;
    private int _calls;
    public long Head => _blocks.Count - 1;

    public void Mine(params (string Address, string[] Topics)[] logs)
    {
        var number = _blocks.Count;
        var parent = number == 0 ? "0x" + new string('0', 64) : _blocks[^1].Header.Hash;
        var hash = $"0x{_fork:x8}{number:x56}";
        var chainLogs = logs.Select((l, i) => new ChainLog(number, hash, $"0x{_fork:x8}{number:x48}{i:x8}", 0, i, l.Address, l.Topics, "0x")).ToList();
        _blocks.Add((new BlockHeader(number, hash, parent, 1_700_000_000 + number), chainLogs));
    }

    /// <summary>Drops every block from <paramref name="height"/> up; the next mined blocks are a new fork.</summary>
    public void Rewind(long height)
    {
        _blocks.RemoveRange((int)height, _blocks.Count - (int)height);
        _fork++;
    }

    public Task<long> GetChainIdAsync(CancellationToken ct) { Interlocked.Increment(ref _calls); return Task.FromResult(31337L); }
    public Task<long> GetHeadAsync(CancellationToken ct) { Interlocked.Increment(ref _calls); return Task.FromResult(Head); }

    public Task<BlockHeader?> GetHeaderAsync(long number, CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(number < _blocks.Count ? _blocks[(int)number].Header : null);
    }

    public Task<IReadOnlyList<ChainLog>> GetLogsAsync(LogFilter filter, long from, long to, CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        IReadOnlyList<ChainLog> logs = _blocks
            .Where(b => b.Header.Number >= from && b.Header.Number <= to)
            .SelectMany(b => b.Logs)
            .Where(l => l.Address == filter.Address && filter.Topics.Select((t, i) => t is null || (i < l.Topics.Count && l.Topics[i] == t)).All(x => x))
            .ToList();
        DuringGetLogs?.Invoke();
        return Task.FromResult(logs);
    }

    public Task<IReadOnlyList<ChainLog>?> GetTransactionLogsAsync(string txHash, CancellationToken ct)
    {
        var logs = _blocks.SelectMany(b => b.Logs).Where(l => l.TxHash == txHash).ToList();
        return Task.FromResult<IReadOnlyList<ChainLog>?>(logs.Count == 0 ? null : logs);
    }
}
