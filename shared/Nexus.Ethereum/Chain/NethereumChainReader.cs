using System.Net.Sockets;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace Nexus.Ethereum.Chain;

/// <summary><see cref="IChainReader"/> over Nethereum's JSON-RPC client; maps transport failures and range errors to our exceptions.</summary>
public sealed class NethereumChainReader(IWeb3 web3) : IChainReader
{
    public NethereumChainReader(string rpcUrl) : this(new Web3(rpcUrl)) { }

    public Task<long> GetChainIdAsync(CancellationToken ct) =>
        Call(async () => (long)(await web3.Eth.ChainId.SendRequestAsync()).Value);

    public Task<long> GetHeadAsync(CancellationToken ct) =>
        Call(async () => (long)(await web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value);

    public Task<BlockHeader?> GetHeaderAsync(long number, CancellationToken ct) =>
        Call(async () =>
        {
            var block = await web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new HexBigInteger(number));
            return block is null
                ? null
                : new BlockHeader((long)block.Number.Value, block.BlockHash.ToLowerInvariant(), block.ParentHash.ToLowerInvariant(), (long)block.Timestamp.Value);
        });

    public Task<IReadOnlyList<ChainLog>> GetLogsAsync(LogFilter filter, long from, long to, CancellationToken ct) =>
        Call<IReadOnlyList<ChainLog>>(async () =>
        {
            var input = new NewFilterInput
            {
                Address = [filter.Address],
                FromBlock = new BlockParameter(new HexBigInteger(from)),
                ToBlock = new BlockParameter(new HexBigInteger(to)),
                Topics = filter.Topics.Cast<object?>().ToArray()!,
            };
            var logs = await web3.Eth.Filters.GetLogs.SendRequestAsync(input);
            return logs.Select(ToChainLog).ToList();
        });

    public Task<IReadOnlyList<ChainLog>?> GetTransactionLogsAsync(string txHash, CancellationToken ct) =>
        Call<IReadOnlyList<ChainLog>?>(async () =>
        {
            var receipt = await web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(txHash);
            return receipt?.Logs?.Select(ToChainLog).ToList();
        });

    private static ChainLog ToChainLog(FilterLog l) => new(
        (long)l.BlockNumber.Value,
        l.BlockHash.ToLowerInvariant(),
        l.TransactionHash.ToLowerInvariant(),
        (int)l.TransactionIndex.Value,
        (int)l.LogIndex.Value,
        l.Address.ToLowerInvariant(),
        l.Topics.Select(t => t.ToString()!.ToLowerInvariant()).ToList(),
        (l.Data ?? "0x").ToLowerInvariant());

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcResponseException e) when (RpcErrors.IsRangeTooLarge(e.RpcError?.Code, e.Message))
        {
            throw new LogRangeTooLargeException(e.Message, e);
        }
        catch (RpcResponseException)
        {
            throw;
        }
        catch (Exception e) when (e is RpcClientUnknownException or RpcClientTimeoutException or HttpRequestException or SocketException or TaskCanceledException or IOException)
        {
            throw new ChainUnavailableException($"Ethereum RPC unavailable: {e.GetBaseException().Message}", e);
        }
    }
}

/// <summary>How nodes and providers say "ask for less" — there is no standard code, so match the known texts.</summary>
public static class RpcErrors
{
    private static readonly string[] RangeHints =
    [
        "too many", "more than", "limit exceeded", "block range", "range is too large", "range too large",
        "exceed", "query timeout", "response size", "10000 results", "max results",
    ];

    public static bool IsRangeTooLarge(int? code, string message) =>
        code == -32005 || RangeHints.Any(h => message.Contains(h, StringComparison.OrdinalIgnoreCase));
}
