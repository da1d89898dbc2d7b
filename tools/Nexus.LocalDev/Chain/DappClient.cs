using System.Numerics;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using Nexus.Ethereum;
using Nexus.Ethereum.Artifacts;

namespace Nexus.LocalDev.Chain;

/// <summary>
/// Plays the dApp side against the repo's contracts: deploys them and sends the transactions a
/// dApp would (inbox submissions, auction bids). Used by the CLI's demo, the tests and the benchmark.
/// </summary>
public sealed class DappClient
{
    private static readonly HexBigInteger Gas = new(15_000_000); // under osaka's 2^24 per-transaction cap
    private readonly Web3 _web3;

    public DappClient(string rpcUrl, string privateKey, long chainId)
    {
        Account = new Account(privateKey, chainId);
        Account.NonceService = new Nethereum.RPC.NonceServices.InMemoryNonceService(Account.Address, new Web3(rpcUrl).Client);
        _web3 = new Web3(Account, rpcUrl);
        _web3.TransactionManager.UseLegacyAsDefault = false;
    }

    public Account Account { get; }
    public IWeb3 Web3 => _web3;

    /// <summary>Forgets the locally tracked nonce (after evm_revert, the chain's nonce went back).</summary>
    public Task ResetNonceAsync() => Account.NonceService.ResetNonceAsync();

    /// <summary>Asks the dev node to mine <paramref name="blocks"/> empty blocks.</summary>
    public async Task MineAsync(int blocks)
    {
        for (var i = 0; i < blocks; i++) await _web3.Client.SendRequestAsync<string>("evm_mine");
    }

    public async Task<string> DeployAsync(string contract, CancellationToken ct = default, params object[] constructorArguments)
    {
        var receipt = await SolidityArtifact.Load(contract).DeployAsync(_web3, Account.Address, ct, constructorArguments);
        return receipt.ContractAddress.ToLowerInvariant();
    }

    public Task<TransactionReceipt> SubmitAsync(string inbox, string appId, byte[] payload, CancellationToken ct = default) =>
        SendAsync(SolidityArtifact.NexusInbox, inbox, "submit", ct, AppIds.ToBytes32(appId), payload);

    public Task<TransactionReceipt> SubmitBatchAsync(string inbox, string appId, IReadOnlyList<byte[]> payloads, CancellationToken ct = default) =>
        SendAsync(SolidityArtifact.NexusInbox, inbox, "submitBatch", ct, AppIds.ToBytes32(appId), payloads.ToList());

    /// <summary>Submits to an arbitrary bytes32 app id (tests of unknown or malformed ids).</summary>
    public Task<TransactionReceipt> SubmitRawAsync(string inbox, byte[] appId32, byte[] payload, CancellationToken ct = default) =>
        SendAsync(SolidityArtifact.NexusInbox, inbox, "submit", ct, appId32, payload);

    public Task<TransactionReceipt> BidAsync(string auction, BigInteger lotId, BigInteger amount, CancellationToken ct = default) =>
        SendAsync(SolidityArtifact.SampleAuction, auction, "bid", ct, lotId, amount);

    public Task<TransactionReceipt> BidManyAsync(string auction, BigInteger lotId, IReadOnlyList<BigInteger> amounts, CancellationToken ct = default) =>
        SendAsync(SolidityArtifact.SampleAuction, auction, "bidMany", ct, lotId, amounts.ToList());

    /// <summary>OrderBook.place: side 0 buys, 1 sells.</summary>
    public Task<TransactionReceipt> PlaceOrderAsync(string orderBook, int side, ulong price, ulong qty, CancellationToken ct = default) =>
        SendAsync(SolidityArtifact.OrderBook, orderBook, "place", ct, (byte)side, price, qty);

    public Task<TransactionReceipt> CancelOrderAsync(string orderBook, ulong orderId, CancellationToken ct = default) =>
        SendAsync(SolidityArtifact.OrderBook, orderBook, "cancel", ct, orderId);

    /// <summary>Sends raw calldata to a contract (e.g. an app's call output); throws if it reverts.</summary>
    public async Task<TransactionReceipt> CallAsync(string to, byte[] calldata, CancellationToken ct = default)
    {
        var tx = new Nethereum.RPC.Eth.DTOs.TransactionInput(Hex.Encode(calldata), to, Account.Address, Gas, null);
        var receipt = await _web3.Eth.TransactionManager.SendTransactionAndWaitForReceiptAsync(tx, ct);
        if (receipt.Status?.Value != 1)
            throw new InvalidOperationException($"call to {to} reverted in {receipt.TransactionHash}");
        return receipt;
    }

    private async Task<TransactionReceipt> SendAsync(string contract, string address, string function, CancellationToken ct, params object[] args)
    {
        var fn = _web3.Eth.GetContract(SolidityArtifact.Load(contract).Abi, address).GetFunction(function);
        var receipt = await fn.SendTransactionAndWaitForReceiptAsync(Account.Address, Gas, null, ct, args);
        if (receipt.Status?.Value != 1)
            throw new InvalidOperationException($"{contract}.{function} reverted in {receipt.TransactionHash}");
        return receipt;
    }
}
