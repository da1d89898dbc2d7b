using Nexus.Ethereum.Chain;

namespace Nexus.Ethereum.Tests;

public class LogRangeReaderTests
{
    /// <summary>A node that serves one log per block and refuses ranges wider than a limit, like hosted RPCs do.</summary>
    private sealed class RangeLimitedNode(int maxRange) : IChainReader
    {
        public int Calls { get; private set; }
        public Task<long> GetChainIdAsync(CancellationToken ct) => Task.FromResult(1L);
        public Task<long> GetHeadAsync(CancellationToken ct) => Task.FromResult(1_000L);
        public Task<BlockHeader?> GetHeaderAsync(long number, CancellationToken ct) => Task.FromResult<BlockHeader?>(null);

        public Task<IReadOnlyList<ChainLog>?> GetTransactionLogsAsync(string txHash, CancellationToken ct) => throw new NotSupportedException();

        public Task<IReadOnlyList<ChainLog>> GetLogsAsync(LogFilter filter, long from, long to, CancellationToken ct)
        {
            Calls++;
            if (to - from + 1 > maxRange) throw new LogRangeTooLargeException("query returned more than 10000 results");
            IReadOnlyList<ChainLog> logs = Enumerable.Range((int)from, (int)(to - from + 1))
                .Select(b => new ChainLog(b, $"0x{b:x64}", $"0x{b:x64}", 0, 0, filter.Address, [], "0x")).Reverse().ToList();
            return Task.FromResult(logs);
        }
    }

    [Fact]
    public async Task Splits_a_refused_range_until_the_node_answers_and_loses_nothing()
    {
        var node = new RangeLimitedNode(maxRange: 7);
        var logs = await new LogRangeReader(node).ReadAsync([new LogFilter("0xaa", [])], 100, 199, CancellationToken.None);
        logs.Select(l => l.BlockNumber).ShouldBe(Enumerable.Range(100, 100).Select(i => (long)i));
        node.Calls.ShouldBeGreaterThan(1);
    }

    [Fact]
    public async Task Merges_several_filters_in_chain_order()
    {
        var node = new RangeLimitedNode(maxRange: 1_000);
        var logs = await new LogRangeReader(node).ReadAsync([new LogFilter("0xaa", []), new LogFilter("0xbb", [])], 1, 3, CancellationToken.None);
        // Same (block, log index) from two filters is one log.
        logs.Count.ShouldBe(3);
        logs.Select(l => l.BlockNumber).ShouldBe([1L, 2L, 3L]);
    }

    [Fact]
    public async Task A_single_block_the_node_still_refuses_is_an_error_not_a_silent_gap()
    {
        var node = new RangeLimitedNode(maxRange: 0);
        await Should.ThrowAsync<LogRangeTooLargeException>(() => new LogRangeReader(node).ReadAsync([new LogFilter("0xaa", [])], 5, 6, CancellationToken.None));
    }

    [Theory]
    [InlineData(-32005, "whatever", true)]
    [InlineData(-32000, "query returned more than 10000 results", true)]
    [InlineData(-32602, "eth_getLogs block range is too large, max 500", true)]
    [InlineData(-32000, "header not found", false)]
    public void Recognises_the_ways_nodes_say_ask_for_less(int code, string message, bool expected) =>
        RpcErrors.IsRangeTooLarge(code, message).ShouldBe(expected);
}
