using System.ComponentModel.DataAnnotations;

namespace Nexus.Ethereum;

/// <summary>Where a service reads the chain. Section <c>Ethereum</c>.</summary>
public sealed class EthereumOptions
{
    public const string Section = "Ethereum";

    [Required, Url]
    public string RpcUrl { get; set; } = "http://127.0.0.1:8545";

    /// <summary>Wake up on <c>eth_subscribe("newHeads")</c> instead of waiting for the next poll.</summary>
    public bool SubscribeNewHeads { get; set; } = true;

    /// <summary>WebSocket endpoint for the subscription; default: <see cref="RpcUrl"/> with ws:// or wss://.</summary>
    public string? WebSocketUrl { get; set; }

    /// <summary>Expected chain id; the service refuses to start against another chain. 0 = take the node's.</summary>
    [Range(0, long.MaxValue)]
    public long ChainId { get; set; }
}
