namespace Nexus.LocalDev.Chain;

/// <summary>
/// LOCAL DEV CHAIN ONLY. Hardhat's first default account: its key is published in Hardhat's docs
/// and printed by every `hardhat node`, so anything it holds on a real network is stolen at once.
/// Tools refuse it unless the chain id is the dev chain's.
/// </summary>
public static class DevAccounts
{
    public const long DevChainId = 31337;
    public const string HardhatAccount0Key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    public const string HardhatAccount0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

    public static void EnsureDevChain(long chainId)
    {
        if (chainId != DevChainId)
            throw new InvalidOperationException($"refusing the well-known dev key on chain {chainId}: it is only for the local dev chain ({DevChainId})");
    }
}
