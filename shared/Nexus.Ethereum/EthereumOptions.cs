using System.ComponentModel.DataAnnotations;

namespace Nexus.Ethereum;

/// <summary>Where a service reads the chain. Section <c>Ethereum</c>.</summary>
public sealed class EthereumOptions
{
    public const string Section = "Ethereum";

    [Required, Url]
    public string RpcUrl { get; set; } = "http://127.0.0.1:8545";

    /// <summary>Expected chain id; the service refuses to start against another chain. 0 = take the node's.</summary>
    [Range(0, long.MaxValue)]
    public long ChainId { get; set; }
}
