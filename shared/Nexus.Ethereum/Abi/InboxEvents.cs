using System.Numerics;

namespace Nexus.Ethereum.Abi;

/// <summary>The NexusInbox contract's event, the common way for a dApp to send an app an input.</summary>
public static class InboxEvents
{
    public static readonly EventSignature InputSubmitted =
        EventSignature.Parse("InputSubmitted(bytes32 indexed appId, address indexed sender, uint64 nonce, bytes payload)");

    /// <summary>Decoded inbox submission; the app id is read from topic 1.</summary>
    public sealed record Submission(string? AppId, string Sender, long Nonce, byte[] Payload);

    public static Submission Decode(IReadOnlyList<string> topics, string data)
    {
        var args = InputSubmitted.Decode(topics, data);
        var appId = AppIds.FromTopic(topics[1]);
        var sender = args.Single(a => a.Name == "sender").Value.ToLowerInvariant();
        var nonce = (long)BigInteger.Parse(args.Single(a => a.Name == "nonce").Value);
        var payload = Hex.Decode(args.Single(a => a.Name == "payload").Value);
        return new Submission(appId, sender, nonce, payload);
    }
}
